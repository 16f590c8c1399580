"""Volunteer suggestions read from the database and shown on the organiser's sign-up list: the ranking
end to end (skills, home, project ratings, attendance), who is left out, who sees the suggestions, inert
names, and a query count that does not grow with the number of volunteers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.choices import Role
from linli.people.actions.registry import register_person
from linli.projects.models import Project, Rating
from linli.volunteers.actions.volunteers import record_certificate, register_volunteer
from linli.volunteers.choices import SignupState, VolunteerState
from linli.volunteers.matching import suggest_for_activity
from linli.volunteers.models import Signup, Skill, Volunteer

from .conftest import BUILDING_A

pytestmark = pytest.mark.django_db

GRID_A2 = "110101001001002"


def enrol(town: Any, name: str, place: str = BUILDING_A, **fields: Any) -> Volunteer:
    person = register_person(town.keeper, place=town.world.places[place], name=name, residency="resident")
    return register_volunteer(town.keeper, person, **fields)


def rate(town: Any, volunteer: Volunteer, scores: list[int]) -> None:
    """Projects the volunteer's account carried out, rated by residents (written directly: the fixture)."""
    world = town.world
    for n, score in enumerate(scores):
        project = Project.objects.create(
            title=f"项目{n}",
            goal="目标",
            place=town.community,
            deadline=timezone.localdate(),
            state="closed",
            claimant=volunteer.user,
        )
        Rating.objects.create(project=project, rater=world.users[Role.RESIDENT], score=score)


@pytest.fixture
def first_aid() -> Skill:
    return Skill.objects.get_or_create(name="急救")[0]


def test_better_volunteer_ranks_first_end_to_end(town: Any, first_aid: Skill, world: Any) -> None:
    good = enrol(town, "甲好", skills=[first_aid])
    good.user = world.users[Role.VOLUNTEER]
    good.save()
    rate(town, good, [5, 5, 4])
    poor = enrol(town, "乙差", place=GRID_A2)
    past = town.activity(title="往期活动", start_in=-60 * 24 * 3)
    Signup.objects.create(activity=past, volunteer=good, state=SignupState.DONE, minutes=120)
    Signup.objects.create(activity=past, volunteer=poor, state=SignupState.NO_SHOW)
    activity = town.activity(place=town.building, skills=[first_aid])
    ranked = suggest_for_activity(town.keeper, activity)
    assert [s.volunteer.pk for s in ranked.suggestions] == [good.pk, poor.pk]
    reasons = ranked.suggestions[0].reasons
    assert "Skills: 急救" in reasons and "Lives in 1号楼" in reasons
    assert "Past rating 4.7 (3 times)" in reasons and "Attended 1 of 1, 2 hours served" in reasons
    assert "Lacks: 急救" in ranked.suggestions[1].reasons
    assert "Same community: 甲一社区居委会" in ranked.suggestions[1].reasons


def test_left_out_inactive_signed_up_and_uncertified(town: Any, first_aid: Skill) -> None:
    signed = enrol(town, "甲报名")
    missing = enrol(town, "戊无证")
    ended = enrol(town, "乙退出")
    Volunteer.objects.filter(pk=ended.pk).update(state=VolunteerState.ENDED)
    expired = enrol(town, "丙过期")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    record_certificate(town.keeper, expired, kind="first_aid", expires_on=yesterday)
    certified = enrol(town, "丁有证")
    record_certificate(town.keeper, certified, kind="first_aid", expires_on=yesterday + datetime.timedelta(days=400))
    activity = town.activity(certificates=["first_aid"])
    Signup.objects.create(activity=activity, volunteer=signed, state=SignupState.APPLIED)
    ranked = suggest_for_activity(town.keeper, activity)
    assert [s.volunteer.pk for s in ranked.suggestions] == [certified.pk]
    excluded = {s.volunteer.pk: s.reasons for s in ranked.excluded}
    assert excluded[expired.pk] == ["Certificate expired: First aid"]
    assert excluded[missing.pk] == ["Certificate missing: First aid"]
    assert signed.pk not in excluded and ended.pk not in excluded


def test_roster_shows_suggestions_with_reasons_to_the_organiser_only(
    town: Any, first_aid: Skill, world: Any, client: Any
) -> None:
    enrol(town, "甲志愿者", skills=[first_aid])
    activity = town.activity(place=town.building, skills=[first_aid])
    url = f"/volunteers/activities/{activity.pk}/signups/"
    client.force_login(town.keeper)
    page = client.get(url).content.decode()
    assert 'id="volunteer-suggestions"' in page and "甲志愿者" in page
    assert "Skills: 急救" in page or "技能匹配：急救" in page
    client.force_login(world.outsiders[Role.COMMUNITY_WORKER])
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.GRID_WORKER])  # reads the activity, may not organise it
    response = client.get(url)
    assert response.status_code == 403 and "甲志愿者" not in response.content.decode()


def test_hostile_skill_name_stays_inert(town: Any, client: Any) -> None:
    hostile = Skill.objects.create(name='<script>alert("x")</script>')
    enrol(town, "甲志愿者", skills=[hostile])
    activity = town.activity(skills=[hostile])
    client.force_login(town.keeper)
    page = client.get(f"/volunteers/activities/{activity.pk}/signups/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_query_count_does_not_grow_with_volunteers(town: Any, first_aid: Skill, client: Any) -> None:
    activity = town.activity(skills=[first_aid], certificates=["first_aid"])
    url = f"/volunteers/activities/{activity.pk}/signups/"
    client.force_login(town.keeper)

    def count() -> int:
        client.get(url)  # warm the scope caches of the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    enrol(town, "甲一", skills=[first_aid])
    few = count()
    for n in range(6):
        v = enrol(town, f"乙{n}", skills=[first_aid], availability=["5am"])
        record_certificate(town.keeper, v, kind="first_aid")
    assert count() == few
    assert few <= 20, few


def test_a_sensitive_record_is_placed_at_its_community(town: Any) -> None:
    person = register_person(
        town.keeper, place=town.building, name="甲保护", residency="resident", marked_sensitive=True
    )
    register_volunteer(town.keeper, person)
    ranked = suggest_for_activity(town.keeper, town.activity(place=town.building))
    reasons = ranked.suggestions[0].reasons
    assert "Same community: 甲一社区居委会" in reasons and not any("1号楼" in r for r in reasons)
    assert "甲保护" not in ranked.suggestions[0].name
