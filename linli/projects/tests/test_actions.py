"""Every transition of a project package and every refusal, with its timeline and audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import World
from linli.accounts.choices import Role
from linli.core.models import AuditEvent
from linli.projects import actions
from linli.projects.choices import ClaimState, EventKind, ProjectState
from linli.projects.models import Claim, ProgressPhoto, Project, ProjectEvent

from .conftest import GRID_A, in_days, jpeg, make_project

pytestmark = pytest.mark.django_db


def kinds(project: Project) -> list[str]:
    return list(project.events.order_by("pk").values_list("kind", flat=True))


def claim(project: Project, user: Any, org: str = "甲家政公司", budget: str = "4000") -> Claim:
    return actions.submit_claim(user, project, organisation=org, proposal="两周内完成", requested_budget=budget)


def test_create_records_a_draft_with_its_event(draft: Project) -> None:
    assert draft.state == ProjectState.DRAFT
    assert draft.resources == ["焊工", "钢管"]
    assert kinds(draft) == [EventKind.CREATED]
    assert AuditEvent.objects.filter(action="project.changed", target_id=str(draft.pk)).exists()


def test_create_refuses_outsiders_places_above_community_and_past_deadlines(world: World, staff: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_project(world, world.outsiders[Role.COMMUNITY_WORKER])
    with pytest.raises(PermissionDenied):
        make_project(world, world.users[Role.GRID_WORKER])
    with pytest.raises(ValidationError, match=r"社区|community"):
        make_project(world, world.users[Role.DISTRICT_COMMAND], place="110101001000")
    with pytest.raises(ValidationError):
        actions.create_project(staff, title="x", goal="y", place=world.places[GRID_A], deadline=in_days(-1))
    with pytest.raises(ValidationError):
        actions.create_project(staff, title="<b>x</b>", goal="y", place=world.places[GRID_A], deadline=in_days(1))
    assert not Project.objects.exists()


def test_the_open_call_path_to_closed(
    world: World, call: Project, staff: Any, provider: Any, volunteer: Any, resident: Any, media: Any
) -> None:
    first = claim(call, provider)
    second = claim(call, volunteer, org="甲志愿队", budget="3000")
    actions.choose_claim(staff, first)
    for row in (first, second, call):
        row.refresh_from_db()
    assert (first.state, second.state) == (ClaimState.CHOSEN, ClaimState.DECLINED)
    assert (call.state, call.claimant, call.organisation) == (ProjectState.CHOSEN, provider, "甲家政公司")
    actions.start(provider, call)
    actions.report_progress(provider, call, text="材料到场", photos=[jpeg()])
    actions.report_done(provider, call, text="全部完工", photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    call.refresh_from_db()
    assert call.state == ProjectState.DONE
    actions.rate(resident, call, score=4, comment="很好")
    actions.close(staff, call)
    call.refresh_from_db()
    assert call.state == ProjectState.CLOSED
    assert kinds(call) == [
        "created",
        "published",
        "claimed",
        "claimed",
        "chosen",
        "started",
        "progress",
        "done",
        "rated",
        "closed",
    ]
    closed = call.events.get(kind="closed")
    assert closed.payload == {"average": 4.0, "ratings": 1}
    assert (closed.old_state, closed.new_state) == ("done", "closed")
    assert ProgressPhoto.objects.filter(report__project=call).count() == 3


def test_assigned_path(world: World, draft: Project, staff: Any, volunteer: Any) -> None:
    actions.assign_project(staff, draft, volunteer, "甲志愿队")
    draft.refresh_from_db()
    assert (draft.state, draft.claimant) == (ProjectState.ASSIGNED, volunteer)
    with pytest.raises(PermissionDenied):
        actions.start(world.users[Role.SERVICE_PROVIDER], draft)
    actions.start(volunteer, draft)
    assert kinds(draft)[-2:] == ["assigned", "started"]


@pytest.mark.parametrize("step", ["publish", "assign"])
def test_only_drafts_publish_or_assign(call: Project, staff: Any, volunteer: Any, step: str) -> None:
    with pytest.raises(ValidationError):
        if step == "publish":
            actions.publish_call(staff, call)
        else:
            actions.assign_project(staff, call, volunteer, "队")


def test_claims_refused(world: World, draft: Project, call: Any, staff: Any, provider: Any, volunteer: Any) -> None:
    with pytest.raises(PermissionDenied):
        claim(call, world.users[Role.RESIDENT])
    with pytest.raises(PermissionDenied):
        claim(call, staff)
    with pytest.raises(ValidationError):
        claim(call, provider, budget="99999")  # over the project's budget
    claim(call, provider)
    with pytest.raises(ValidationError, match=r"已经|already"):
        claim(call, provider)
    other = make_project(world, staff, title="草稿")
    with pytest.raises(PermissionDenied):  # a draft is not visible to claimants
        claim(other, volunteer)


def test_choose_refusals(world: World, call: Project, staff: Any, provider: Any, volunteer: Any) -> None:
    c = claim(call, provider)
    with pytest.raises(PermissionDenied):
        actions.choose_claim(world.outsiders[Role.COMMUNITY_WORKER], c)
    with pytest.raises(PermissionDenied):
        actions.choose_claim(provider, c)
    actions.choose_claim(staff, c)
    with pytest.raises(ValidationError):
        actions.choose_claim(staff, c)


def test_reporting_refusals(call: Project, staff: Any, provider: Any, volunteer: Any, media: Any) -> None:
    c = claim(call, provider)
    with pytest.raises(PermissionDenied):
        actions.start(provider, call)  # not chosen yet
    actions.choose_claim(staff, c)
    with pytest.raises(ValidationError):
        actions.report_progress(provider, call, text="早了")  # not started
    actions.start(provider, call)
    with pytest.raises(PermissionDenied):
        actions.report_progress(volunteer, call, text="我不是")
    with pytest.raises(ValidationError):
        actions.report_progress(provider, call, text="七张", photos=[jpeg() for _ in range(7)])
    with pytest.raises(ValidationError):
        actions.report_progress(provider, call, text="坏图", photos=[b"not an image"])
    assert not call.reports.exists()
    with pytest.raises(ValidationError):
        actions.close(staff, call)  # not done


def test_photos_are_stripped_of_exif(call: Project, staff: Any, provider: Any, media: Any) -> None:
    actions.choose_claim(staff, claim(call, provider))
    actions.start(provider, call)
    actions.report_progress(provider, call, text="图", photos=[jpeg()])
    stored = ProgressPhoto.objects.get()
    from PIL import Image

    with stored.file.open("rb") as fh:
        image = Image.open(fh)
        assert not image.getexif()


def test_rating_rules(world: World, call: Project, staff: Any, provider: Any, resident: Any, media: Any) -> None:
    actions.choose_claim(staff, claim(call, provider))
    actions.start(provider, call)
    with pytest.raises(ValidationError):
        actions.rate(resident, call, score=5)  # not done yet
    actions.report_done(provider, call, text="完工")
    with pytest.raises(PermissionDenied):
        actions.rate(world.outsiders[Role.RESIDENT], call, score=5)  # no registry record here
    with pytest.raises(PermissionDenied):
        actions.rate(staff, call, score=5)
    with pytest.raises(ValidationError):
        actions.rate(resident, call, score=6)
    actions.rate(resident, call, score=3)
    with pytest.raises(ValidationError):
        actions.rate(resident, call, score=5)  # once
    assert call.ratings.count() == 1


def test_rating_needs_the_residents_record_under_the_place(
    world: World, staff: Any, provider: Any, resident: Any
) -> None:
    elsewhere = make_project(world, staff, place="110101001001002")  # grid 2: the resident lives in grid 1
    actions.assign_project(staff, elsewhere, provider, "甲家政")
    actions.start(provider, elsewhere)
    actions.report_done(provider, elsewhere, text="完工")
    with pytest.raises(PermissionDenied):
        actions.rate(resident, elsewhere, score=5)


def test_cancel(call: Project, staff: Any, provider: Any) -> None:
    c = claim(call, provider)
    with pytest.raises(ValidationError):
        actions.cancel(staff, call, reason="  ")
    actions.cancel(staff, call, reason="经费未到位")
    call.refresh_from_db()
    c.refresh_from_db()
    assert (call.state, c.state) == (ProjectState.CANCELLED, ClaimState.DECLINED)
    event = call.events.get(kind="cancelled")
    assert event.payload == {"reason": "经费未到位"} and event.old_state == "published"
    with pytest.raises(ValidationError):
        actions.cancel(staff, call, reason="again")


def test_events_are_append_only(draft: Project) -> None:
    event = ProjectEvent.objects.get()
    with pytest.raises(RuntimeError):
        event.save()


def test_chosen_claimant_is_told(call: Project, staff: Any, provider: Any, volunteer: Any) -> None:
    from linli.notices.models import Notice

    c = claim(call, provider)
    claim(call, volunteer, org="队")
    actions.choose_claim(staff, c)
    assert Notice.objects.filter(recipient=provider).exists()
    assert Notice.objects.filter(recipient=volunteer).exists()


@pytest.mark.parametrize("who", ["grid_worker", "community_worker", "resident", "expired", "inactive", "root"])
def test_assign_only_to_a_provider_or_volunteer(world: World, draft: Project, staff: Any, who: str) -> None:
    """组织委派 gives the project only to whom could have claimed it: not a colleague, a resident, an account
    whose grant has ended, a deactivated one or the superuser, though staff can type any username."""
    users = {
        "grid_worker": world.users[Role.GRID_WORKER],
        "community_worker": world.outsiders[Role.COMMUNITY_WORKER],
        "resident": world.users[Role.RESIDENT],
        "expired": world.extras["expired"],
        "inactive": world.extras["inactive"],
        "root": world.admin,
    }
    with pytest.raises(ValidationError):
        actions.assign_project(staff, draft, users[who], "某单位")
    draft.refresh_from_db()
    assert (draft.state, draft.claimant_id) == (ProjectState.DRAFT, None)
    assert kinds(draft) == ["created"]


def test_assign_to_a_provider_of_another_side(world: World, draft: Project, staff: Any) -> None:
    """A provider's grant is on its unit, wherever that is: side B's provider may be given side A's project."""
    actions.assign_project(staff, draft, world.outsiders[Role.SERVICE_PROVIDER], "乙家政")
    draft.refresh_from_db()
    assert draft.claimant == world.outsiders[Role.SERVICE_PROVIDER]


def test_assign_refuses_a_claimant_whose_grant_ended(world: World, draft: Project, staff: Any, volunteer: Any) -> None:
    from django.utils import timezone

    from linli.accounts.models import Grant

    Grant.objects.filter(user=volunteer).update(valid_to=timezone.now())
    with pytest.raises(ValidationError):
        actions.assign_project(staff, draft, volunteer, "甲志愿队")
