"""The resident's preview (who will handle it, by when) against what routing then really does, and the
duplicate candidates the hotline is shown while typing."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from linli.cases.actions.routing import route_case
from linli.cases.choices import CaseState
from linli.cases.deadlines import due_moments
from linli.cases.duplicates import duplicate_candidates
from linli.cases.models import Case
from linli.cases.preview import preview
from linli.dispatch.models import DispatchDecision
from linli.dispatch.training import Examples, read_labelled_csv
from linli.orgs.deadlines import parse_spec
from linli.orgs.models import Matter
from linli.worktime.clock import deadline

from .conftest import BUILDING_A, submit

pytestmark = pytest.mark.django_db

ROAD_TEXT = ("小区门口路面脏", "道路保洁不及时，路面垃圾很多，路面脏")


def test_unsure_engine_promises_a_dispatcher_within_the_routing_time(world: Any) -> None:
    now = timezone.now()
    promise = preview(*ROAD_TEXT, place=world.places[BUILDING_A], now=now)
    assert not promise["sure"] and promise["unit"] is None
    route_by = deadline(now, parse_spec("2h"))
    assert promise["route_by"] == route_by and promise["route_within"] == "2小时"
    assert (promise["contact_due"], promise["handle_due"]) == due_moments(route_by, None, "normal", None)
    assert promise["place"] == world.places[BUILDING_A] and promise["reasons"]
    assert DispatchDecision.objects.count() == 0, "a preview never stores a decision"


def test_urgency_shortens_the_promise(world: Any) -> None:
    now = timezone.now()
    normal = preview(*ROAD_TEXT, place=world.places[BUILDING_A], now=now)
    urgent = preview(*ROAD_TEXT, place=world.places[BUILDING_A], now=now, urgency="urgent")
    assert urgent["handle_due"] and normal["handle_due"]
    assert urgent["handle_due"] < normal["handle_due"] and urgent["handle_within"] == "1个工作日"


def _sample(per_class: int, offset: int = 0) -> Examples:
    taken: dict[str, int] = {}
    out = Examples([], [], [])
    rows = read_labelled_csv(Path(settings.DISPATCH_BASE_TRAINING), split="train")
    for title, body, label in zip(rows.titles, rows.bodies, rows.labels, strict=True):
        seen = taken.get(label, 0)
        taken[label] = seen + 1
        if offset <= seen < offset + per_class:
            out.titles.append(title)
            out.bodies.append(body)
            out.labels.append(label)
    return out


@pytest.fixture(scope="module")
def fitted() -> Any:
    from linli.dispatch.textmodel import TextClassifier

    train = _sample(40)
    return TextClassifier().fit(train.titles, train.bodies, train.labels)


@pytest.fixture
def sure_engine(world: Any, matter: Any, settings: Any, tmp_path: Path, fitted: Any) -> Any:
    """An active model and a threshold every decision clears: the engine is sure whenever it finds a unit."""
    from linli.dispatch import actions, registry

    settings.DISPATCH_MODEL_DIR = tmp_path / "models"
    settings.DISPATCH_MODEL_CHECK_SECONDS = 0
    settings.DISPATCH_AUTO_THRESHOLD = 0.01
    registry.forget()
    registry._state.update(row=None, classifier=None)
    return actions.train_candidate(
        None, train=_sample(40), held_out=_sample(10, offset=40), note="intake", fit=lambda _examples: fitted
    )


def test_a_sure_promise_is_what_routing_then_does(world: Any, people: dict, sure_engine: Any) -> None:
    now = timezone.now()
    promise = preview(*ROAD_TEXT, place=world.places[BUILDING_A], now=now)
    assert promise["sure"] and promise["unit"] is not None and promise["route_by"] is None
    assert promise["contact_due"] == due_moments(now, promise["matter"], "normal", promise["unit"])[0]
    case = submit(world, people["resident"], ROAD_TEXT[1], title=ROAD_TEXT[0])
    routed = route_case(case.pk)
    assert routed.state == CaseState.DISPATCHED and routed.lead_unit == promise["unit"]


# --------------------------------------------------------------------------------------------------
# Duplicates


def test_duplicates_are_open_alike_recent_and_at_the_same_street(world: Any, people: dict) -> None:
    here = world.places[BUILDING_A]
    alike = submit(world, people["resident"], "小区门口路面脏乱，垃圾堆放多日无人清理")
    other_text = submit(world, people["resident"], "楼下夜间施工噪音扰民")
    other_street = submit(
        world, people["resident"], "小区门口路面脏乱，垃圾堆放多日无人清理", place=world.places["110101002001001E01B01"]
    )
    old = submit(world, people["resident"], "小区门口路面脏乱，垃圾堆放多日无人清理")
    Case.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS + 1)
    )
    closed = submit(world, people["resident"], "小区门口路面脏乱，垃圾堆放多日无人清理")
    Case.objects.filter(pk=closed.pk).update(state=CaseState.CLOSED)
    found = duplicate_candidates("小区门口垃圾堆放好几天了没人清理", here, None, people["dispatcher"])
    ids = [c.case.pk for c in found]
    assert ids == [alike.pk], (ids, other_text.pk, other_street.pk, old.pk, closed.pk)
    assert 0.2 <= found[0].score <= 1
    assert (
        duplicate_candidates("小区门口垃圾堆放好几天了没人清理", here, None, world.outsiders["street_dispatcher"]) == []
    )


def test_another_matter_is_not_a_duplicate(world: Any, people: dict, matter: Any) -> None:
    case = submit(world, people["resident"], "小区门口路面脏乱，垃圾堆放多日无人清理")
    Case.objects.filter(pk=case.pk).update(matter=matter)
    text = "小区门口垃圾堆放好几天了没人清理"
    assert duplicate_candidates(text, world.places[BUILDING_A], matter, people["dispatcher"])[0].case == case
    other = Matter.objects.create(code="M09999", name="其他事项", category="城乡建设", owner_level="street")
    assert duplicate_candidates(text, world.places[BUILDING_A], other, people["dispatcher"]) == []
