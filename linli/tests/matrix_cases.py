"""The closed loop's part of the matrix world: cases on each side, made through linli.cases.actions only, so
that every clause of the case scope (own request, place, unit given the work, whistle, child unit, another
district) and every kind of case part has rows to probe. Used by conftest's `matrix_world`.

| key      | reporter / entered by  | place                 | what happened                                             |
|----------|------------------------|-----------------------|-----------------------------------------------------------|
| a_own    | resident A (web)       | building in A grid 1  | dispatched to dept_a, co dept_b; accepted; extension asked; one photo |
| b_own    | resident B (web)       | building in B         | dispatched to dept_b, co provider_b; whistle to dept_a    |
| a_vol    | volunteer A (web)      | A grid 2              | dispatched to provider_a, which returned it               |
| a_team   | street A (hotline)     | A community           | dispatched to dept_b, then re-dispatched to dept_a's team |
| a_found  | grid A (grid report)   | A grid 1              | not dispatched                                            |
| a_street | district A (hotline)   | estate in A grid 1    | dispatched to the street office A                         |
| x_case   | district X (hotline)   | estate in 西城区      | dispatched to dept_x                                      |
| multi_b  | the two-hat user (web) | B community           | not dispatched: read only as the user's own request      |

Every dispatch writes its case's assessment fact and the day rows of its unit and grid (the fold listens to
the timeline), so the assessment figures have rows on each side too; district A sets a scheme.
"""

from __future__ import annotations

import io
from typing import Any

from linli.accounts.choices import Role
from linli.cases import actions
from linli.cases.actions import Submission, submit_request
from linli.cases.models import Case, DeadlineRule

BUILDING_A = "110101001001001E01B01"
BUILDING_B = "110101002001001E01B01"
GRID_A1 = "110101001001001"
GRID_A2 = "110101001001002"
COMMUNITY_A = "110101001001"
COMMUNITY_B = "110101002001"
ESTATE_A = "110101001001001E01"
ESTATE_X = "110102001001001E01"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def _submit(world: Any, who: Any, channel: str, title: str, code: str, **extra: Any) -> Case:
    sub = Submission(channel=channel, title=title, body=f"{title}：路面破损多日无人处理", place=world.places[code])
    sub.consent = channel == "web"
    for name, value in extra.items():
        setattr(sub, name, value)
    case, created = submit_request(who, sub)
    assert created
    return case


def make_cases(world: Any) -> dict[str, Case]:
    users, outsiders, units = world.users, world.outsiders, world.units
    street_a, street_b = users[Role.STREET_DISPATCHER], outsiders[Role.STREET_DISPATCHER]
    district_a, district_x = users[Role.DISTRICT_COMMAND], outsiders[Role.DISTRICT_COMMAND]
    cases: dict[str, Case] = {}

    case = _submit(world, users[Role.RESIDENT], "web", "矩阵甲民案", BUILDING_A, photos=[_png()])
    case = actions.dispatch_case(street_a, case, unit=units["dept_a"], co_units=[units["dept_b"]])
    case = actions.accept(users[Role.DEPARTMENT_HANDLER], case)
    actions.request_approval(users[Role.DEPARTMENT_HANDLER], case, kind="extension", working_days=3, reason="需协调")
    cases["a_own"] = case

    case = _submit(world, outsiders[Role.RESIDENT], "web", "矩阵乙民案", BUILDING_B)
    case = actions.dispatch_case(street_b, case, unit=units["dept_b"], co_units=[units["provider_b"]])
    actions.blow_whistle(street_b, case, units=[units["dept_a"]], note="联合处置")
    cases["b_own"] = case

    case = _submit(world, users[Role.VOLUNTEER], "web", "矩阵甲志愿案", GRID_A2)
    case = actions.dispatch_case(street_a, case, unit=units["provider_a"])
    actions.return_case(users[Role.SERVICE_PROVIDER], case, reason="not_our_duty", explanation="不属于家政服务")
    cases["a_vol"] = case

    case = _submit(world, street_a, "hotline", "矩阵甲热线案", COMMUNITY_A)
    case = actions.dispatch_case(street_a, case, unit=units["dept_b"])
    cases["a_team"] = actions.dispatch_case(street_a, case, unit=units["dept_a_team"])

    cases["a_found"] = _submit(world, users[Role.GRID_WORKER], "grid", "矩阵甲发现案", GRID_A1)

    case = _submit(world, district_a, "hotline", "矩阵甲街道案", ESTATE_A)
    cases["a_street"] = actions.dispatch_case(district_a, case, unit=units["street_a"])

    case = _submit(world, district_x, "hotline", "矩阵丙区案", ESTATE_X)
    cases["x_case"] = actions.dispatch_case(district_x, case, unit=units["dept_x"])

    cases["multi_b"] = _submit(world, world.extras["multi"], "web", "矩阵多帽案", COMMUNITY_B)

    # A deadline setting: a catalogue row like the responsibility list's.
    DeadlineRule.objects.create(urgency="urgent", unit_kind="district_department", contact="2h", handle="3wd")
    # An assessment scheme, another catalogue (the dispatches above have written the facts and day rows).
    from linli.assessment.actions import set_scheme

    weights = {"weight_response": "0.2", "weight_resolution": "0.4", "weight_satisfaction": "0.4"}
    set_scheme(district_a, name="矩阵考核方案", basic_factor="0.6", **weights)
    return {key: Case.objects.get(pk=c.pk) for key, c in cases.items()}
