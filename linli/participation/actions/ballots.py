"""Casting ballots through the three channels of issue 19 — online, paper (entered twice) and in person — and
the co-owners' caster and proxies. One ballot per voter across every channel.

Each action runs in one transaction that locks the vote (so closing waits for a ballot being written, and a
ballot never lands in a closed box) and then the voter's roll entry (so two channels racing for the same
voter are served one after the other, the second refused). The ballot row is written with the random receipt
as its key and nothing else but the vote, the area and the choices; the roll entry records that the voter
voted, through which channel and, for staff channels, who recorded it. Audit events name the roll entry by
number and the channel, never a choice and never the receipt (the pair would re-link the ballot).

A paper ballot waits in PaperEntry (its choices beside the voter's entry) only until a second, different
clerk types the same choices; then the ballot is written and both entries are deleted in the same
transaction. Entries that differ wait, marked, for a third person's look at the paper. When a voter's ballot
is written through any channel, their pending paper entries are deleted with it: a choice beside a name must
not outlive its use. Paper entry is allowed only while the vote is open: a grace period after closing would
let ballots change a count already published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_cast_ballot, can_record_ballots, can_resolve_paper
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from ..choices import OPTIONS, BallotChannel, VoteState
from ..documents import check_document
from ..models_votes import Ballot, PaperEntry, RollEntry, Vote

WAITING, COUNTED, CONFLICT = "waiting", "counted", "conflict"


@dataclass(frozen=True)
class PaperOutcome:
    """What a clerk's entry of a paper ballot led to: waiting for the second entry, counted, or in conflict
    with the first entry on the questions numbered in `differing` (numbers only, never the choices)."""

    status: str
    differing: tuple[int, ...] = ()


# --------------------------------------------------------------------------------------------------
# Checks shared by every channel


def _locked(vote_pk: int, entry_pk: int) -> tuple[Vote, RollEntry]:
    # Vote first, then entry: the one order every action (and close_vote, which locks the vote) takes.
    vote = Vote.objects.select_for_update().get(pk=vote_pk)
    entry = RollEntry.objects.select_for_update().filter(pk=entry_pk, vote=vote).first()
    if entry is None:
        raise ValidationError(_("This voter is not on the roll of this vote"))
    entry.vote = vote
    return vote, entry


def _check_window(vote: Vote, now: Any = None) -> None:
    if vote.state != VoteState.OPEN:
        raise ValidationError(_("This vote is not open for voting"))
    now = now or timezone.now()
    if now < vote.opens_at:
        raise ValidationError(_("Voting has not started yet"))
    if now >= vote.closes_at:
        raise ValidationError(_("Voting has ended"))


def _refuse_if_voted(entry: RollEntry) -> None:
    """The later attempt is refused, naming the channel that counted and nothing about the choices."""
    if entry.voted_channel == BallotChannel.ONLINE:
        raise ValidationError(_("This owner has already voted online; each owner votes once"), code="already_voted")
    if entry.voted_channel == BallotChannel.PAPER:
        raise ValidationError(
            _("This owner has already voted with a paper ballot; each owner votes once"), code="already_voted"
        )
    if entry.voted_channel:
        raise ValidationError(
            _("This owner has already voted in person at the meeting; each owner votes once"), code="already_voted"
        )


def clean_choices(vote: Vote, choices: Any) -> dict[str, str]:
    """{question id (str): option} for every question of the vote, each answered with one of OPTIONS."""
    questions = list(vote.questions.order_by("position").values_list("pk", "position"))
    given = {str(k): v for k, v in dict(choices or {}).items()}
    known = {str(pk) for pk, _ in questions}
    if set(given) - known:
        raise ValidationError(_("The ballot answers a question this vote does not have"))
    missing = [position for pk, position in questions if given.get(str(pk)) not in OPTIONS]
    if missing:
        raise ValidationError(
            _("Answer every question with agree, oppose or abstain; not answered: %(numbers)s"),
            code="unanswered",
            params={"numbers": "、".join(str(n) for n in missing)},
        )
    return {str(pk): given[str(pk)] for pk, _ in questions}


def _write_ballot(
    actor: Any, vote: Vote, entry: RollEntry, choices: dict[str, str], channel: str, now: Any = None
) -> str:
    ballot = Ballot.objects.create(vote=vote, area=entry.area, choices=choices)
    entry.voted_channel = channel
    entry.voted_at = now or timezone.now()
    entry.recorded_by = actor if channel != BallotChannel.ONLINE else None
    entry.save(update_fields=["voted_channel", "voted_at", "recorded_by"])
    PaperEntry.objects.filter(entry=entry).delete()
    _audit(AuditAction.BALLOT_CAST, actor, entry, {"channel": channel})
    return ballot.receipt


def _audit(action: str, actor: Any, entry: RollEntry, data: dict[str, Any]) -> None:
    # Named by number: the entry's label is a person's name, which must not sit in an append-only chain.
    audit.record(
        action,
        actor=actor,
        target_type="participation.rollentry",
        target_id=str(entry.pk),
        target_repr=f"roll entry #{entry.pk}",
        data={"vote": entry.vote_id, **data},
    )


def _recorder(actor: Any, vote: Vote) -> None:
    if not can_record_ballots(actor, vote):
        raise PermissionDenied(_("You may not record ballots for this vote"))


# --------------------------------------------------------------------------------------------------
# The three channels


@transaction.atomic
def cast_online(user: Any, vote: Vote, choices: Any, *, entry: RollEntry | None = None, now: Any = None) -> str:
    """A verified owner (or their caster or registered proxy) votes; returns the receipt. Without `entry`,
    the one voter on this vote's roll the user may still cast for (an owner of several entries picks one)."""
    if entry is None:
        entry = _only_entry(user, vote)
    vote, entry = _locked(vote.pk, entry.pk)
    if not can_cast_ballot(user, entry):
        raise PermissionDenied(_("You may not vote for this owner"))
    _check_window(vote, now)
    _refuse_if_voted(entry)
    return _write_ballot(user, vote, entry, clean_choices(vote, choices), BallotChannel.ONLINE, now)


def _only_entry(user: Any, vote: Vote) -> RollEntry:
    from ..queries_ballots import castable_entries

    entries = [e for e in castable_entries(user, vote) if not e.voted_channel] or castable_entries(user, vote)
    if not entries:
        raise PermissionDenied(_("You are not on the roll of this vote"))
    if len(entries) > 1:
        raise ValidationError(_("You vote for more than one owner here: pick which one"))
    return entries[0]


@transaction.atomic
def record_in_person(staff: Any, entry: RollEntry, choices: Any, *, now: Any = None) -> str:
    """Staff record the ballot of an owner (or caster or proxy) voting in person at the meeting, after checking
    their identity document; returns the receipt, to be shown to the voter there and then."""
    vote, entry = _locked(entry.vote_id, entry.pk)
    _recorder(staff, vote)
    _check_window(vote, now)
    _refuse_if_voted(entry)
    return _write_ballot(staff, vote, entry, clean_choices(vote, choices), BallotChannel.IN_PERSON, now)


@transaction.atomic
def enter_paper(clerk: Any, entry: RollEntry, choices: Any, sheet: str = "", *, now: Any = None) -> PaperOutcome:
    """One clerk's typing of a paper ballot: the first waits, the second (by a different clerk) is compared."""
    vote, entry = _locked(entry.vote_id, entry.pk)
    _recorder(clerk, vote)
    _check_window(vote, now)
    _refuse_if_voted(entry)
    clean = clean_choices(vote, choices)
    sheet = _sheet(sheet)
    earlier = list(PaperEntry.objects.select_for_update().filter(entry=entry).order_by("pk"))
    if any(e.entered_by_id == clerk.pk for e in earlier):
        raise ValidationError(_("You have already entered this ballot; a different colleague must enter it again"))
    if any(e.conflict for e in earlier):
        raise ValidationError(_("The two entries of this ballot differ: a third person must check the paper"))
    if not earlier:
        PaperEntry.objects.create(vote=vote, entry=entry, sheet=sheet, choices=clean, entered_by=clerk)
        _audit(AuditAction.PAPER_BALLOT_ENTERED, clerk, entry, {"sheet": sheet})
        return PaperOutcome(WAITING)
    first = earlier[0]
    if first.choices == clean:
        _write_ballot(clerk, vote, entry, clean, BallotChannel.PAPER, now)
        return PaperOutcome(COUNTED)
    positions = dict(vote.questions.values_list("pk", "position"))
    differing = tuple(sorted(positions[int(q)] for q in clean if first.choices.get(q) != clean[q]))
    PaperEntry.objects.create(vote=vote, entry=entry, sheet=sheet, choices=clean, entered_by=clerk, conflict=True)
    PaperEntry.objects.filter(pk=first.pk).update(conflict=True)
    _audit(AuditAction.PAPER_BALLOT_DISPUTED, clerk, entry, {"questions": list(differing)})
    return PaperOutcome(CONFLICT, differing)


@transaction.atomic
def resolve_paper(supervisor: Any, entry: RollEntry, choices: Any) -> PaperOutcome:
    """A third person, neither of the two clerks, reads the paper again and enters what it says: counted."""
    vote, entry = _locked(entry.vote_id, entry.pk)
    _recorder(supervisor, vote)
    disputed = PaperEntry.objects.select_for_update().filter(entry=entry, conflict=True)
    if not disputed.exists():
        raise ValidationError(_("There is no disputed paper ballot for this owner"))
    if not can_resolve_paper(supervisor, entry):
        raise PermissionDenied(_("A third person, neither of the two who typed it, must settle this ballot"))
    _check_window(vote)
    _refuse_if_voted(entry)
    _write_ballot(supervisor, vote, entry, clean_choices(vote, choices), BallotChannel.PAPER)
    return PaperOutcome(COUNTED)


def _sheet(sheet: Any) -> str:
    sheet = " ".join(str(sheet or "").split())
    if len(sheet) > 32:
        raise ValidationError({"sheet": [_("At most 32 characters")]})
    try:
        return check_plain_text(sheet)
    except ValidationError as exc:
        raise ValidationError({"sheet": exc.messages}) from None


# --------------------------------------------------------------------------------------------------
# Who casts: the co-owners' choice and proxies


def _before_voting(staff: Any, entry: RollEntry) -> tuple[Vote, RollEntry]:
    vote, entry = _locked(entry.vote_id, entry.pk)
    _recorder(staff, vote)
    _check_window(vote)
    _refuse_if_voted(entry)
    return vote, entry


@transaction.atomic
def choose_caster(staff: Any, entry: RollEntry, person: Any) -> RollEntry:
    """Co-owners of one part vote as one and choose who casts (recorded by staff); `person=None` clears it."""
    _vote, entry = _before_voting(staff, entry)
    if person is not None and not entry.owners.filter(person_id=person.pk).exists():
        raise ValidationError({"person": [_("The one who casts must be one of this part's owners")]})
    entry.caster = person
    entry.save(update_fields=["caster"])
    _audit(AuditAction.VOTE_CASTER_CHOSEN, staff, entry, {"caster": getattr(person, "pk", None)})
    return entry


@transaction.atomic
def record_proxy(staff: Any, entry: RollEntry, *, name: str, person: Any = None, document: Any) -> RollEntry:
    """A proxy by written authorisation, kept with the document (PDF, JPEG or PNG). A proxy with a registry
    record (`person`) may vote online for the owner; from then on the owners themselves may not."""
    _vote, entry = _before_voting(staff, entry)
    name = " ".join(str(name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the proxy")]
    elif len(name) > 64:
        errors["name"] = [_("At most 64 characters")]
    else:
        try:
            check_plain_text(name)
        except ValidationError as exc:
            errors["name"] = exc.messages
    if document is None:
        errors["document"] = [_("Attach the written authorisation")]
    if errors:
        raise ValidationError(errors)
    try:
        clean = check_document(document)
        content, extension = clean.content, clean.extension
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from None
    entry.proxy_name = name
    entry.proxy_person = person
    entry.proxy_recorded_by = staff
    # A random file name: the owner's name must not be readable from the media folder's listing.
    entry.proxy_document.save(f"{get_random_string(20)}{extension}", ContentFile(content), save=False)
    entry.save(update_fields=["proxy_name", "proxy_person", "proxy_recorded_by", "proxy_document"])
    # An old file would be left behind by a second authorisation; the new one replaces it for the record.
    _audit(AuditAction.VOTE_PROXY_RECORDED, staff, entry, {"registered": person is not None})
    return entry


def discard_pending_paper(vote: Vote) -> int:
    """Paper entries still waiting when a vote closes or is cancelled (a second entry never came, or a dispute
    never settled): deleted, so no choice stays beside a name. close_vote and cancel_vote call this inside
    their transaction; returns how many were deleted."""
    deleted, _ = PaperEntry.objects.filter(vote=vote).delete()
    return deleted
