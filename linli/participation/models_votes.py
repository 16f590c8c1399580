"""Owners' votes (业主大会 / 业主表决, DESIGN §8, Civil Code art. 278).

Secrecy is a property of the schema: `RollEntry` says who may vote and whether they have, `Ballot` says what
was chosen, and nothing joins them — a ballot has no foreign key to a user, person or roll entry, no time,
and a random primary key (the voter's receipt), so neither its columns nor its key's order re-link it. A paper
ballot waits in `PaperEntry` (which must name the voter, for the two entries to be compared) only until the
second entry agrees; the match writes the ballot and deletes both entries in one transaction.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import BallotChannel, QuestionKind, VoteState


def new_receipt() -> str:
    # 16 characters of Crockford-like base32 without look-alikes, grouped for reading aloud: XXXX-XXXX-XXXX-XXXX.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Vote(models.Model):
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    # An estate, or a building for building-level matters.
    place = models.ForeignKey(
        "places.Place", verbose_name=_("estate or building"), on_delete=models.PROTECT, related_name="votes"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=VoteState.choices, default=VoteState.DRAFT, db_index=True
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The frozen roll's totals and digest, set when the vote opens.
    roll_owners = models.PositiveIntegerField(_("owners on the roll"), default=0)
    roll_area = models.DecimalField(_("exclusive area on the roll (m²)"), max_digits=14, decimal_places=2, default=0)
    roll_digest = models.CharField(_("roll digest"), max_length=64, blank=True)
    # The published result file (the JSON `manage.py vote_result` writes) and its root hash over the ballots.
    result = models.JSONField(_("published result"), null=True, blank=True)
    result_root = models.CharField(_("ballot root hash"), max_length=64, blank=True)
    last_reminder_at = models.DateTimeField(_("last reminder sent at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="vote_window_forward")
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices, default=QuestionKind.ORDINARY)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote question")
        verbose_name_plural = _("vote questions")
        ordering = ["vote_id", "position"]
        constraints = [models.UniqueConstraint(fields=["vote", "position"], name="question_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"


class RollEntry(models.Model):
    """One voter on the frozen roll: the owner (or the co-owners together, or the developer) of one or more
    exclusive parts, counted once by head and with the sum of their parts' areas."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="roll")
    # Who the voter is, stable within the vote: the sorted owner ids ("p:12,40") or the organisation ("o:…").
    owner_key = models.CharField(max_length=200, editable=False)
    label = models.CharField(_("voter"), max_length=200)
    area = models.DecimalField(_("exclusive area (m²)"), max_digits=12, decimal_places=2)
    houses = models.JSONField(_("exclusive parts"), default=list)
    # Co-owners choose who casts their one ballot; until they do, any of them may.
    caster = models.ForeignKey(
        "people.Person",
        verbose_name=_("casts the ballot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proxy_name = models.CharField(_("proxy"), max_length=64, blank=True)
    proxy_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("proxy (registered)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proxy_document = models.FileField(_("written authorisation"), upload_to="participation/proxies/%Y/%m/", blank=True)
    proxy_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proxy recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who has voted (for chasing turnout) — never how.
    voted_channel = models.CharField(_("voted by"), max_length=16, choices=BallotChannel.choices, blank=True)
    voted_at = models.DateTimeField(_("voted at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("owners' roll")
        ordering = ["vote_id", "label", "pk"]
        constraints = [models.UniqueConstraint(fields=["vote", "owner_key"], name="roll_owner_once")]

    def __str__(self) -> str:
        return self.label

    @property
    def has_voted(self) -> bool:
        return bool(self.voted_channel)


class RollOwner(models.Model):
    """The registered owners behind a roll entry (several for co-owners): whom an online voter must be."""

    entry = models.ForeignKey(RollEntry, verbose_name=_("roll entry"), on_delete=models.CASCADE, related_name="owners")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.CharField(_("owning organisation"), max_length=128, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll owner")
        verbose_name_plural = _("roll owners")
        ordering = ["entry_id", "pk"]

    def __str__(self) -> str:
        return self.organisation or f"person #{self.person_id}"


class Ballot(models.Model):
    """What one voter chose: no link to anyone and no time (see the module's docstring)."""

    receipt = models.CharField(_("receipt"), max_length=19, primary_key=True, default=new_receipt, editable=False)
    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.PROTECT, related_name="ballots")
    area = models.DecimalField(_("exclusive area (m²)"), max_digits=12, decimal_places=2)
    # {question id (str): option}
    choices = models.JSONField(_("choices"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote_id", "receipt"]

    def __str__(self) -> str:
        return self.receipt


class PaperEntry(models.Model):
    """One staff member's typing of a paper ballot; two different staff must agree before it counts."""

    vote = models.ForeignKey(Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="paper_entries")
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="paper_entries"
    )
    sheet = models.CharField(_("sheet number"), max_length=32, blank=True)
    choices = models.JSONField(_("choices"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    # Set when the second entry differs: both wait for a third look at the paper.
    conflict = models.BooleanField(_("entries differ"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        ordering = ["vote_id", "entry_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "entered_by"], name="paper_entry_once_per_clerk")]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.sheet or self.pk}"
