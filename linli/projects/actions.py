"""Every write to project packages: views, the demo and tests call these. Each action checks its named
predicate, locks the project, changes its state along the allowed path, appends one timeline event and one
audit event; notices go out once the transaction commits (linli.notices.notify defers delivery)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    PROJECT_CLAIMANTS,
    can_claim_project,
    can_manage_projects,
    can_rate_project,
    can_report_on_project,
)
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.photos import check_photos
from linli.core.validation import check_plain_text
from linli.notices.actions import notify

from . import events
from .choices import CANCELLABLE, MAX_PROGRESS_PHOTOS, PROJECT_LEVELS, ClaimState, ProjectState
from .models import Claim, ProgressPhoto, ProgressReport, Project, Rating

S = ProjectState
MAX_BUDGET = Decimal("100000000")


def _text(value: str, field: str, limit: int, required: bool = True) -> str:
    value = check_plain_text((value or "").strip())
    if required and not value:
        raise ValidationError({field: [_("This field is required")]})
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(limit)d characters") % {"limit": limit}]})
    return value


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter an amount in yuan")]}) from None
    if amount < 0 or amount >= MAX_BUDGET:
        raise ValidationError({field: [_("Enter an amount in yuan")]})
    return amount


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("place").get(pk=project.pk)


def _managed(actor: Any, project: Project) -> Project:
    project = _lock(project)
    if not can_manage_projects(actor, project.place):
        raise PermissionDenied(_("You may not manage this project"))
    return project


def _require(project: Project, states: Sequence[str], message: str) -> None:
    if project.state not in states:
        raise ValidationError(message)


def _audit(actor: Any, project: Project, step: str, **data: Any) -> None:
    audit.record(AuditAction.PROJECT_CHANGED, actor=actor, target=project, data={"step": step, **data})


def _tell(user: Any, project: Project, title: str) -> None:
    if user is not None:
        notify(user, kind="general", title=title, body=project.title, link=f"/projects/{project.pk}/")


@transaction.atomic
def create_project(
    actor: Any,
    *,
    title: str,
    goal: str,
    place: Any,
    deadline: datetime.date,
    budget: Any = 0,
    need: str = "",
    resources: Sequence[str] = (),
    source_case: Any = None,
    source_ref: str | None = None,
) -> Project:
    if place is None or not can_manage_projects(actor, place):
        raise PermissionDenied(_("You may not create projects here"))
    if place.level not in PROJECT_LEVELS:
        raise ValidationError({"place": [_("A project is placed at a community or below")]})
    if deadline is None or deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past")]})
    items = [_text(r, "resources", 100) for r in resources if (r or "").strip()][:20]
    project = Project.objects.create(
        title=_text(title, "title", 120),
        goal=_text(goal, "goal", 3000),
        need=_text(need, "need", 2000, required=False),
        place=place,
        deadline=deadline,
        budget=_money(budget, "budget"),
        resources=items,
        source_case=source_case,
        source_ref=(source_ref or None),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    events.created(project, actor)
    _audit(actor, project, "created")
    return project


@transaction.atomic
def publish_call(actor: Any, project: Project) -> Project:
    """自主揭榜: the project becomes an open call that organisations and volunteer teams may claim."""
    project = _managed(actor, project)
    _require(project, [S.DRAFT], _("Only a draft can be published as an open call"))
    if project.deadline < timezone.localdate():
        raise ValidationError(_("The deadline has passed: set a new one before publishing"))
    old, project.state, project.published_at = project.state, S.PUBLISHED, timezone.now()
    project.save(update_fields=["state", "published_at"])
    events.published(project, actor, old)
    _audit(actor, project, "published")
    return project


def may_carry_out(user: Any) -> bool:
    """A project is given (组织委派) only to whom could have claimed it: an active account holding a service
    provider's or volunteer's grant in force — not to any account whose username the staff can type."""
    from linli.accounts.models import Grant

    return bool(user.is_active) and Grant.objects.active().filter(user_id=user.pk, role__in=PROJECT_CLAIMANTS).exists()


@transaction.atomic
def assign_project(actor: Any, project: Project, claimant_user: Any, organisation: str) -> Project:
    """组织委派: the community gives the project to an organisation directly, without a call."""
    project = _managed(actor, project)
    _require(project, [S.DRAFT], _("Only a draft can be assigned"))
    if claimant_user is None or not may_carry_out(claimant_user):
        # One message whatever the reason, so that the form tells nobody which usernames exist.
        raise ValidationError({"claimant": [_("Choose an active user to carry out the project")]})
    old, project.state = project.state, S.ASSIGNED
    project.claimant, project.organisation = claimant_user, _text(organisation, "organisation", 120)
    project.save(update_fields=["state", "claimant", "organisation"])
    events.assigned(project, actor, old)
    _audit(actor, project, "assigned", claimant=claimant_user.pk)
    _tell(claimant_user, project, _("A project was assigned to you"))
    return project


@transaction.atomic
def submit_claim(actor: Any, project: Project, *, organisation: str, proposal: str, requested_budget: Any) -> Claim:
    project = _lock(project)
    if not can_claim_project(actor, project):
        raise PermissionDenied(_("Only service providers and volunteer teams may claim projects"))
    _require(project, [S.PUBLISHED], _("This project is not an open call"))
    if project.deadline < timezone.localdate():
        raise ValidationError(_("The open call has passed its deadline"))
    if project.claims.filter(claimant=actor).exists():
        raise ValidationError(_("You have already claimed this project"))
    amount = _money(requested_budget, "requested_budget")
    if amount > project.budget:
        raise ValidationError({"requested_budget": [_("The requested budget exceeds the project's budget")]})
    claim = Claim.objects.create(
        project=project,
        claimant=actor,
        organisation=_text(organisation, "organisation", 120),
        proposal=_text(proposal, "proposal", 3000),
        requested_budget=amount,
    )
    events.claimed(project, actor, claim)
    _audit(actor, project, "claimed", claim=claim.pk)
    _tell(project.created_by, project, _("A new claim on your open call"))
    return claim


@transaction.atomic
def choose_claim(actor: Any, claim: Claim) -> Claim:
    """The community picks one claim; every other claim on the project is declined."""
    project = _managed(actor, claim.project)
    _require(project, [S.PUBLISHED], _("A claim can be chosen only while the call is open"))
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.state != ClaimState.SUBMITTED:
        raise ValidationError(_("This claim is no longer open"))
    others = list(project.claims.select_for_update().exclude(pk=claim.pk).filter(state=ClaimState.SUBMITTED))
    Claim.objects.filter(pk__in=[c.pk for c in others]).update(state=ClaimState.DECLINED)
    claim.state = ClaimState.CHOSEN
    claim.save(update_fields=["state"])
    old, project.state = project.state, S.CHOSEN
    project.claimant, project.organisation = claim.claimant, claim.organisation
    project.save(update_fields=["state", "claimant", "organisation"])
    events.chosen(project, actor, old, claim, len(others))
    _audit(actor, project, "chosen", claim=claim.pk)
    _tell(claim.claimant, project, _("Your claim was chosen"))
    for other in others:
        _tell(other.claimant, project, _("Your claim was not chosen"))
    return claim


@transaction.atomic
def start(actor: Any, project: Project) -> Project:
    project = _lock(project)
    if not can_report_on_project(actor, project):
        raise PermissionDenied(_("Only the chosen claimant may report on this project"))
    _require(project, [S.ASSIGNED, S.CHOSEN], _("Work can start only once a claimant is chosen or assigned"))
    old, project.state = project.state, S.IN_PROGRESS
    project.save(update_fields=["state"])
    events.started(project, actor, old)
    _audit(actor, project, "started")
    return project


def _store(report: ProgressReport, photos: Sequence[IO[bytes] | bytes]) -> int:
    if len(photos) > MAX_PROGRESS_PHOTOS:
        raise ValidationError(_("At most %(limit)d photos per report") % {"limit": MAX_PROGRESS_PHOTOS})
    clean = check_photos(photos) if photos else []
    for n, photo in enumerate(clean, start=1):
        digest = hashlib.sha256(photo.content).hexdigest()
        stored = ProgressPhoto(
            report=report, content_type=photo.content_type, width=photo.width, height=photo.height, sha256=digest
        )
        stored.file.save(f"{report.pk}-{n}{photo.extension}", ContentFile(photo.content), save=True)
    return len(clean)


def _report(actor: Any, project: Project, text: str, photos: Sequence[Any], final: bool) -> ProgressReport:
    if not can_report_on_project(actor, project):
        raise PermissionDenied(_("Only the chosen claimant may report on this project"))
    _require(project, [S.IN_PROGRESS], _("Progress is reported while the work is in progress"))
    if len(photos) > MAX_PROGRESS_PHOTOS:  # refused before anything is stored
        raise ValidationError(_("At most %(limit)d photos per report") % {"limit": MAX_PROGRESS_PHOTOS})
    report = ProgressReport.objects.create(project=project, author=actor, text=_text(text, "text", 3000), final=final)
    report.photo_count = _store(report, list(photos))  # type: ignore[attr-defined]
    return report


@transaction.atomic
def report_progress(actor: Any, project: Project, *, text: str, photos: Sequence[Any] = ()) -> ProgressReport:
    project = _lock(project)
    report = _report(actor, project, text, photos, final=False)
    events.progress(project, actor, report.pk, report.photo_count)  # type: ignore[attr-defined]
    _audit(actor, project, "progress", report=report.pk)
    return report


@transaction.atomic
def report_done(actor: Any, project: Project, *, text: str, photos: Sequence[Any] = ()) -> ProgressReport:
    project = _lock(project)
    report = _report(actor, project, text, photos, final=True)
    old, project.state, project.done_at = project.state, S.DONE, timezone.now()
    project.save(update_fields=["state", "done_at"])
    events.done(project, actor, old, report.pk, report.photo_count)  # type: ignore[attr-defined]
    _audit(actor, project, "done", report=report.pk)
    _tell(project.created_by, project, _("A project was reported done: confirm and close it"))
    return report


@transaction.atomic
def rate(actor: Any, project: Project, *, score: Any, comment: str = "") -> Rating:
    project = _lock(project)
    if not can_rate_project(actor, project):
        raise PermissionDenied(_("Only residents of the project's place may rate it"))
    _require(project, [S.DONE], _("A project is rated once it is reported done"))
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"score": [_("Give a score from 1 to 5")]})
    if project.ratings.filter(rater=actor).exists():
        raise ValidationError(_("You have already rated this project"))
    rating = Rating.objects.create(
        project=project, rater=actor, score=value, comment=_text(comment, "comment", 1000, required=False)
    )
    events.rated(project, actor, value)
    _audit(actor, project, "rated", score=value)
    return rating


def rating_summary(project: Project) -> tuple[float | None, int]:
    row = project.ratings.aggregate(average=Avg("score"), count=Count("pk"))
    average = round(float(row["average"]), 2) if row["average"] is not None else None
    return average, int(row["count"])


@transaction.atomic
def close(actor: Any, project: Project) -> Project:
    """The community confirms the result: the project closes with its residents' average rating."""
    project = _managed(actor, project)
    _require(project, [S.DONE], _("Only a project reported done can be closed"))
    average, count = rating_summary(project)
    old, project.state, project.closed_at = project.state, S.CLOSED, timezone.now()
    project.save(update_fields=["state", "closed_at"])
    events.closed(project, actor, old, average, count)
    _audit(actor, project, "closed", average=average, ratings=count)
    _tell(project.claimant, project, _("The project was closed"))
    return project


@transaction.atomic
def cancel(actor: Any, project: Project, *, reason: str) -> Project:
    project = _managed(actor, project)
    _require(project, CANCELLABLE, _("This project can no longer be cancelled"))
    reason = _text(reason, "reason", 1000)
    old, project.state, project.cancel_reason = project.state, S.CANCELLED, reason
    project.save(update_fields=["state", "cancel_reason"])
    Claim.objects.filter(project=project, state=ClaimState.SUBMITTED).update(state=ClaimState.DECLINED)
    events.cancelled(project, actor, old, reason)
    _audit(actor, project, "cancelled")
    _tell(project.claimant, project, _("A project you carry out was cancelled"))
    return project
