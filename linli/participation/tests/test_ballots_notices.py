"""Notices about a vote (issue 19, "Notices"): opening and the result go to the owners on the roll, reminders
only to those who have not voted, once a day at most, and say nothing about anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.schedule import jobs
from linli.notices.models import Notice
from linli.participation.actions.ballots import cast_online, record_proxy
from linli.participation.models_votes import Vote
from linli.participation.notify_votes import (
    notify_result,
    notify_vote_opened,
    remind_non_voters,
    send_due_reminders,
)

from .cast_world import CastWorld

pytestmark = pytest.mark.django_db


def recipients(title_part: str) -> set[str]:
    return set(Notice.objects.filter(title__contains=title_part).values_list("recipient__username", flat=True))


def test_opening_and_result_go_to_every_owner_on_the_roll(cast: CastWorld) -> None:
    assert notify_vote_opened(cast.vote) == 3
    owners = {cast.owner.username, "co_one", "co_two"}
    assert recipients(cast.vote.title) == owners
    Notice.objects.all().delete()
    notify_result(cast.vote)
    assert recipients(cast.vote.title) == owners
    assert Notice.objects.filter(link=f"/participate/ballots/{cast.vote.pk}/result/").count() == 3


def test_reminders_only_to_those_who_have_not_voted_and_reveal_nothing(cast: CastWorld) -> None:
    cast_online(cast.owner, cast.vote, cast.all_agree())
    assert remind_non_voters(cast.vote) == 2
    assert recipients(cast.vote.title) == {"co_one", "co_two"}
    for notice in Notice.objects.all():
        text = notice.title + notice.body
        assert "张三" not in text and "1" + "/" not in text and "同意" not in text
    assert Vote.objects.get(pk=cast.vote.pk).last_reminder_at is not None


def test_a_registered_proxy_is_reminded_too(cast: CastWorld, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    pdf = b"%PDF-1.4\n%%EOF\n"
    record_proxy(cast.staff(), cast.couple, name="赵六", person=cast.persons["neighbour"], document=pdf)
    remind_non_voters(cast.vote)
    assert "neighbour" in recipients(cast.vote.title)
    assert cast.world.users[Role.COMMUNITY_WORKER].username not in recipients(cast.vote.title)


def test_the_daily_job_is_registered_and_idempotent(cast: CastWorld) -> None:
    assert "participation.vote_reminders" in jobs()
    now = timezone.now()
    assert send_due_reminders(now) == 0  # opened an hour ago: the opening notice is enough for today
    Vote.objects.filter(pk=cast.vote.pk).update(opened_at=now - timedelta(days=2), opens_at=now - timedelta(days=2))
    assert send_due_reminders(now) == 1
    assert send_due_reminders(now) == 0
    assert Notice.objects.count() == 3
    assert send_due_reminders(now + timedelta(days=1, minutes=1)) == 1
    Vote.objects.filter(pk=cast.vote.pk).update(state="closed")
    assert send_due_reminders(now + timedelta(days=3)) == 0
