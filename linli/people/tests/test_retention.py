"""Retention: exactly the expired are removed, their counts kept; a dry run writes nothing; a rerun does nothing."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from linli.accounts.choices import Role
from linli.cases.actions import Submission, submit_request
from linli.cases.models import Case
from linli.core import schedule
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people import retention
from linli.people.actions import registry
from linli.people.models import (
    CareRule,
    CareTag,
    CareVisit,
    Consent,
    Household,
    HouseholdMember,
    Ownership,
    PartyMembership,
    Person,
    PurgedCount,
    RetentionRule,
    Tenancy,
)
from linli.people.statistics import years_before
from linli.people.tasks_retention import purge_expired_people

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 6, 15)
COMMUNITY_A = "110101001001"


def _person(place, name, residency, left_on, gender="female", birth="1950-06-16"):
    return Person.objects.create(
        name=name,
        residency=residency,
        place=place,
        left_on=left_on,
        arrived_on=datetime.date(2000, 1, 1),
        gender=gender,
        birth_date=datetime.date.fromisoformat(birth) if birth else None,
    )


@pytest.fixture
def people(world, houses, keeper, settings, tmp_path):
    """Who goes and who stays on TODAY under the seeded rules (registered 10, resident 5, floating 3 years)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    a101, b101 = houses["a101"], houses["b101"]
    edge = years_before(TODAY, 3)  # a floating resident who left exactly 3 years ago stays one more day
    made = {
        "floating_gone": _person(a101, "流动甲", "floating", edge - datetime.timedelta(days=1)),
        "floating_edge": _person(a101, "流动乙", "floating", edge),
        "resident_gone": _person(a101, "常住甲", "resident", datetime.date(2024, 1, 1), gender="male", birth=""),
        "registered_kept": _person(a101, "户籍甲", "registered", datetime.date(2024, 1, 1)),
        "registered_gone": _person(b101, "户籍乙", "registered", datetime.date(2019, 3, 1), birth="2005-03-02"),
        "current": _person(a101, "在住", "floating", None),
    }
    gone = made["floating_gone"]
    household = registry.create_household(keeper, house=a101)
    HouseholdMember.objects.create(household=household, person=gone, relation="head", left_on=edge)
    CareTag.objects.create(person=gone, tag="disabled", source="home_visit", valid_from=datetime.date(2020, 1, 1))
    visit = CareVisit.objects.create(person=gone, visited_at=timezone.now())
    visit.photo.save("visit.jpg", ContentFile(b"\xff\xd8photo"), save=True)
    kept_visit = CareVisit.objects.create(person=made["current"], visited_at=timezone.now())
    kept_visit.photo.save("kept.jpg", ContentFile(b"\xff\xd8kept"), save=True)
    PartyMembership.objects.create(person=gone, organisation="某支部")
    Consent.objects.create(person=gone, purpose="registry", channel="paper", given_on=datetime.date(2020, 1, 1))
    Ownership.objects.create(house=a101, person=gone, share="1")
    Tenancy.objects.create(house=a101, person=gone)
    case, _created = submit_request(
        world.users[Role.RESIDENT],
        Submission(channel="web", title="路灯坏了", body="路灯坏了多日无人修", place=a101, consent=True),
    )
    Case.objects.filter(pk=case.pk).update(reporter_person=gone)
    made["case"] = case
    made["household"] = household
    made["photos"] = (Path(visit.photo.path), Path(kept_visit.photo.path))
    return made


def test_dry_run_counts_and_writes_nothing(people):
    events = AuditEvent.objects.count()
    result = retention.purge(today=TODAY, dry_run=True)
    assert result.by_residency == {"floating": 1, "resident": 1, "registered": 1}
    assert Person.objects.count() == 6 and not PurgedCount.objects.exists()
    assert AuditEvent.objects.count() == events
    assert all(p.exists() for p in people["photos"])


def test_purge_removes_exactly_the_expired_and_keeps_counts(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = retention.purge(today=TODAY, batch=2)  # two batches: the loop, not one lucky query
    assert result.by_residency == {"floating": 1, "resident": 1, "registered": 1} and result.photos == 1
    left = set(Person.objects.values_list("name", flat=True))
    assert left == {"流动乙", "户籍甲", "在住"}
    counts = {
        (c.community.code, c.left_year, c.residency, c.gender, c.age_band): c.count
        for c in PurgedCount.objects.select_related("community")
    }
    edge_year = (years_before(TODAY, 3) - datetime.timedelta(days=1)).year
    assert counts == {
        (COMMUNITY_A, edge_year, "floating", "female", "60-79"): 1,  # 1950-06-16, left 2027-06-14: 76
        (COMMUNITY_A, 2024, "resident", "male", "?"): 1,  # no birth date
        ("110101002001", 2019, "registered", "female", "7-17"): 1,  # 2005-03-02, left 2019-03-01: 13
    }
    # What hung on the person went with them; the household, the house and the case stay.
    gone_rows = (HouseholdMember, CareTag, PartyMembership, Consent, Ownership, Tenancy)
    assert all(not model.objects.exists() for model in gone_rows)
    assert CareVisit.objects.count() == 1
    assert Household.objects.filter(pk=people["household"].pk).exists()
    case = Case.objects.get(pk=people["case"].pk)
    assert case.reporter_person_id is None and case.title == "路灯坏了"
    gone_photo, kept_photo = people["photos"]
    assert not gone_photo.exists() and kept_photo.exists()
    event = AuditEvent.objects.get(action=AuditAction.PERSONS_PURGED)
    assert event.data["total"] == 3 and event.data["by_residency"] == result.by_residency
    text = json.dumps(event.data, ensure_ascii=False) + event.target_repr
    assert not any(name in text for name in ("流动甲", "常住甲", "户籍乙"))


def test_purge_is_idempotent_and_counts_add_up(world, people):
    retention.purge(today=TODAY)
    kept = list(PurgedCount.objects.order_by("pk").values_list("pk", "count"))
    events = AuditEvent.objects.count()
    again = retention.purge(today=TODAY)
    assert again.total == 0 and again.by_residency == {}
    assert list(PurgedCount.objects.order_by("pk").values_list("pk", "count")) == kept
    assert AuditEvent.objects.count() == events
    # Another person with the same key, purged on a later run, adds to the same row.
    _person(people["current"].place, "流动丙", "floating", years_before(TODAY, 3) - datetime.timedelta(days=2))
    retention.purge(today=TODAY)
    row = PurgedCount.objects.get(residency="floating")
    assert row.count == 2 and PurgedCount.objects.count() == 3


def test_rules_come_from_the_table(world, people):
    command = world.users[Role.DISTRICT_COMMAND]
    with pytest.raises(PermissionDenied):
        retention.set_retention_rule(world.users[Role.COMMUNITY_SECRETARY], "registered", 1)
    with pytest.raises(ValidationError):
        retention.set_retention_rule(command, "registered", 0)
    with pytest.raises(ValidationError):
        retention.set_retention_rule(command, "martian", 3)
    retention.set_retention_rule(command, "registered", 5)
    assert RetentionRule.objects.get(residency="registered").keep_years == 5
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_RULE_SET)
    assert event.data == {"residency": "registered", "before": 10, "after": 5}
    assert retention.purge(today=TODAY, dry_run=True).by_residency["registered"] == 2  # 户籍甲 too now


def test_command_prints_counts_per_residency(people):
    out = io.StringIO()
    call_command("purge_people", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    assert "floating (" in lines[2] and lines[2].endswith("would remove 1")
    assert lines[-1] == "total: would remove 3"
    assert Person.objects.count() == 6
    out = io.StringIO()
    call_command("purge_people", "--today", TODAY.isoformat(), stdout=out)
    assert "total: removed 3" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("purge_people", "--today", "15/06/2030")


def test_daily_task_is_registered_and_runs(world, houses):
    job = schedule.jobs()["people.purge"]
    assert job.every() == datetime.timedelta(days=1)
    _person(houses["a101"], "早已离开", "floating", datetime.date(2000, 1, 1))
    assert purge_expired_people.call() == {"floating": 1, "total": 1}
    assert not Person.objects.filter(name="早已离开").exists()


def test_rules_are_edited_in_the_admin_through_the_action(client, world):
    client.force_login(world.admin)
    rule = RetentionRule.objects.get(residency="floating")
    url = reverse("admin:people_retentionrule_change", args=[rule.pk])
    assert client.post(url, {"keep_years": "0"}).status_code == 200  # the form's error, nothing saved
    assert RetentionRule.objects.get(pk=rule.pk).keep_years == 3
    assert client.post(url, {"keep_years": "4"}).status_code == 302
    assert RetentionRule.objects.get(pk=rule.pk).keep_years == 4
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_RULE_SET, actor=world.admin).count() == 1
    care_rule = CareRule.objects.get(tag="disabled")
    care_url = reverse("admin:people_carerule_change", args=[care_rule.pk])
    assert client.post(care_url, {"visit_every_days": "21"}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.CARE_RULE_SET).count() == 1
    assert client.get(reverse("admin:people_retentionrule_add")).status_code == 403
