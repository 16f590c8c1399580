"""Lists of cases: bounded queries, keyset pages, search filters, the Excel export (scoped, masked,
neutralised, logged) and the public board (masked, open to anyone)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.cases import actions
from linli.cases.models import Case
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

from .conftest import submit

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
BUILDING_B = "110101002001001E01B01"


def ids(response: Any) -> list[int]:
    return [int(x) for x in re.findall(r'data-case="(\d+)"', response.content.decode())]


def many(world: Any, who: Any, n: int, **extra: Any) -> list[Case]:
    return [submit(world, who, f"第{i}号：小区路灯不亮，晚上出行不便", **extra) for i in range(n)]


def test_queue_queries_do_not_grow_with_rows(
    client: Any, world: Any, people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    cases = many(world, people["resident"], 30)
    for case in cases[:10]:
        actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    for user, tabs in (
        (people["resident"], ["mine"]),
        (people["dispatcher"], ["dispatch", "overdue", "due_today", "unit", "returned", "approvals"]),
        (people["handler"], ["unit", "whistles", "overdue"]),
        (people["district"], ["dispatch", "approvals"]),
    ):
        client.force_login(user)
        for tab in tabs:
            with django_assert_max_num_queries(8):
                response = client.get(reverse("cases:queues") + f"?tab={tab}")
            assert response.status_code == 200, (user, tab)
    client.force_login(people["dispatcher"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:search"))
    assert len(ids(response)) == 30
    Case.objects.update(state="closed", lead_unit=world.units["street_a"])
    client.logout()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("board:list"))
    assert len(ids(response)) == 30


def test_keyset_pages_never_overlap(client: Any, world: Any, people: dict[str, Any]) -> None:
    made = {c.pk for c in many(world, people["resident"], 35)}
    client.force_login(people["resident"])
    first = client.get(reverse("cases:queues") + "?tab=mine")
    seen = ids(first)
    assert len(seen) == 30 and seen == sorted(seen, reverse=True)
    link = re.search(r'id="next-page" rel="next" href="([^"]+)"|href="([^"]+)" id="next-page"', first.content.decode())
    assert link is not None
    href = (link.group(1) or link.group(2)).replace("&amp;", "&")
    assert "after=" in href and "page=" not in href
    second = client.get(reverse("cases:queues") + href)
    rest = ids(second)
    assert len(rest) == 5 and set(seen) | set(rest) == made and 'id="next-page"' not in second.content.decode()
    # A nonsense marker is the first page, not an error.
    assert ids(client.get(reverse("cases:queues") + "?tab=mine&after=abc")) == seen


def test_search_filters(client: Any, world: Any, people: dict[str, Any]) -> None:
    lamp = submit(world, people["resident"], "楼道灯坏了")
    rubbish = submit(world, people["resident"], "垃圾没人清理", place=world.places[BUILDING_B])
    actions.dispatch_case(people["dispatcher"], lamp, unit=world.units["dept_a"])
    Case.objects.filter(pk=lamp.pk).update(handle_overdue=True)
    client.force_login(people["district"])
    url = reverse("cases:search")
    assert ids(client.get(url, {"q": "灯坏"})) == [lamp.pk]
    assert ids(client.get(url, {"q": lamp.number})) == [lamp.pk]
    assert ids(client.get(url, {"state": "submitted"})) == [rubbish.pk]
    assert ids(client.get(url, {"overdue": "on"})) == [lamp.pk]
    assert ids(client.get(url, {"unit": world.units["dept_a"].pk})) == [lamp.pk]
    street_b = world.places["110101002000"]
    assert ids(client.get(url, {"place": street_b.pk})) == [rubbish.pk]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(client.get(url, {"since": tomorrow})) == []
    bad = client.get(url, {"since": tomorrow, "until": "2020-01-01"})
    assert bad.status_code == 400 and 'id="search-errors"' in bad.content.decode()
    # The street dispatcher of street A never finds street B's case, whatever the filter says.
    client.force_login(people["dispatcher"])
    assert ids(client.get(url, {"q": "垃圾"})) == []
    assert client.get(url, {"place": street_b.pk}).status_code == 400  # not a place it may pick
    # htmx gets the results alone.
    partial = client.get(url, {"q": "灯"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().startswith('<div id="results">') or 'id="results"' in partial.content.decode()


def test_export_is_scoped_masked_neutralised_and_logged(client: Any, world: Any, people: dict[str, Any]) -> None:
    mine = submit(
        world, people["resident"], '=HYPERLINK("http://x") 路面坑洼', reporter_phone=PHONE, reporter_name="张三"
    )
    theirs = submit(world, people["resident"], "乙街道的事", place=world.places[BUILDING_B])
    client.force_login(people["dispatcher"])
    response = client.get(reverse("cases:export"), {"q": "路面"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=False))
    text = " ".join(str(v) for v in rows[1] if v is not None)
    assert mine.number in text and PHONE not in text and "139****5678" in text and "张三" not in text
    assert any(str(v).startswith("'=HYPERLINK") for v in row.values() if v)  # inert in a spreadsheet
    everything = client.get(reverse("cases:export"))
    numbers = " ".join(
        str(c)
        for r in load_workbook(io.BytesIO(everything.content)).worksheets[0].iter_rows(values_only=True)
        for c in r
    )
    assert mine.number in numbers and theirs.number not in numbers
    logged = AuditEvent.objects.filter(action=AuditAction.CASES_EXPORTED, actor=people["dispatcher"])
    assert logged.count() == 2 and logged.order_by("id").first().data["filters"] == {"q": "路面"}
    queue = client.get(reverse("cases:export"), {"tab": "dispatch"})
    assert queue.status_code == 200
    # Residents may not export, not even their own requests; an unknown tab is not found.
    client.force_login(people["resident"])
    assert client.get(reverse("cases:export")).status_code == 403
    client.force_login(people["dispatcher"])
    assert client.get(reverse("cases:export"), {"tab": "nope"}).status_code == 404


def test_board_is_public_and_masked(client: Any, world: Any, people: dict[str, Any]) -> None:
    done = submit(
        world,
        people["resident"],
        "路灯坏了，请联系我 139 1234 5678，身份证110101199001011234",
        reporter_phone=PHONE,
        reporter_name="张三",
        address="甲园小区1号楼2单元301",
    )
    done = actions.dispatch_case(people["dispatcher"], done, unit=world.units["street_a"])
    done = actions.accept(people["dispatcher"], done)
    actions.resolve(people["dispatcher"], done, answer="已修好，回电13800001111")
    open_case = submit(world, people["resident"], "尚未处理的事")
    response = client.get(reverse("board:list"))  # anonymous
    html = response.content.decode()
    assert response.status_code == 200 and ids(response) == [done.pk]
    assert open_case.title not in html
    for secret in ("5678", "1234", "张三", "301", "13800001111", PHONE):
        assert secret not in html, secret
    assert "甲街道" in html and "甲一社区居委会" in html and "1号楼" not in html
    detail = client.get(reverse("board:case", args=[done.pk])).content.decode()
    assert "5678" not in detail and "1111" not in detail and "已修好" in detail
    assert client.get(reverse("board:case", args=[open_case.pk])).status_code == 404
    street_b = world.places["110101002000"]
    assert ids(client.get(reverse("board:list"), {"place": street_b.pk})) == []
    assert ids(client.get(reverse("board:list"), {"place": world.places["110101001000"].pk})) == [done.pk]
    client.force_login(people["other_resident"])
    assert ids(client.get(reverse("board:list"))) == [done.pk]


def test_home_pages_link_to_the_queues(client: Any, world: Any, people: dict[str, Any]) -> None:
    for who, link in (("resident", "my-requests"), ("dispatcher", "queues"), ("handler", "queues")):
        client.force_login(people[who])
        assert f'data-link="{link}"' in client.get(reverse("home")).content.decode()
