"""Deliberation (议事协商, DESIGN §8): topics scoped to a building, estate or community, their threaded
discussion, meetings (online and 线下议事) with attendance and minutes, the decision, and the cases it opened.

Owners' votes live in models_votes (imported at the end so Django finds them here).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import DecisionKind, DecisionOutcome, MeetingKind, TopicState


class Topic(models.Model):
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("what it is about"), max_length=5000)
    # A building, an estate or a community: who may read and take part follows from it.
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="topics")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="topics_raised",
    )
    # Residents may take part under a masked name (张**); staff always show their role.
    name_masked = models.BooleanField(_("show my name masked"), default=True)
    state = models.CharField(
        _("state"), max_length=16, choices=TopicState.choices, default=TopicState.RAISED, db_index=True
    )
    proposal = models.TextField(_("proposal"), blank=True, max_length=5000)
    decision_kind = models.CharField(_("decided"), max_length=16, choices=DecisionKind.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=DecisionOutcome.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True, max_length=5000)
    # The vote that decides it, when decision_kind is a vote.
    vote = models.OneToOneField(
        "participation.Vote",
        verbose_name=_("vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic",
    )
    rejected_reason = models.TextField(_("reason not taken up"), blank=True, max_length=2000)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    published_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliberation topic")
        verbose_name_plural = _("deliberation topics")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="comments")
    # Threaded: a reply names the comment it answers.
    parent = models.ForeignKey(
        "self", verbose_name=_("in reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name_masked = models.BooleanField(_("show my name masked"), default=True)
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # Moderation hides, never deletes, and always says why.
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.topic_id} · {self.body[:30]}"


class Meeting(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.OFFLINE)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    # The signed minutes as a document (PDF, photo or Word), checked like a request's photos.
    minutes_file = models.FileField(_("minutes document"), upload_to="participation/minutes/%Y/%m/", blank=True)
    held = models.BooleanField(_("held"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("called by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deliberation meeting")
        verbose_name_plural = _("deliberation meetings")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.topic} · {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingAttendee(models.Model):
    """One invitation (居民代表, 物业, 业委会, 驻区单位 …) and whether they came."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=64)
    capacity = models.CharField(_("attends as"), max_length=64, blank=True)
    attended = models.BooleanField(_("attended"), null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.name


class TopicCase(models.Model):
    """A case the decision opened; the topic shows its progress until every one is closed."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="follow_ups")
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="topic_link"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        ordering = ["topic_id", "pk"]

    def __str__(self) -> str:
        return f"{self.topic_id} → {self.case_id}"


class TopicEvent(models.Model):
    """The topic's timeline: one row per action, old → new state, append-only."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_state = models.CharField(_("from"), max_length=16, blank=True)
    new_state = models.CharField(_("to"), max_length=16, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.topic_id} · {self.kind}"


from .models_votes import Ballot, PaperEntry, Question, RollEntry, RollOwner, Vote  # noqa: E402

__all__ = [
    "Ballot",
    "Comment",
    "Meeting",
    "MeetingAttendee",
    "PaperEntry",
    "Question",
    "RollEntry",
    "RollOwner",
    "Topic",
    "TopicCase",
    "TopicEvent",
    "Vote",
]
