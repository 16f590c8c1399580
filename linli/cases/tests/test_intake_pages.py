"""The human intake pages through the test client: resident (with the preview step), hotline operator
(caller history, duplicates while typing), grid worker (主动发现)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from linli.cases.choices import Urgency
from linli.cases.models import Case, CasePhoto
from linli.orgs.models import Matter

from .conftest import BUILDING_A, submit

pytestmark = pytest.mark.django_db

GRID_A1 = "110101001001001"  # box 116.0–116.1 × 39.8–40.0, the grid worker's
GRID_B1 = "110101002001001"  # box 116.2–116.4 × 39.8–40.0, side B
KEY_RE = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
NUMBER_RE = re.compile(r'id="case-number">(\d{18})<')


def jpeg(name: str = "p.jpg", gps: tuple[float, float] | None = None, size: tuple[int, int] = (40, 30)) -> Any:
    """A small JPEG as a phone would send it; with `gps` = (lon, lat) its EXIF carries the position."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "LinliPhone X"
    if gps is not None:
        lon, lat = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (float(int(lat)), round((lat % 1) * 60, 4), 0.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (float(int(lon)), round((lon % 1) * 60, 4), 0.0),
        }
    Image.new("RGB", size, "red").save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Photos go to a folder of this test's own, so that "nothing left behind" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def form_key(client: Any, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    match = KEY_RE.search(page.content.decode())
    assert match, "every intake form carries an idempotency key"
    return match.group(1)


def resident_post(world: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "body": "小区门口路面脏乱，垃圾堆放多日无人清理",
        "place": str(world.places[BUILDING_A].pk),
        "reporter_name": "张三",
        "reporter_phone": "13800001111",
        "consent": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def number_of(response: Any) -> str:
    match = NUMBER_RE.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


# --------------------------------------------------------------------------------------------------
# Resident


def test_resident_previews_then_submits_once_with_photos(client: Any, world: Any, people: dict, media: Path) -> None:
    client.force_login(people["resident"])
    key = form_key(client, "/report/")
    data = resident_post(world, idempotency_key=key)
    shown = client.post("/report/", {**data, "step": "preview"}, headers={"HX-Request": "true"})
    html = shown.content.decode()
    assert shown.status_code == 200 and 'id="preview-card"' in html and 'id="submit-request"' in html
    assert "1号楼" in html and 'id="preview-deadline"' in html
    assert Case.objects.count() == 0, "a preview stores nothing"

    photos = [jpeg("a.jpg"), jpeg("b.jpg")]
    done = client.post("/report/", {**data, "photos": photos})
    number = number_of(done)
    assert 'data-created="yes"' in done.content.decode()
    case = Case.objects.get()
    assert case.number == number and f'href="/cases/{case.pk}/"' in done.content.decode()
    assert case.channel == "web" and case.reporter == people["resident"] and case.place.code == BUILDING_A
    assert case.urgency == Urgency.NORMAL and case.consented_at is not None
    assert CasePhoto.objects.filter(case=case).count() == 2 and len(stored_files(media)) == 2
    for stored in stored_files(media):
        assert b"LinliPhone" not in stored.read_bytes(), "the camera's make is stripped on storage"

    again = client.post("/report/", {**data, "photos": [jpeg("a.jpg")]})
    assert number_of(again) == number and 'data-created="no"' in again.content.decode()
    assert Case.objects.count() == 1 and CasePhoto.objects.count() == 2, "the same key never makes a second case"


def test_resident_places_by_map_point_address_and_photo_position(client: Any, world: Any, people: dict) -> None:
    client.force_login(people["resident"])
    by_point = client.post("/report/", resident_post(world, place="", longitude="116.05", latitude="39.9"))
    number_of(by_point)
    by_address = client.post("/report/", resident_post(world, place="", address="甲一社区甲园小区1号楼"))
    number_of(by_address)
    by_photo = client.post("/report/", resident_post(world, place="", photos=[jpeg(gps=(116.35, 39.9))]))
    number_of(by_photo)
    cases = list(Case.objects.order_by("id"))
    assert [c.place.code for c in cases] == [GRID_A1, BUILDING_A, GRID_B1]
    assert cases[0].longitude == pytest.approx(116.05) and cases[2].longitude == pytest.approx(116.35, abs=1e-3)


def test_cascading_picker_offers_the_next_level_and_the_deepest_pick_wins(
    client: Any, world: Any, people: dict
) -> None:
    client.force_login(people["resident"])
    first = client.get("/report/").content.decode()
    assert "东城区" in first and "西城区" in first, "one choice is skipped (北京市), the first real one shown"
    street = world.places["110101001000"]
    picker = client.get(f"/report/places/?place={street.pk}").content.decode()
    assert picker.count("<select") == 3 and "甲一社区居委会" in picker
    community = world.places["110101001001"]
    picker = client.get(f"/report/places/?place={community.pk}").content.decode()
    assert "甲园小区" in picker and "甲一第1网格" not in picker, "residents pick estates, not grids"
    # The form sends one value per level; the deepest chosen is the place.
    chain = [str(world.places[c].pk) for c in ("110101000000", "110101001000", "110101001001")]
    estate = world.places["110101001001001E01"]
    done = client.post("/report/", {**resident_post(world, place=None), "place": [*chain, str(estate.pk), chain[-1]]})
    number_of(done)
    assert Case.objects.get().place == community, "the last select's empty option carries its parent"


def test_anonymous_is_sent_to_log_in(client: Any, world: Any) -> None:
    assert client.get("/report/").status_code == 302
    assert Case.objects.count() == 0


# --------------------------------------------------------------------------------------------------
# Hotline


def hotline_post(world: Any, **extra: Any) -> dict[str, Any]:
    return resident_post(world, **{"reporter_phone": "13900002222", "urgency": "urgent", **extra})


def test_hotline_entry_with_caller_history_and_duplicates(client: Any, world: Any, people: dict) -> None:
    earlier = submit(world, people["resident"], reporter_phone="13900002222")
    client.force_login(people["dispatcher"])
    assert client.get("/report/hotline/").status_code == 200
    history = client.get("/report/hotline/caller/?reporter_phone=139-0000-2222").content.decode()
    assert earlier.number in history and f"/cases/{earlier.pk}/" in history
    assert earlier.number not in client.get("/report/hotline/caller/?reporter_phone=13900003333").content.decode()
    assert client.get("/report/hotline/caller/?reporter_phone=1390").content.decode().strip() == ""

    dupes = client.post(
        "/report/hotline/duplicates/",
        {"body": "小区门口垃圾堆放好几天了没人清理", "place": str(world.places[BUILDING_A].pk)},
    ).content.decode()
    assert earlier.number in dupes
    unlike = client.post(
        "/report/hotline/duplicates/", {"body": "井盖丢失很危险", "place": str(world.places[BUILDING_A].pk)}
    )
    assert earlier.number not in unlike.content.decode()

    done = client.post("/report/hotline/", hotline_post(world, idempotency_key="k1"))
    number_of(done)
    case = Case.objects.latest("id")
    assert case.channel == "hotline" and case.urgency == Urgency.URGENT and case.reporter is None
    assert case.entered_by == people["dispatcher"] and case.reporter_phone == "13900002222"


def test_hotline_scopes_history_and_duplicates_to_what_the_operator_reads(
    client: Any, world: Any, people: dict
) -> None:
    earlier = submit(world, people["resident"], reporter_phone="13900002222")
    outsider = world.outsiders["street_dispatcher"]
    client.force_login(outsider)
    assert earlier.number not in client.get("/report/hotline/caller/?reporter_phone=13900002222").content.decode()
    dupes = client.post(
        "/report/hotline/duplicates/", {"body": earlier.body, "place": str(world.places[BUILDING_A].pk)}
    )
    assert earlier.number not in dupes.content.decode()


def test_district_command_takes_calls_residents_do_not(client: Any, world: Any, people: dict) -> None:
    client.force_login(people["district"])  # SecondFactorClient: a verified second factor
    assert client.get("/report/hotline/").status_code == 200
    number_of(client.post("/report/hotline/", hotline_post(world)))
    client.force_login(people["resident"])
    for url in ("/report/hotline/", "/report/hotline/caller/?reporter_phone=13900002222", "/report/found/"):
        assert client.get(url).status_code == 403
    assert client.post("/report/hotline/", hotline_post(world)).status_code == 403
    assert Case.objects.count() == 1


# --------------------------------------------------------------------------------------------------
# Grid worker


@pytest.fixture
def road(db: Any) -> Matter:
    return Matter.objects.create(
        code="M01001",
        name="道路不洁",
        category="城乡建设",
        owner_level="district",
        department_type="urban_management",
        keywords=["路面脏"],
    )


def test_grid_worker_reports_with_a_photo_from_position_or_list(
    client: Any, world: Any, people: dict, road: Matter, media: Path
) -> None:
    client.force_login(people["grid"])
    page = client.get("/report/found/").content.decode()
    assert "甲园小区 1号楼" in page and "乙园小区" not in page, "the list is the worker's own grid"
    assert "道路不洁" in page
    by_position = client.post(
        "/report/found/", {"photos": [jpeg()], "longitude": "116.05", "latitude": "39.9", "matter": road.pk}
    )
    number_of(by_position)
    building = world.places[BUILDING_A]
    by_list = client.post(
        "/report/found/", {"photos": [jpeg()], "place": building.pk, "matter": road.pk, "body": "路面有油污"}
    )
    number_of(by_list)
    first, second = Case.objects.order_by("id")
    assert first.channel == second.channel == "grid" and first.entered_by == people["grid"]
    assert first.place.code == GRID_A1 and first.title == first.body == "道路不洁" and first.matter == road
    assert second.place == building and second.body == "路面有油污"
    assert len(stored_files(media)) == 2


def test_preview_without_script_renders_the_whole_page(client: Any, world: Any, people: dict) -> None:
    client.force_login(people["resident"])
    page = client.post("/report/", {**resident_post(world), "step": "preview"}).content.decode()
    assert 'id="report-form"' in page and 'id="preview-card"' in page and 'id="submit-request"' in page
    assert "1号楼" in page and Case.objects.count() == 0
