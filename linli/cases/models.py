"""Requests (诉求) and their closed loop: the case, who holds it, its photos, and its own hash-chained timeline.

A case's timeline is its own chain (CaseEvent.prev_hash links to the case's previous event, the case row
keeps the head), so two cases never wait for each other the way a single global chain head would make every
intake wait; the global audit chain records a digest of the case chains from time to time instead.
The sweep finds due work through `sweep_due_at`, an indexed column holding the next moment the case needs
looking at, never by scanning open cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.models import AppendOnly, chain_hash
from linli.core.querysets import RestrictedQuerySet
from linli.dispatch.choices import Channel
from linli.orgs.choices import UnitKind
from linli.orgs.deadlines import validate_spec

from .choices import (
    ApprovalKind,
    ApprovalState,
    AssignmentRole,
    CaseState,
    EventKind,
    InvalidReason,
    PhotoStage,
    Rating,
    ReturnReason,
    ReviewOutcome,
    Urgency,
)

GENESIS = "0" * 64
NUMBER_DIGITS = 10


class CaseQuerySet(RestrictedQuerySet["Case"]):
    def by_number(self, number: str) -> CaseQuerySet:
        pk = Case.pk_from_number(number)
        return self.filter(pk=pk) if pk else self.none()


class Case(models.Model):
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.SUBMITTED, db_index=True
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=5000)
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="cases")
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    matter = models.ForeignKey(
        "orgs.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    category = models.CharField(_("class"), max_length=16, blank=True, db_index=True)
    decision = models.ForeignKey(
        "dispatch.DispatchDecision",
        verbose_name=_("dispatch decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    lead_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit that answers for the case in assessment: the first to receive it, unless a review moved it.
    accountable_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("accountable unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "api.ApiToken", verbose_name=_("API client"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True, default="")
    # Keyed digest of the phone: the hotline finds a caller's earlier requests without decrypting anything.
    reporter_phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The registry's person behind the reporter (phone match, linli.people.linking): their care tags on the page.
    reporter_person = models.ForeignKey(
        "people.Person",
        verbose_name=_("reporter in the registry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    consented_at = models.DateTimeField(_("consent to processing given at"), null=True, blank=True)
    # "<client>:<key>": a retried submission with the same key finds this case instead of making another.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    contact_due = models.DateTimeField(_("contact due"), null=True, blank=True)
    handle_due = models.DateTimeField(_("handling due"), null=True, blank=True, db_index=True)
    contact_overdue = models.BooleanField(_("contact overdue"), default=False)
    handle_overdue = models.BooleanField(_("handling overdue"), default=False, db_index=True)
    sweep_due_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    resolved_by_rating = models.BooleanField(_("resolved, says the resident"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    invalid_reason = models.CharField(_("invalid because"), max_length=16, choices=InvalidReason.choices, blank=True)
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_hash = models.CharField(max_length=64, default=GENESIS, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["lead_unit", "state", "-id"], name="case_unit_state_idx"),
            models.Index(fields=["place", "-id"], name="case_place_idx"),
            models.Index(fields=["reporter", "-id"], name="case_reporter_idx"),
            models.Index(fields=["matter", "place", "created_at"], name="case_dupe_idx"),
            models.Index(fields=["state", "resolved_at"], name="case_state_resolved_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The request number told to the resident: submission date and id, e.g. 202612010000001234."""
        return f"{self.created_at:%Y%m%d}{self.pk:0{NUMBER_DIGITS}d}" if self.pk else ""

    @staticmethod
    def pk_from_number(number: str) -> int | None:
        text = (number or "").strip()
        if len(text) != 8 + NUMBER_DIGITS or not text.isdigit():
            return None
        return int(text[8:]) or None

    @property
    def is_open(self) -> bool:
        return self.state not in {CaseState.CLOSED, CaseState.INVALID, CaseState.MERGED}


class CaseAssignment(models.Model):
    """A unit holding the case, as lead or co-handler, from `assigned_at` until `ended_at`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(_("assigned at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["unit", "ended_at"], name="assignment_unit_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit_id} ({self.role})"


class CaseEventQuerySet(RestrictedQuerySet["CaseEvent"]):
    pass


class CaseEvent(AppendOnly):
    """One step of one case's timeline: append-only, chained to the case's previous event by hash."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("number in the timeline"))
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who acted, as the resident may read it: the unit or role, never a worker's personal name.
    actor_label = models.CharField(_("acted as"), max_length=128, blank=True)
    old_state = models.CharField(_("from"), max_length=16, blank=True)
    new_state = models.CharField(_("to"), max_length=16, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]
        indexes = [models.Index(fields=["kind", "at"], name="case_event_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def compute_hash(self) -> str:
        return chain_hash(
            {
                "case": self.case_id,
                "seq": self.seq,
                "kind": self.kind,
                "at": self.at.isoformat(),
                "actor": self.actor_id,
                "as": self.actor_label,
                "from": self.old_state,
                "to": self.new_state,
                "payload": self.payload,
                "prev": self.prev_hash,
            }
        )


def photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField(_("stage"), max_length=16, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    file = models.FileField(_("file"), upload_to=photo_path)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.file.name}"


class CaseReturn(models.Model):
    """退单: a unit says the case is not theirs; reviewed by the dispatcher or arbitrated by the district."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="returns")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("returning unit"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=ReturnReason.choices)
    explanation = models.TextField(_("explanation"), max_length=2000)
    suggested_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("suggested unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("returned at"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING, db_index=True
    )
    final_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("final owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    arbitrated = models.BooleanField(_("arbitrated by the district"), default=False)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_at"]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.unit_id} ({self.reason})"


class CaseApproval(models.Model):
    """An extension or suspension asked by the handling unit and decided by the level above."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField(_("kind"), max_length=16, choices=ApprovalKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("asking unit"), on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("working days"), default=0)
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    state = models.CharField(
        _("state"), max_length=16, choices=ApprovalState.choices, default=ApprovalState.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.state}"


class WhistleCall(models.Model):
    """吹哨: one department summoned to a case, due on site by `arrive_by`; 报到 is `reported_at`."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="whistle_calls")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("summoned unit"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what is needed"), max_length=2000)
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(_("blown at"))
    arrive_by = models.DateTimeField(_("report by"), db_index=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_note = models.TextField(_("report note"), blank=True)
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        verbose_name = _("whistle call")
        verbose_name_plural = _("whistle calls")
        ordering = ["-blown_at"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit_id}"


class DeadlineRule(models.Model):
    """A deadline setting (DESIGN §4: every one is a setting): the most specific rule that matches the case's
    matter, urgency and lead unit's kind wins; blanks match anything; the matter's own columns come last."""

    matter = models.ForeignKey(
        "orgs.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    unit_kind = models.CharField(_("unit kind"), max_length=32, choices=UnitKind.choices, blank=True)
    contact = models.CharField(_("contact within"), max_length=8, blank=True, validators=[validate_spec])
    handle = models.CharField(_("handle within"), max_length=8, blank=True, validators=[validate_spec])
    rehandle = models.CharField(_("re-handle within"), max_length=8, blank=True, validators=[validate_spec])

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.matter or '*'} / {self.urgency or '*'} / {self.unit_kind or '*'}"

    @property
    def specificity(self) -> int:
        return 4 * bool(self.matter_id) + 2 * bool(self.urgency) + bool(self.unit_kind)
