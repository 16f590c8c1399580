"""Bad input on every human channel: a clear error on the page, in the page's language, and nothing stored —
no case, no photo row, no photo file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.cases.models import Case, CasePhoto
from linli.orgs.models import Matter

from .test_intake_pages import hotline_post, jpeg, media, resident_post, road, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db


def zh(message: str, **params: Any) -> str:
    """The message as the page shows it: in Chinese once translated (escaped like the page escapes it)."""
    from django.utils.html import escape

    with override("zh-hans"):
        text = _(message)
    return escape(text % params if params else text)


def refused(response: Any, media_root: Path, *, message: str | None = None) -> str:
    page = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in page, page[:2000]
    assert 'id="case-number"' not in page
    if message is not None:
        assert message in page, (message, page[page.find('id="form-errors"') :][:800])
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0
    assert stored_files(media_root) == [], "no photo file is left behind"
    return page


def fake_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("evil.jpg", b"<?php echo 'not a photo'; ?>" * 10, content_type="image/jpeg")


BAD_RESIDENT: dict[str, tuple[dict[str, Any], str | None]] = {
    "missing text": ({"body": ""}, None),
    "markup in the text": (
        {"body": "<script>alert(1)</script>路灯坏了"},
        "Write plain text: markup such as “<tag>” and control characters are not accepted",
    ),
    "markup in the name": (
        {"reporter_name": "<img src=x onerror=alert(1)>"},
        "Write plain text: markup such as “<tag>” and control characters are not accepted",
    ),
    "10,000 characters": ({"body": "长" * 10_000}, None),
    "no consent": ({"consent": None}, "Consent to processing the request's personal data is required"),
    "no place at all": ({"place": None}, "Say where: pick the place, point on the map or type the address"),
    "unknown place": ({"place": "987654"}, None),
    "point outside every grid": (
        {"place": None, "longitude": "100.0", "latitude": "30.0"},
        "The map point lies outside every grid Linli serves",
    ),
    "address matching nothing": (
        {"place": None, "address": "火星基地"},
        "No place matches this address; pick it on the map or from the list",
    ),
    "bad phone": ({"reporter_phone": "12345"}, None),
}


@pytest.mark.parametrize("case", list(BAD_RESIDENT), ids=list(BAD_RESIDENT))
def test_resident_bad_input(client: Any, world: Any, people: dict, media: Path, case: str) -> None:  # noqa: F811
    changes, message = BAD_RESIDENT[case]
    client.force_login(people["resident"])
    response = client.post("/report/", resident_post(world, photos=[jpeg()], **changes))
    refused(response, media, message=zh(message) if message else None)


def test_resident_bad_photos(client: Any, world: Any, people: dict, media: Path, settings: Any) -> None:  # noqa: F811
    client.force_login(people["resident"])
    fake = client.post("/report/", resident_post(world, photos=[jpeg(), fake_image()]))
    refused(
        fake,
        media,
        message=zh("Photo %(position)d is not a JPEG, PNG or WebP image, or the file is damaged.", position=2),
    )
    too_many = client.post("/report/", resident_post(world, photos=[jpeg(f"{n}.jpg") for n in range(10)]))
    refused(too_many, media)
    settings.PHOTO_MAX_BYTES = 600
    oversized = client.post("/report/", resident_post(world, photos=[jpeg(size=(400, 300))]))
    refused(oversized, media)
    # A good photo alongside a bad text: the photo is not stored either.
    refused(client.post("/report/", resident_post(world, body="<b>x</b>", photos=[jpeg()])), media)


def test_bad_preview_says_why_and_stores_nothing(client: Any, world: Any, people: dict, media: Path) -> None:  # noqa: F811
    client.force_login(people["resident"])
    post = {**resident_post(world, place=None, longitude="100", latitude="30"), "step": "preview"}
    response = client.post("/report/", post, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="form-errors"' in page and zh("The map point lies outside every grid Linli serves") in page
    assert 'id="submit-request"' not in page and Case.objects.count() == 0


BAD_HOTLINE: dict[str, tuple[dict[str, Any], str | None]] = {
    "no phone": ({"reporter_phone": ""}, None),
    "bad phone": ({"reporter_phone": "010-1"}, None),
    "caller did not agree": ({"consent": None}, "Consent to processing the request's personal data is required"),
    "unknown urgency": ({"urgency": "panic"}, None),
    "unknown matter": ({"matter": "987654"}, None),
    "script in the title": ({"title": "<script>x</script>"}, None),
}


@pytest.mark.parametrize("case", list(BAD_HOTLINE), ids=list(BAD_HOTLINE))
def test_hotline_bad_input(client: Any, world: Any, people: dict, media: Path, case: str) -> None:  # noqa: F811
    changes, message = BAD_HOTLINE[case]
    client.force_login(people["dispatcher"])
    refused(
        client.post("/report/hotline/", hotline_post(world, **changes)), media, message=zh(message) if message else None
    )


def test_found_bad_input(client: Any, world: Any, people: dict, media: Path, road: Matter) -> None:  # noqa: F811
    client.force_login(people["grid"])

    def post(**changes: Any) -> Any:
        good = {"photos": [jpeg()], "longitude": "116.05", "latitude": "39.9", "matter": road.pk}
        return client.post("/report/found/", {**good, **changes})

    refused(post(photos=[]), media)
    refused(post(photos=[fake_image()]), media)
    refused(post(matter=""), media)
    refused(post(matter="987654"), media)
    # A point in another grid, and a place from another grid's list: outside the worker's grids.
    refused(post(longitude="116.3"), media, message=zh("This place is outside your grids"))
    other = world.places["110101002001001E01B01"]
    refused(post(longitude="", latitude="", place=other.pk), media)
    refused(post(longitude="100", latitude="30"), media)
    refused(post(body="<iframe src=x>"), media)
