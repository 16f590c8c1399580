"""The assessment pages (issue 18, item 1) on hand-built timelines: every rate shown with its formula, its
numerator and denominator equal to what the test counts by hand; the cases behind a figure, exactly those and
only those the viewer may read; rankings within peer groups by the composite, ties by volume; outsiders kept
out; the scheme's rules; and a bounded number of queries whatever the size of the group."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.assessment.actions import set_scheme
from linli.assessment.forms import PeriodForm, period_of
from linli.assessment.indicators import RATES
from linli.assessment.models import Scheme
from linli.cases import actions
from linli.cases.models import Case
from linli.cases.tests.conftest import submit
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.orgs.choices import UnitKind
from linli.orgs.models import Unit

pytestmark = pytest.mark.django_db

BUILDING_B = "110101002001001E01B01"
STREET_A = "110101001000"


def _client(user: Any) -> SecondFactorClient:
    client = SecondFactorClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _handle(handler: Any, case: Case, *, contact: bool = True) -> Case:
    case = actions.accept(handler, case)
    if contact:
        case = actions.contact(handler, case, note="已电话联系居民")
    return actions.resolve(handler, case, answer="已处理完毕")


def _story(world: Any, people: dict[str, Any]) -> dict[str, Case]:
    """Street A: one case contacted, resolved and rated satisfied; one resolved without a contact and rated
    basically satisfied, not resolved (so reopened); one only dispatched. Community A: one in the community, one placed at
    the street itself and sent to the community (counted for the community, unseen by its secretary, whose
    place is the community). Department A: two cases handled and rated
    satisfied; department B: one, the same; street B: one handled, rated satisfied."""
    u, street, resident = world.units, people["dispatcher"], people["resident"]
    cases: dict[str, Case] = {}
    case = actions.dispatch_case(street, submit(world, resident, text="楼道灯坏了很久没人修"), unit=u["street_a"])
    case = _handle(street, case)
    cases["satisfied"] = actions.rate(resident, case, rating="satisfied", resolved=True)
    case = actions.dispatch_case(street, submit(world, resident, text="小区绿化带杂草丛生无人修剪"), unit=u["street_a"])
    case = _handle(street, case, contact=False)
    cases["basic"] = actions.rate(resident, case, rating="basic", resolved=False)
    cases["open"] = actions.dispatch_case(
        street, submit(world, resident, text="人行道地砖松动绊倒老人"), unit=u["street_a"]
    )
    near = submit(world, resident, text="社区活动室门锁坏了")
    cases["near"] = actions.dispatch_case(street, near, unit=u["community_a"])
    above = submit(world, resident, text="街道主干道积水严重影响出行", place=world.places[STREET_A])
    cases["above"] = actions.dispatch_case(street, above, unit=u["community_a"])
    for key, unit, handler in (
        ("dept_a_1", "dept_a", people["handler"]),
        ("dept_a_2", "dept_a", people["handler"]),
        ("dept_b", "dept_b", people["other_handler"]),
        ("street_b", "street_b", world.outsiders[Role.STREET_DISPATCHER]),
    ):
        place = world.places[BUILDING_B] if unit == "street_b" else None
        extra = {"place": place} if place else {}
        case = submit(world, resident, text=f"{key}：路面坑洼积水多日未处理", **extra)
        dispatcher = people["district"] if unit != "street_b" else world.outsiders[Role.STREET_DISPATCHER]
        case = actions.dispatch_case(dispatcher, case, unit=u[unit])
        cases[key] = actions.rate(resident, _handle(handler, case), rating="satisfied", resolved=True)
    return cases


def _cells(html: str, key: str) -> dict[str, str]:
    """A rate's row: its value, the counters linked from numerator and denominator, and its formula."""
    row = re.search(rf'<tr data-rate="{key}">(.*?)</tr>', html, re.S)
    assert row, key
    text = row.group(1)
    value = re.search(r'<td class="value">([^<]*)</td>', text)
    formula = re.search(r'<td class="formula[^"]*">([^<]*)</td>', text)
    links = dict(re.findall(r'data-counter="(\w+)"[^>]*>([^<]*)</a>', text))
    return {"value": value.group(1) if value else "", "formula": formula.group(1) if formula else "", **links}


def test_every_rate_with_its_formula_equals_the_hand_count(world: Any, people: dict[str, Any]) -> None:
    _story(world, people)
    client = _client(people["district"])
    html = client.get(reverse("assessment:unit", args=[world.units["street_a"].pk])).content.decode()
    # Street A by hand: 3 cases; 1 contacted in time; 1 resolved on time (the other, rated "not resolved", is
    # reopened: handling again); 2 rated, 1 of them "resolved"; 1 satisfied and 1 basically satisfied (k = 0.8
    # by default); 3 dispatches, none found wrong.
    expected = {
        "response": ("33.3%", {"contacted_in_time": "1", "cases": "3"}),
        "resolution": ("50.0%", {"rated_resolved": "1", "rated": "2"}),
        "satisfaction": ("90.0%", {"satisfied": "1", "basic": "1", "rated": "2"}),
        "on_time": ("33.3%", {"resolved_on_time": "1", "cases": "3"}),
        "overdue": ("0.0%", {"overdue": "0", "cases": "3"}),
        "extension": ("0.0%", {"extended": "0", "cases": "3"}),
        "return": ("0.0%", {"returned": "0", "cases": "3"}),
        "reopen": ("33.3%", {"reopened": "1", "cases": "3"}),
        "accuracy": ("100.0%", {"dispatches": "3", "misdispatches": "0"}),
    }
    with translation.override("en"):
        formulas = {key: str(formula) for key, _label, formula, _n, _d in RATES}
    assert set(expected) == set(formulas)
    for key, (value, counts) in expected.items():
        cells = _cells(html, key)
        assert cells["value"] == value, (key, cells)
        assert cells["formula"] == formulas[key], key
        for counter, count in counts.items():
            assert cells[counter] == count, (key, counter, cells)
    # composite = 0.30 × 1/3 + 0.35 × 1/2 + 0.35 × 0.9 = 0.59
    assert re.search(r'id="composite">59\.0%<', html)
    assert '0.3</span> × Response rate + <span class="weight">0.35</span> × Resolution rate' in html
    assert "counts as 0.8 of" in html
    assert re.search(r'id="volume"><a href="[^"]*counter=cases[^"]*" data-counter="cases">3<', html)


def test_the_scheme_in_force_changes_the_composite_and_the_factor(world: Any, people: dict[str, Any]) -> None:
    _story(world, people)
    weights = {"weight_response": "0.2", "weight_resolution": "0.4", "weight_satisfaction": "0.4"}
    set_scheme(people["district"], name="二〇二六年方案", basic_factor="0.5", **weights)
    client = _client(people["district"])
    today = timezone.localdate().isoformat()
    url = reverse("assessment:unit", args=[world.units["street_a"].pk])
    html = client.get(url, {"period": "day", "on": today}).content.decode()
    # satisfaction = (1 + 0.5 × 1) / 2 = 0.75; composite = 0.2 × 1/3 + 0.4 × 0.5 + 0.4 × 0.75 = 0.5667
    assert _cells(html, "satisfaction")["value"] == "75.0%"
    assert re.search(r'id="composite">56\.7%<', html)
    assert "二〇二六年方案" in html and "counts as 0.5 of" in html


def _listed(client: Any, unit: Unit, counter: str, **params: str) -> set[int]:
    response = client.get(reverse("assessment:cases", args=[unit.pk]), {"counter": counter, **params})
    assert response.status_code == 200, response.status_code
    return {int(pk) for pk in re.findall(r'<tr data-case="(\d+)"', response.content.decode())}


def test_the_cases_behind_a_figure_are_exactly_those_and_only_those_the_viewer_reads(
    world: Any, people: dict[str, Any]
) -> None:
    cases = _story(world, people)
    street_a, community_a = world.units["street_a"], world.units["community_a"]
    district, secretary = _client(people["district"]), _client(people["secretary"])
    pk = {key: case.pk for key, case in cases.items()}
    assert _listed(district, street_a, "cases") == {pk["satisfied"], pk["basic"], pk["open"]}
    assert _listed(district, street_a, "resolved") == {pk["satisfied"]}
    assert _listed(district, street_a, "reopened") == {pk["basic"]}
    assert _listed(district, street_a, "basic") == {pk["basic"]}
    assert _listed(district, street_a, "rated_resolved") == {pk["satisfied"]}
    assert _listed(district, street_a, "contacted_in_time") == {pk["satisfied"]}
    assert _listed(district, street_a, "returned") == set()
    assert _listed(_client(people["dispatcher"]), street_a, "rated") == {pk["satisfied"], pk["basic"]}
    # The case above the community counts for it, but its secretary reads only the community's places.
    assert _listed(district, community_a, "cases") == {pk["near"], pk["above"]}
    assert _listed(secretary, community_a, "cases") == {pk["near"]}
    page = secretary.get(reverse("assessment:cases", args=[community_a.pk]), {"counter": "cases"}).content.decode()
    assert "the unit's figure: 2" in page and "1 case you may read" in page
    # Another period, another class: nothing behind the figure.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert _listed(district, street_a, "cases", **{"from": yesterday, "to": yesterday}) == set()
    assert _listed(district, street_a, "cases", category="交通运输") == set()
    # Each case links to its page.
    assert reverse("cases:case", args=[pk["near"]]) in page


def test_the_case_list_is_paged_by_keyset(world: Any, people: dict[str, Any], monkeypatch: Any) -> None:
    cases = _story(world, people)
    from linli.assessment import views
    from linli.cases.queries import keyset

    monkeypatch.setattr(views, "keyset", lambda qs, after: keyset(qs, after, size=2))
    client = _client(people["district"])
    url = reverse("assessment:cases", args=[world.units["street_a"].pk])
    first = client.get(url, {"counter": "cases"}).content.decode()
    found = [int(pk) for pk in re.findall(r'<tr data-case="(\d+)"', first)]
    after = re.search(r'href="(\?[^"]*)" id="next-page"', first)
    assert after and len(found) == 2
    second = client.get(url + after.group(1).replace("&amp;", "&")).content.decode()
    found += [int(pk) for pk in re.findall(r'<tr data-case="(\d+)"', second)]
    assert 'id="next-page"' not in second and 'id="first-page"' in second
    keys = ("satisfied", "basic", "open")
    assert found == sorted((cases[k].pk for k in keys), reverse=True)


def _ranked(client: Any, group: str, **params: str) -> list[tuple[int, str]]:
    response = client.get(reverse("assessment:ranking"), {"group": group, **params})
    assert response.status_code == 200, response.status_code
    return [(int(u), r) for u, r in re.findall(r'<tr data-unit="(\d+)" data-rank="(\d*)"', response.content.decode())]


def test_ranking_by_composite_within_peer_groups_ties_by_volume(world: Any, people: dict[str, Any]) -> None:
    _story(world, people)
    u = world.units
    district = _client(people["district"])
    # Street B: one case, all in time and satisfied (100%); street A: 59%.
    assert _ranked(district, "streets") == [(u["street_b"].pk, "1"), (u["street_a"].pk, "2")]
    # Departments A and B both 100%: A has two cases, B one. The team under A has none: not ranked, last.
    # The western district's department is not A's peer.
    assert _ranked(district, "departments") == [(u["dept_a"].pk, "1"), (u["dept_b"].pk, "2"), (u["dept_a_team"].pk, "")]
    assert [pk for pk, _r in _ranked(district, "communities")] == [u["community_a"].pk, u["community_b"].pk]
    # A street dispatcher ranks the streets of its district, and opens only its own street's page.
    street = _client(people["dispatcher"])
    html = street.get(reverse("assessment:ranking"), {"group": "streets"}).content.decode()
    assert reverse("assessment:unit", args=[u["street_a"].pk]) in html
    assert reverse("assessment:unit", args=[u["street_b"].pk]) not in html
    assert street.get(reverse("assessment:ranking"), {"group": "departments"}).status_code == 403
    # A department's handler ranks the departments.
    handler = _client(people["handler"])
    assert [pk for pk, _r in _ranked(handler, "departments")][:2] == [u["dept_a"].pk, u["dept_b"].pk]
    assert handler.get(reverse("assessment:ranking"), {"group": "streets"}).status_code == 403


def test_equal_composite_and_volume_share_a_rank(world: Any, people: dict[str, Any]) -> None:
    u, resident = world.units, people["resident"]
    for unit, handler in (("dept_a", people["handler"]), ("dept_b", people["other_handler"])):
        case = actions.dispatch_case(
            people["district"], submit(world, resident, text=f"{unit}的诉求路面破损"), unit=u[unit]
        )
        actions.rate(resident, _handle(handler, case), rating="satisfied", resolved=True)
    ranks = dict(_ranked(_client(people["district"]), "departments"))
    assert ranks[u["dept_a"].pk] == ranks[u["dept_b"].pk] == "1"


def test_outsiders_are_kept_out(world: Any, people: dict[str, Any], client: Any) -> None:
    _story(world, people)
    u = world.units
    street_a = reverse("assessment:unit", args=[u["street_a"].pk])
    assert client.get(street_a).status_code == 302  # no session: to the login
    outsider = _client(world.outsiders[Role.STREET_DISPATCHER])
    assert outsider.get(street_a).status_code == 404  # outside its unit scope
    assert outsider.get(reverse("assessment:cases", args=[u["street_a"].pk])).status_code == 404
    street = _client(people["dispatcher"])
    assert (
        street.get(reverse("assessment:unit", args=[u["provider_a"].pk])).status_code == 403
    )  # its unit, not its figures
    assert street.get(reverse("assessment:unit", args=[u["community_a"].pk])).status_code == 200
    assert street.get(reverse("assessment:cases", args=[u["street_a"].pk]), {"counter": "nonsense"}).status_code == 404
    for role in (Role.RESIDENT, Role.GRID_WORKER, Role.SERVICE_PROVIDER, Role.AUDITOR, Role.VOLUNTEER):
        someone = _client(world.users[role])
        for url in (reverse("assessment:index"), street_a, reverse("assessment:ranking"), reverse("assessment:scheme")):
            assert someone.get(url).status_code == 403, (role, url)
    secretary = _client(people["secretary"])
    assert secretary.get(reverse("assessment:unit", args=[u["community_a"].pk])).status_code == 200
    assert secretary.get(street_a).status_code in (403, 404)
    assert secretary.get(reverse("assessment:ranking")).status_code == 403
    district = _client(people["district"])
    assert district.get(reverse("assessment:ranking"), {"group": "provinces"}).status_code == 404
    west = world.places["110102000000"]
    assert district.get(reverse("assessment:ranking"), {"group": "streets", "area": west.pk}).status_code == 404
    assert district.get(reverse("assessment:unit", args=[u["dept_x"].pk])).status_code == 404
    # The nav offers the link to those who read figures only.
    assert 'id="assessment-link"' in street.get(reverse("home")).content.decode()
    assert 'id="assessment-link"' not in _client(world.users[Role.RESIDENT]).get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weight_response": "0.3", "weight_resolution": "0.3", "weight_satisfaction": "0.3"}, "__all__"),
        ({"weight_response": "1.2", "weight_resolution": "0", "weight_satisfaction": "-0.2"}, "weight_response"),
        (
            {"weight_response": "0.3333", "weight_resolution": "0.3333", "weight_satisfaction": "0.3334"},
            "weight_response",
        ),
        ({"weight_response": "三成"}, "weight_response"),
        ({"basic_factor": "1.5"}, "basic_factor"),
        ({"basic_factor": "NaN"}, "basic_factor"),
        ({"name": ""}, "name"),
        ({"name": "<b>方案</b>"}, "name"),
        ({"valid_from": "2000-01-01"}, "valid_from"),
        ({"valid_from": "明天"}, "valid_from"),
    ],
)
def test_a_bad_scheme_is_refused_with_a_reason_and_nothing_written(
    world: Any, people: dict[str, Any], data: dict[str, str], field: str
) -> None:
    good = {
        "name": "方案",
        "weight_response": "0.3",
        "weight_resolution": "0.35",
        "weight_satisfaction": "0.35",
        "basic_factor": "0.8",
    }
    with pytest.raises(ValidationError) as caught:
        set_scheme(people["district"], **{**good, **data})
    assert field in caught.value.message_dict
    assert not Scheme.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ASSESSMENT_SCHEME_SET).exists()


def test_the_scheme_is_set_by_district_command_only_with_one_audit_event(world: Any, people: dict[str, Any]) -> None:
    data = {
        "name": "十八届方案",
        "weight_response": "0.1",
        "weight_resolution": "0.45",
        "weight_satisfaction": "0.4505",  # four decimals: refused
        "basic_factor": "0.6",
        "valid_from": timezone.localdate().isoformat(),
    }
    street = _client(people["dispatcher"])
    assert street.post(reverse("assessment:scheme"), data).status_code == 403
    with pytest.raises(PermissionDenied):
        set_scheme(people["dispatcher"], **{**data, "weight_satisfaction": "0.45"})
    district = _client(people["district"])
    html = district.post(reverse("assessment:scheme"), data).content.decode()
    assert 'data-field="weight_satisfaction"' in html and not Scheme.objects.exists()
    data["weight_satisfaction"] = "0.45"
    assert district.post(reverse("assessment:scheme"), data).status_code == 302
    scheme = Scheme.objects.get()
    assert (scheme.weight_response, scheme.basic_factor) == (Decimal("0.1"), Decimal("0.6"))
    events = AuditEvent.objects.filter(action=AuditAction.ASSESSMENT_SCHEME_SET)
    assert events.count() == 1 and events.get().actor_id == people["district"].pk
    assert "十八届方案" in street.get(reverse("assessment:scheme")).content.decode()  # everyone assessed reads it


def test_the_period_picker() -> None:
    today = datetime.date(2026, 11, 18)  # a Wednesday
    week, quarter = period_of("week", today), period_of("quarter", today)
    assert (week.start, week.end) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert (quarter.start, quarter.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert period_of("month", datetime.date(2028, 2, 10)).end == datetime.date(2028, 2, 29)
    assert PeriodForm({}, today).resolved == period_of("month", today)
    custom = PeriodForm({"from": "2026-01-05", "to": "2026-03-01"}, today).resolved
    assert (custom.kind, custom.start, custom.end) == ("custom", datetime.date(2026, 1, 5), datetime.date(2026, 3, 1))
    for bad in ({"from": "2026-03-01", "to": "2026-01-05"}, {"from": "2024-01-01", "to": "2026-01-01"}, {"on": "x"}):
        form = PeriodForm(bad, today)
        assert not form.is_valid() and form.resolved == period_of("month", today)
    assert period_of("year", today).shifted(-1) == period_of("year", datetime.date(2025, 1, 1))


def test_query_counts_do_not_grow_with_the_group(
    world: Any, people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    _story(world, people)
    district = _client(people["district"])
    district.get(reverse("home"))
    pages = [
        reverse("assessment:unit", args=[world.units["street_a"].pk]),
        reverse("assessment:cases", args=[world.units["street_a"].pk]) + "?counter=cases",
        reverse("assessment:ranking") + "?group=streets",
        reverse("assessment:index"),
    ]
    for url in pages:
        with django_assert_max_num_queries(12):
            assert district.get(url).status_code == 200
    for n in range(12):  # a dozen more streets in the district, each with a case
        unit = Unit.objects.create(code=f"S{n:02d}", name=f"新街道{n}", kind=UnitKind.STREET_OFFICE)
        unit.jurisdiction.set([world.places["110101001000"]])
        case = submit(world, people["resident"], text=f"新街道{n}的诉求：路灯不亮")
        actions.dispatch_case(people["district"], case, unit=unit)
    for url in pages:
        with django_assert_max_num_queries(12):
            assert district.get(url).status_code == 200
    assert len(_ranked(district, "streets")) == 14
