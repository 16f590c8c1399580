"""Running an owners' vote (DESIGN §8): draft → open (the roll frozen) → closed (the result published), or
cancelled. Each action checks its named predicate and scope, locks the vote, refuses a wrong state with a
message the staff can act on, and writes one audit event that never holds a ballot's choices.

Time: the vote takes ballots between `opens_at` and `closes_at` (the casting actions check that); opening is
allowed until the window ends, closing once it has ended — by a person or by the periodic `close_due_votes`.
`now` may be given (tests, the demo); it defaults to the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_run_vote
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from ..choices import QuestionKind, VoteState
from ..models_votes import Ballot, Question, Vote
from ..notify_votes import notify_result, notify_vote_opened
from ..result import build_result
from ..roll import FrozenRoll, freeze_roll
from . import topics
from .ballots import discard_pending_paper

VOTE_PLACES = (PlaceLevel.ESTATE, PlaceLevel.BUILDING)
MAX_QUESTIONS = 30


def _questions(questions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    for text, kind in questions:
        text = check_plain_text((text or "").strip())
        if not text:
            continue
        if len(text) > 2000:
            raise ValidationError({"questions": [_("A question has at most 2,000 characters")]})
        if kind not in QuestionKind.values:
            raise ValidationError({"questions": [_("Mark each question ordinary or major")]})
        cleaned.append((text, kind))
    if not cleaned:
        raise ValidationError({"questions": [_("A vote needs at least one question")]})
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": [_("A vote has at most 30 questions")]})
    return cleaned


def _window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    if opens_at is None or closes_at is None:
        raise ValidationError({"closes_at": [_("Give the voting window's start and end")]})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": [_("The vote must close after it opens")]})
    if closes_at <= now:
        raise ValidationError({"closes_at": [_("The voting window has already ended")]})


def _texts(title: str, description: str) -> tuple[str, str]:
    title = check_plain_text((title or "").strip())
    description = check_plain_text((description or "").strip())
    if not title:
        raise ValidationError({"title": [_("Give the vote a title")]})
    if len(title) > 120 or len(description) > 10000:
        raise ValidationError({"title": [_("The title or description is too long")]})
    return title, description


def _write_questions(vote: Vote, questions: list[tuple[str, str]]) -> None:
    vote.questions.all().delete()
    Question.objects.bulk_create(
        Question(vote=vote, position=i, text=text, kind=kind) for i, (text, kind) in enumerate(questions, start=1)
    )


def _locked(actor: Any, vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().select_related("place").get(pk=vote.pk)
    if actor is not None and not can_run_vote(actor, vote):
        raise PermissionDenied(_("You may not run this vote"))
    return vote


@transaction.atomic
def create_vote(
    actor: Any,
    *,
    place: Place,
    title: str,
    description: str = "",
    opens_at: datetime,
    closes_at: datetime,
    questions: list[tuple[str, str]],
    now: datetime | None = None,
) -> Vote:
    """A draft vote of an estate or building with its questions [(text, kind)], in the order given."""
    if place.level not in VOTE_PLACES:
        raise ValidationError({"place": [_("An owners' vote belongs to an estate or a building")]})
    if not can_run_vote(actor, place):
        raise PermissionDenied(_("You may not run votes here"))
    title, description = _texts(title, description)
    _window(opens_at, closes_at, now or timezone.now())
    cleaned = _questions(questions)
    vote = Vote.objects.create(
        place=place,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _write_questions(vote, cleaned)
    audit.record(AuditAction.VOTE_CREATED, actor=actor, target=vote, data={"questions": len(cleaned)})
    return vote


@transaction.atomic
def update_draft(
    actor: Any,
    vote: Vote,
    *,
    title: str,
    description: str = "",
    opens_at: datetime,
    closes_at: datetime,
    questions: list[tuple[str, str]],
    now: datetime | None = None,
) -> Vote:
    """Change a draft's texts, window and questions (the questions are replaced); an opened vote is fixed."""
    vote = _locked(actor, vote)
    if vote.state != VoteState.DRAFT:
        raise ValidationError(_("Only a draft can be changed; this vote has been opened"))
    vote.title, vote.description = _texts(title, description)
    _window(opens_at, closes_at, now or timezone.now())
    cleaned = _questions(questions)
    vote.opens_at, vote.closes_at = opens_at, closes_at
    vote.save(update_fields=["title", "description", "opens_at", "closes_at"])
    _write_questions(vote, cleaned)
    audit.record(AuditAction.VOTE_UPDATED, actor=actor, target=vote, data={"questions": len(cleaned)})
    return vote


@transaction.atomic
def open_vote(actor: Any, vote: Vote, *, now: datetime | None = None) -> FrozenRoll:
    """Draft → open: freezes the roll from the registry as it stands today. Returns the frozen roll with the
    parts left out (no owner, no area), for the opener to see."""
    now = now or timezone.now()
    vote = _locked(actor, vote)
    if vote.state != VoteState.DRAFT:
        raise ValidationError(_("Only a draft vote can be opened"))
    if vote.closes_at <= now:
        raise ValidationError(_("The voting window has already ended: change the draft's dates first"))
    if not vote.questions.exists():
        raise ValidationError(_("A vote needs at least one question"))
    frozen = freeze_roll(vote, timezone.localdate(now))
    if not frozen.owners:
        # Raising undoes the (empty) roll with the transaction: the draft stays a draft.
        raise ValidationError(
            _(
                "No owner with a registered area was found under this place, so the vote cannot open. "
                "Record the houses' owners and areas in the registry first."
            )
        )
    vote.state = VoteState.OPEN
    vote.opened_at = now
    vote.save(update_fields=["state", "opened_at", "roll_owners", "roll_area", "roll_digest"])
    transaction.on_commit(lambda: notify_vote_opened(vote))
    audit.record(
        AuditAction.VOTE_OPENED,
        actor=actor,
        target=vote,
        data={
            "roll_owners": frozen.owners,
            "roll_area": str(frozen.area),
            "roll_digest": frozen.digest,
            "skipped_no_owner": len(frozen.skipped.no_owner),
            "skipped_no_area": len(frozen.skipped.no_area),
        },
    )
    return frozen


def _rewrite_ballot_box(vote: Vote) -> None:
    """Ballots were stored in the order they were cast (a SQLite rowid, a PostgreSQL heap position), which,
    held against the roll's `voted_at`, could re-link them to voters. At closing the box is written afresh in
    receipt order, so what remains for anyone reading the tables is the published file's order."""
    ballots = list(Ballot.objects.filter(vote=vote).order_by("receipt"))
    Ballot.objects.filter(vote=vote).delete()
    Ballot.objects.bulk_create(
        [Ballot(receipt=b.receipt, vote=vote, area=b.area, choices=b.choices) for b in ballots], batch_size=500
    )


def _close(actor: Any, vote: Vote, now: datetime) -> Vote:
    discard_pending_paper(vote)
    _rewrite_ballot_box(vote)
    vote.result = build_result(vote)
    vote.result_root = vote.result["root"]
    vote.state = VoteState.CLOSED
    vote.closed_at = now
    vote.save(update_fields=["result", "result_root", "state", "closed_at"])
    topics.vote_closed(vote)
    transaction.on_commit(lambda: notify_result(vote))
    passed = [qid for qid, o in vote.result["outcome"].items() if o["passed"]]
    # Totals and outcome only: the published file holds the ballots, the audit trail never does.
    audit.record(
        AuditAction.VOTE_CLOSED,
        actor=actor,
        target=vote,
        data={"ballots": len(vote.result["ballots"]), "root": vote.result_root, "passed": passed},
    )
    return vote


@transaction.atomic
def close_vote(actor: Any, vote: Vote, *, now: datetime | None = None) -> Vote:
    """Open → closed once the window has ended: counts, stores the published result and its root, and tells
    the topic the vote decides (linli.participation.actions.topics.vote_closed)."""
    now = now or timezone.now()
    vote = _locked(actor, vote)
    if vote.state != VoteState.OPEN:
        raise ValidationError(_("Only an open vote can be closed"))
    if vote.closes_at > now:
        raise ValidationError(_("The voting window has not ended yet; the vote closes at its announced time"))
    return _close(actor, vote, now)


@transaction.atomic
def cancel_vote(actor: Any, vote: Vote, reason: str) -> Vote:
    """Draft or open → cancelled, with a reason. Ballots already cast stay sealed: a cancelled vote publishes
    nothing."""
    vote = _locked(actor, vote)
    if vote.state not in (VoteState.DRAFT, VoteState.OPEN):
        raise ValidationError(_("A closed or cancelled vote cannot be cancelled"))
    reason = check_plain_text((reason or "").strip())
    if not reason:
        raise ValidationError({"reason": [_("Say why the vote is cancelled")]})
    discard_pending_paper(vote)
    vote.state = VoteState.CANCELLED
    vote.closed_at = timezone.now()
    vote.save(update_fields=["state", "closed_at"])
    audit.record(AuditAction.VOTE_CANCELLED, actor=actor, target=vote, data={"reason": reason[:500]})
    return vote


def close_due_votes(now: datetime | None = None) -> int:
    """Close every open vote whose window has ended (the periodic job). Each vote is claimed by a
    conditional lock on the indexed `closes_at` and closed in its own transaction, skipping rows another
    worker holds, so two runs never close one vote twice and a failing vote does not stop the others."""
    now = now or timezone.now()
    due = list(
        Vote.objects.filter(state=VoteState.OPEN, closes_at__lte=now).order_by("closes_at").values_list("pk", flat=True)
    )
    closed = 0
    for pk in due:
        with transaction.atomic():
            vote = (
                Vote.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=VoteState.OPEN, closes_at__lte=now)
                .first()
            )
            if vote is None:
                continue
            _close(None, vote, now)
            closed += 1
    return closed
