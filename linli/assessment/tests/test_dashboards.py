"""The dashboards per level (issue 18 item 3) on hand-built timelines: the tiles equal the indicators, each part
reads only the area in the viewer's reach, the lists and the recurring problems come from the scoped cases, and
the page's queries do not grow with the cases."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.assessment import dashboards as d
from linli.assessment.dashboards_cases import LIST_LIMIT
from linli.assessment.dashboards_recurring import recurring
from linli.assessment.indicators import place_figures, unit_figures
from linli.cases import actions, sweep
from linli.cases.models import Case
from linli.cases.tests.conftest import submit

pytestmark = pytest.mark.django_db
STREET_A, STREET_B, COMMUNITY_A, DISTRICT_A = "110101001000", "110101002000", "110101001001", "110101000000"
BUILDING_B = "110101002001001E01B01"
PARTS = ("", "areas.geojson", "trend/", "recurring/", "forecast/", "export.xlsx")


def url(place: Any, part: str = "") -> str:
    return f"/assessment/dashboards/{place.pk}/{part}"


def _overdue(case: Any) -> None:
    """The sweep passes just after the case's handling deadline (it marks the case overdue)."""
    sweep.run(case.handle_due + datetime.timedelta(seconds=1))


def _timelines(world: Any, people: dict[str, Any]) -> dict[str, Case]:
    """Three cases of street A's unit — rated satisfied after contact, rated basically satisfied without one,
    and one left to go overdue — and one of street B's."""
    street = world.units["street_a"]
    c1 = actions.dispatch_case(people["dispatcher"], submit(world, people["resident"]), unit=street)
    c1 = actions.accept(people["dispatcher"], c1)
    c1 = actions.contact(people["dispatcher"], c1, note="已电话联系居民")
    c1 = actions.resolve(people["dispatcher"], c1, answer="已安排清理")
    actions.rate(people["resident"], c1, rating="satisfied", resolved=True)
    c2 = actions.dispatch_case(
        people["dispatcher"], submit(world, people["resident"], text="楼道灯坏了一周没人修"), unit=street
    )
    c2 = actions.resolve(people["dispatcher"], actions.accept(people["dispatcher"], c2), answer="已更换灯泡")
    actions.rate(people["resident"], c2, rating="basic", resolved=True)
    c3 = actions.dispatch_case(
        people["dispatcher"], submit(world, people["resident"], text="小区健身器材损坏"), unit=street
    )
    _overdue(c3)
    other = submit(world, people["other_resident"], text="乙园门口积水", place=world.places[BUILDING_B])
    other = actions.dispatch_case(world.outsiders[Role.STREET_DISPATCHER], other, unit=world.units["street_b"])
    return {"c1": c1, "c2": c2, "c3": c3, "other": other}


def _tiles(response: Any) -> dict[str, Any]:
    return {t["key"]: t for t in response.context["tiles"]}


def test_tiles_equal_the_indicators_of_the_area(client: Any, world: Any, people: dict[str, Any]) -> None:
    _timelines(world, people)
    street = world.places[STREET_A]
    client.force_login(people["dispatcher"])
    response = client.get(url(street))
    assert response.status_code == 200
    tiles = _tiles(response)
    today = timezone.localdate()
    month = d.period_of("month", today)
    by_place = place_figures({street.pk: street.path}, month.start, month.end)[street.pk]
    by_unit = unit_figures([world.units["street_a"].pk], month.start, month.end)[world.units["street_a"].pk]
    assert tiles["volume"]["value"] == by_place.volume == by_unit.volume == 3
    for key in d.TILE_RATES:
        assert tiles[key]["value"] == by_place.rate(key).value == by_unit.rate(key).value, key
    # By hand: one of three contacted in time; both ratings say resolved; (1 + 0.8 × 1) ÷ 2; one overdue.
    assert tiles["response"]["value"] == pytest.approx(1 / 3)
    assert tiles["resolution"]["value"] == 1.0 and tiles["satisfaction"]["value"] == pytest.approx(0.9)
    assert tiles["overdue"]["value"] == pytest.approx(1 / 3) and tiles["overdue"]["shown"] == "33.3%"
    assert tiles["hours_to_resolve"]["value"] == by_place.hours_to_resolve
    assert str(tiles["response"]["formula"]) in response.content.decode()  # the formula under the figure
    # The district sums both streets, each street its own on the map.
    client.force_login(people["district"])
    district = client.get(url(world.places[DISTRICT_A]))
    assert _tiles(district)["volume"]["value"] == 4
    rows = {row["place"].code: row["volume"] for row in district.context["children"]}
    assert rows == {STREET_A: 3, STREET_B: 1}


def test_a_place_out_of_reach_is_not_found_in_every_part(client: Any, world: Any, people: dict[str, Any]) -> None:
    street = world.places[STREET_A]
    client.force_login(world.outsiders[Role.STREET_DISPATCHER])
    assert [client.get(url(street, part)).status_code for part in PARTS] == [404] * len(PARTS)
    client.force_login(world.users[Role.COMMUNITY_WORKER])  # below the street: the street is above its reach
    assert client.get(url(street)).status_code == 404
    assert client.get(url(world.places[COMMUNITY_A])).status_code == 200
    for role in (Role.GRID_WORKER, Role.DEPARTMENT_HANDLER, Role.RESIDENT, Role.AUDITOR):
        client.force_login(world.users[role])
        assert client.get(url(world.places[COMMUNITY_A])).status_code == 403, role
    client.force_login(people["dispatcher"])
    assert client.get(url(world.places["110101001001001"])).status_code == 404  # a grid has no dashboard


def test_the_map_holds_only_the_areas_in_reach(client: Any, world: Any, people: dict[str, Any]) -> None:
    _timelines(world, people)
    client.force_login(people["district"])
    body = client.get(url(world.places[DISTRICT_A], "areas.geojson")).json()
    names = {f["properties"]["name"]: f["properties"]["volume"] for f in body["features"]}
    assert names == {"甲街道": 3, "乙街道": 1}
    assert all(f["geometry"]["type"] == "Polygon" for f in body["features"])
    client.force_login(world.outsiders[Role.DISTRICT_COMMAND])
    other = client.get(url(world.places["110102000000"], "areas.geojson")).json()
    assert [f["properties"]["name"] for f in other["features"]] == ["丙街道"]
    client.force_login(people["dispatcher"])
    grids = client.get(url(world.places[COMMUNITY_A], "areas.geojson")).json()
    assert sorted(f["properties"]["name"] for f in grids["features"]) == ["甲一第1网格", "甲一第2网格"]
    assert all(f["properties"]["url"] == "" for f in grids["features"])  # grids: no dashboard to open


def test_own_area_is_the_default(client: Any, world: Any, people: dict[str, Any]) -> None:
    for role, code in (
        (Role.COMMUNITY_SECRETARY, COMMUNITY_A),
        (Role.STREET_DISPATCHER, STREET_A),
        (Role.DISTRICT_COMMAND, DISTRICT_A),
    ):
        client.force_login(world.users[role])
        response = client.get("/assessment/dashboards/?period=year")
        assert response.status_code == 302
        assert response["Location"] == f"/assessment/dashboards/{world.places[code].pk}/?period=year"
        assert "/assessment/dashboards/" in client.get("/").content.decode()  # linked from the home page


def test_late_lists_are_scoped_and_bounded(client: Any, world: Any, people: dict[str, Any]) -> None:
    cases = _timelines(world, people)
    late_b = submit(world, people["other_resident"], text="乙园路面破损", place=world.places[BUILDING_B])
    late_b = actions.dispatch_case(world.outsiders[Role.STREET_DISPATCHER], late_b, unit=world.units["street_b"])
    _overdue(late_b)
    soon = timezone.now() + datetime.timedelta(hours=3)
    at_risk = actions.dispatch_case(
        people["dispatcher"], submit(world, people["resident"], text="路灯不亮"), unit=world.units["street_a"]
    )
    Case.objects.filter(pk=at_risk.pk).update(handle_due=soon)  # a deadline three hours away
    client.force_login(people["dispatcher"])
    response = client.get(url(world.places[STREET_A]))
    assert [c.pk for c in response.context["overdue"]] == [cases["c3"].pk] and response.context["overdue_total"] == 1
    assert [c.pk for c in response.context["at_risk"]] == [at_risk.pk]
    assert f'href="/cases/{cases["c3"].pk}/"' in response.content.decode()
    client.force_login(people["district"])  # the district sees both streets' late cases
    district = client.get(url(world.places[DISTRICT_A]))
    assert {c.pk for c in district.context["overdue"]} == {cases["c3"].pk, cases["other"].pk, late_b.pk}


def test_the_lists_show_the_first_twenty_and_say_how_many(client: Any, world: Any, people: dict[str, Any]) -> None:
    for n in range(LIST_LIMIT + 2):
        actions.dispatch_case(
            people["dispatcher"],
            submit(world, people["resident"], text=f"井盖缺失第{n}处"),
            unit=world.units["street_a"],
        )
    Case.objects.update(handle_due=timezone.now() - datetime.timedelta(hours=1))  # all a little late
    client.force_login(people["dispatcher"])
    response = client.get(url(world.places[STREET_A]))
    assert len(response.context["overdue"]) == LIST_LIMIT and response.context["overdue_total"] == LIST_LIMIT + 2
    assert f'id="overdue-total">{LIST_LIMIT + 2}<' in response.content.decode()


def test_recurring_problems_group_similar_texts_of_one_place_and_matter(world: Any, people: dict[str, Any]) -> None:
    for text in (
        "小区门口垃圾堆放多日无人清理，请尽快处理",
        "小区门口垃圾堆放多日无人清理",
        "门口垃圾堆放多日无人清理 电话13812345678",
    ):
        submit(world, people["resident"], text=text)
    submit(world, people["resident"], text="楼道里的路灯坏了，晚上很黑")  # the same place, another problem
    for text in ("乙园门口垃圾堆放多日无人清理", "乙园门口垃圾堆放多日无人清理！"):
        submit(world, people["other_resident"], text=text, place=world.places[BUILDING_B])
    month = d.period_of("month", timezone.localdate())
    street = recurring(people["dispatcher"], d.area_of(world.places[STREET_A]), month)
    assert [(c.count, c.place) for c in street] == [(3, "甲一社区居委会")]  # the lone lamp is no cluster
    texts = [text for _pk, text in street[0].samples()]
    assert len(texts) == 3 and "138****5678" in texts[0] and "13812345678" not in " ".join(texts)
    district = recurring(people["district"], d.area_of(world.places[DISTRICT_A]), month)
    assert sorted((c.count, c.place) for c in district) == [(2, "乙一社区居委会"), (3, "甲一社区居委会")]
    community = recurring(world.users[Role.COMMUNITY_WORKER], d.area_of(world.places[COMMUNITY_A]), month)
    assert [(c.count, c.place) for c in community] == [(3, "甲一第1网格")]  # a community's groups are its grids


def test_the_excel_file_has_a_sheet_per_chart_and_inert_cells(client: Any, world: Any, people: dict[str, Any]) -> None:
    _timelines(world, people)
    for _n in range(2):
        submit(world, people["resident"], text='=HYPERLINK("http://evil.example","点我")小区门口垃圾')
    client.force_login(people["dispatcher"])
    response = client.get(url(world.places[STREET_A], "export.xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6
    overview = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert overview[1][1] == 3  # the volume
    recurring_rows = list(book.worksheets[4].iter_rows(values_only=True))
    assert recurring_rows[1][1] == 2 and str(recurring_rows[1][4]).startswith("'=HYPERLINK")
    areas = list(book.worksheets[3].iter_rows(values_only=True))
    assert areas[1][0] == "甲一社区居委会" and areas[1][2] == 3


def test_a_wrong_period_says_why_and_shows_the_month(client: Any, world: Any, people: dict[str, Any]) -> None:
    client.force_login(people["dispatcher"])
    response = client.get(url(world.places[STREET_A]) + "?period=year&from=2026-05-01&to=2026-04-01")
    assert response.status_code == 200 and response.context["form"].errors["to"]
    assert response.context["period"] == d.period_of("month", timezone.localdate())
    quarter = client.get(url(world.places[STREET_A]) + "?period=quarter&from=2026-05-17").context["period"]
    assert (quarter.start, quarter.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    for wrong in (
        "?from=0001-01-01&period=month",
        "?to=2026-05-01",
        "?period=decade",
        "?from=2020-01-01&to=2026-01-01",
    ):
        assert client.get(url(world.places[STREET_A]) + wrong).context["form"].errors, wrong
    custom = client.get(url(world.places[STREET_A]) + "?from=2026-05-03&to=2026-05-09").context["period"]
    assert custom.kind == "custom" and custom.days == 7


def test_queries_stay_bounded_as_cases_grow(client: Any, world: Any, people: dict[str, Any]) -> None:
    _timelines(world, people)
    client.force_login(people["district"])
    district = world.places[DISTRICT_A]

    def count(part: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(district, part)).status_code == 200
        return len(queries)

    before = {part: count(part) for part in PARTS}
    for text in ("路灯不亮", "井盖缺失", "树枝挡路", "占道经营"):
        c = actions.dispatch_case(
            people["dispatcher"], submit(world, people["resident"], text=text), unit=world.units["street_a"]
        )
        _overdue(c)
    after = {part: count(part) for part in PARTS}
    assert after == before
    assert before[""] <= 16 and max(before.values()) <= 16
