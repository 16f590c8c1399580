"""Casting through every channel (issue 19 "Channels", "Secrecy"): one ballot per voter across channels, the
paper double entry, casters and proxies, the window, and a ballot row that links to no one."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from linli.accounts.choices import Role
from linli.core.models import AuditEvent
from linli.participation.actions.ballots import (
    CONFLICT,
    COUNTED,
    WAITING,
    cast_online,
    choose_caster,
    discard_pending_paper,
    enter_paper,
    record_in_person,
    record_proxy,
    resolve_paper,
)
from linli.participation.choices import ABSTAIN, AGREE, OPPOSE, BallotChannel, VoteState
from linli.participation.models_votes import Ballot, PaperEntry, RollEntry, Vote

from .cast_world import CastWorld

pytestmark = pytest.mark.django_db


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_online_ballot_is_written_and_the_roll_says_who_not_how(cast: CastWorld) -> None:
    choices = {str(cast.questions[0].pk): AGREE, str(cast.questions[1].pk): OPPOSE}
    receipt = cast_online(cast.owner, cast.vote, choices)
    ballot = Ballot.objects.get(pk=receipt)
    assert ballot.choices == choices and ballot.area == cast.single.area
    entry = RollEntry.objects.get(pk=cast.single.pk)
    assert entry.voted_channel == BallotChannel.ONLINE and entry.voted_at and entry.recorded_by is None
    # The ballot's columns hold nothing of the voter: no id, key, label, house, time or user.
    columns = {f.attname for f in Ballot._meta.concrete_fields}
    assert columns == {"receipt", "vote_id", "area", "choices"}
    row = Ballot.objects.filter(pk=receipt).values("receipt", "area", "choices").get()
    values = {str(v) for v in row.values()}
    for trace in (str(entry.pk), entry.owner_key, entry.label, str(cast.owner.pk), "1-1-101"):
        assert trace not in values
    event = AuditEvent.objects.filter(action="vote.ballot_cast").get()
    assert receipt not in str(event.data) and AGREE not in str(event.data) and "张三" not in event.target_repr


def test_one_ballot_per_voter_across_channels(cast: CastWorld) -> None:
    cast_online(cast.owner, cast.vote, cast.all_agree())
    with pytest.raises(ValidationError) as exc:
        enter_paper(cast.staff(), cast.single, cast.all_agree())
    assert "already voted online" in messages(exc)
    enter_paper(cast.staff(), cast.couple, cast.all_agree(), sheet="7")
    enter_paper(cast.staff(Role.COMMUNITY_SECRETARY), cast.couple, cast.all_agree(), sheet="7")
    with pytest.raises(ValidationError) as exc:
        cast_online(cast.co_one, cast.vote, cast.all_agree())
    assert "paper ballot" in messages(exc)
    record_in_person(cast.staff(), cast.developer, cast.all_agree())
    with pytest.raises(ValidationError) as exc:
        record_in_person(cast.staff(Role.COMMUNITY_SECRETARY), cast.developer, cast.all_agree())
    assert "in person" in messages(exc)
    assert Ballot.objects.filter(vote=cast.vote).count() == 3
    with pytest.raises(ValidationError):
        cast_online(cast.owner, cast.vote, cast.all_agree())
    assert Ballot.objects.filter(vote=cast.vote).count() == 3


def test_every_question_answered_with_an_option(cast: CastWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        cast_online(cast.owner, cast.vote, {str(cast.questions[0].pk): AGREE})
    assert "2" in messages(exc)
    with pytest.raises(ValidationError):
        cast_online(cast.owner, cast.vote, {**cast.all_agree(), str(cast.questions[1].pk): "maybe"})
    with pytest.raises(ValidationError):
        cast_online(cast.owner, cast.vote, {**cast.all_agree(), "99999": AGREE})
    assert not Ballot.objects.exists()
    assert RollEntry.objects.get(pk=cast.single.pk).voted_channel == ""


def test_only_owners_on_the_roll_vote_online(cast: CastWorld) -> None:
    with pytest.raises(PermissionDenied):
        cast_online(cast.neighbour, cast.vote, cast.all_agree())
    with pytest.raises(PermissionDenied):
        cast_online(cast.owner, cast.vote, cast.all_agree(), entry=cast.couple)
    with pytest.raises(PermissionDenied):
        cast_online(cast.staff(), cast.vote, cast.all_agree())


@pytest.mark.parametrize(
    "change",
    [
        {"state": VoteState.CLOSED},
        {"state": VoteState.DRAFT},
        {"state": VoteState.CANCELLED},
        {"opens_at": "future"},
        {"closes_at": "past"},
    ],
)
def test_window_and_state(cast: CastWorld, change: dict[str, str]) -> None:
    now = timezone.now()
    if change.get("opens_at"):
        Vote.objects.filter(pk=cast.vote.pk).update(
            opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1)
        )
    elif change.get("closes_at"):
        Vote.objects.filter(pk=cast.vote.pk).update(
            opens_at=now - timedelta(days=2), closes_at=now - timedelta(minutes=1)
        )
    else:
        Vote.objects.filter(pk=cast.vote.pk).update(**change)
    for attempt in (
        lambda: cast_online(cast.owner, cast.vote, cast.all_agree()),
        lambda: record_in_person(cast.staff(), cast.couple, cast.all_agree()),
        lambda: enter_paper(cast.staff(), cast.developer, cast.all_agree()),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert not Ballot.objects.exists() and not PaperEntry.objects.exists()


def test_paper_double_entry_equal_counts_and_forgets_the_entries(cast: CastWorld) -> None:
    first = enter_paper(cast.staff(), cast.single, cast.all_agree(), sheet="A-12")
    assert first.status == WAITING and PaperEntry.objects.count() == 1
    assert not Ballot.objects.exists()
    second = enter_paper(cast.staff(Role.COMMUNITY_SECRETARY), cast.single, cast.all_agree(), sheet="A-12")
    assert second.status == COUNTED
    assert not PaperEntry.objects.exists()
    entry = RollEntry.objects.get(pk=cast.single.pk)
    assert entry.voted_channel == BallotChannel.PAPER and entry.recorded_by == cast.staff(Role.COMMUNITY_SECRETARY)
    assert Ballot.objects.get().choices == cast.all_agree()


def test_paper_same_clerk_twice_is_refused(cast: CastWorld) -> None:
    enter_paper(cast.staff(), cast.single, cast.all_agree())
    with pytest.raises(ValidationError) as exc:
        enter_paper(cast.staff(), cast.single, cast.all_agree())
    assert "different colleague" in messages(exc)
    assert not Ballot.objects.exists()


def test_paper_entries_that_differ_wait_for_a_third_person(cast: CastWorld) -> None:
    q1, q2 = (str(q.pk) for q in cast.questions)
    enter_paper(cast.staff(), cast.single, {q1: AGREE, q2: AGREE})
    outcome = enter_paper(cast.staff(Role.COMMUNITY_SECRETARY), cast.single, {q1: AGREE, q2: OPPOSE})
    assert outcome.status == CONFLICT and outcome.differing == (2,)
    assert not Ballot.objects.exists()
    assert list(PaperEntry.objects.values_list("conflict", flat=True)) == [True, True]
    assert RollEntry.objects.get(pk=cast.single.pk).voted_channel == ""
    with pytest.raises(ValidationError):  # a fourth entry does not settle it
        enter_paper(cast.world.extras["multi"], cast.single, {q1: AGREE, q2: OPPOSE})
    for clerk in (cast.staff(), cast.staff(Role.COMMUNITY_SECRETARY)):
        with pytest.raises(PermissionDenied):
            resolve_paper(clerk, cast.single, {q1: AGREE, q2: ABSTAIN})
    resolve_paper(cast.world.extras["multi"], cast.single, {q1: AGREE, q2: ABSTAIN})
    assert Ballot.objects.get().choices == {q1: AGREE, q2: ABSTAIN}
    assert not PaperEntry.objects.exists()
    event = AuditEvent.objects.filter(action="vote.paper_disputed").get()
    assert event.data == {"vote": cast.vote.pk, "questions": [2]}


def test_paper_entry_needs_a_recorder_of_this_vote(cast: CastWorld) -> None:
    for outsider in (cast.world.outsiders[Role.COMMUNITY_WORKER], cast.world.users[Role.GRID_WORKER], cast.owner):
        with pytest.raises(PermissionDenied):
            enter_paper(outsider, cast.single, cast.all_agree())


def test_pending_paper_entries_go_when_the_owner_votes_online_or_the_vote_ends(cast: CastWorld) -> None:
    enter_paper(cast.staff(), cast.single, cast.all_agree())
    cast_online(cast.owner, cast.vote, cast.all_agree())
    assert not PaperEntry.objects.filter(entry=cast.single).exists()
    enter_paper(cast.staff(), cast.couple, cast.all_agree())
    assert discard_pending_paper(cast.vote) == 1
    assert not PaperEntry.objects.exists()


def test_co_owners_choose_who_casts(cast: CastWorld) -> None:
    # Until they choose, either co-owner may cast.
    with pytest.raises(ValidationError):
        choose_caster(cast.staff(), cast.couple, cast.persons["neighbour"])
    choose_caster(cast.staff(), cast.couple, cast.persons["co_two"])
    with pytest.raises(PermissionDenied):
        cast_online(cast.co_one, cast.vote, cast.all_agree())
    receipt = cast_online(cast.co_two, cast.vote, cast.all_agree())
    assert Ballot.objects.filter(pk=receipt, area=cast.couple.area).exists()
    with pytest.raises(PermissionDenied):
        choose_caster(cast.owner, cast.single, cast.persons["owner"])


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_proxy_by_written_authorisation(cast: CastWorld, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as exc:
        record_proxy(cast.staff(), cast.single, name="赵六", person=cast.persons["neighbour"], document=None)
    assert "document" in exc.value.message_dict
    with pytest.raises(ValidationError):
        record_proxy(cast.staff(), cast.single, name="赵六", document=b"MZ\x90\x00 not a document")
    with pytest.raises(ValidationError):
        record_proxy(cast.staff(), cast.single, name="<b>赵六</b>", document=_png())
    entry = record_proxy(cast.staff(), cast.single, name="赵六", person=cast.persons["neighbour"], document=_png())
    stored = entry.proxy_document.name or ""
    assert stored.endswith(".png") and "赵六" not in stored
    # The owner no longer casts online; the registered proxy does.
    with pytest.raises(PermissionDenied):
        cast_online(cast.owner, cast.vote, cast.all_agree(), entry=cast.single)
    assert cast_online(cast.neighbour, cast.vote, cast.all_agree())
    assert RollEntry.objects.get(pk=cast.single.pk).voted_channel == BallotChannel.ONLINE


def test_a_pdf_authorisation_and_an_unregistered_proxy(cast: CastWorld, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    record_proxy(cast.staff(), cast.couple, name="钱七", document=pdf)
    for owner in (cast.co_one, cast.co_two):
        with pytest.raises(PermissionDenied):
            cast_online(owner, cast.vote, cast.all_agree(), entry=cast.couple)
    assert record_in_person(cast.staff(), cast.couple, cast.all_agree())
    with pytest.raises(ValidationError):  # once voted, no proxy changes
        record_proxy(cast.staff(), cast.couple, name="孙八", document=pdf)
