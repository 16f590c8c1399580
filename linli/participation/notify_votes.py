"""Notices to owners about a vote (issue 19, "Notices"), through the closed loop's channels (linli.notices).

Owners are reached through their accounts, matched on the verified phone's digest to the registered persons
behind the roll (owners, and the registered proxy who votes for them). A reminder goes only to those on roll
entries that have not voted, and says nothing else: not who else has voted, not how many, not any choice.
The open and close actions call `notify_vote_opened` and `notify_result` inside their transaction (the
notices are sent after it commits); `send_due_reminders` is the periodic job registered in apps.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.notices.actions import notify
from linli.notices.choices import NoticeKind
from linli.people.models import Person

from .choices import VoteState
from .models_votes import RollEntry, RollOwner, Vote

REMIND_EVERY = timedelta(days=1)


def roll_accounts(vote: Vote, *, only_not_voted: bool = False, proxies: bool = True) -> models.QuerySet[User]:
    """Active accounts of the owners (and, with `proxies`, the registered proxies who vote for them) behind the
    vote's roll, or behind the entries that have not voted."""
    entries = RollEntry.objects.filter(vote=vote)
    if only_not_voted:
        entries = entries.filter(voted_channel="")
    owners = RollOwner.objects.filter(entry__in=entries, person__isnull=False).values("person_id")
    people = models.Q(pk__in=owners)
    if proxies:
        people |= models.Q(pk__in=entries.filter(proxy_person__isnull=False).values("proxy_person_id"))
    digests = Person.objects.filter(people, phone_digest__isnull=False).values("phone_digest")
    return User.objects.filter(is_active=True, phone_digest__in=digests).order_by("pk")


def _send(users: models.QuerySet[User], title: str, body: str, link: str) -> int:
    sent = 0
    for user in users:
        notify(user, kind=NoticeKind.GENERAL, title=title, body=body, link=link)
        sent += 1
    return sent


def _window(vote: Vote) -> str:
    start = timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    return f"{start} – {end}"


def notify_vote_opened(vote: Vote) -> int:
    """Every owner on the roll: the vote is open, until when, and where to vote. Returns how many were told."""
    title = _("Owners' vote open: %(title)s") % {"title": vote.title}
    body = _("Voting is open %(window)s. Vote online, or on paper or in person with your community.") % {
        "window": _window(vote)
    }
    return _send(roll_accounts(vote), title, body, reverse("participation:my_votes"))


def remind_non_voters(vote: Vote) -> int:
    """Owners on roll entries that have not voted yet; records when, so the periodic job reminds once a day."""
    title = _("Reminder: owners' vote %(title)s") % {"title": vote.title}
    body = _("You have not voted yet. Voting closes at %(end)s.") % {
        "end": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    }
    sent = _send(roll_accounts(vote, only_not_voted=True), title, body, reverse("participation:my_votes"))
    Vote.objects.filter(pk=vote.pk).update(last_reminder_at=timezone.now())
    return sent


def notify_result(vote: Vote) -> int:
    """Every owner on the roll: the result is published, with the link to check one's receipt in it. Not the
    proxies: the result is the owners' (and a proxy living elsewhere may not read the estate's votes)."""
    title = _("Result published: %(title)s") % {"title": vote.title}
    body = _("The result and every ballot's receipt are published; check that yours is there.")
    return _send(roll_accounts(vote, proxies=False), title, body, reverse("participation:result", args=[vote.pk]))


def send_due_reminders(now: Any = None) -> int:
    """The periodic job: each open vote whose last reminder (or opening) is a day old or more gets one round.
    Idempotent: the vote is locked and `last_reminder_at` read again, so two runs never remind twice."""
    now = now or timezone.now()
    due_before = now - REMIND_EVERY
    candidates = Vote.objects.filter(state=VoteState.OPEN, opens_at__lte=now, closes_at__gt=now)
    reminded = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            vote = Vote.objects.select_for_update().get(pk=pk)
            last = vote.last_reminder_at or vote.opened_at or vote.opens_at
            if vote.state != VoteState.OPEN or last > due_before:
                continue
            remind_non_voters(vote)
            reminded += 1
    return reminded
