"""The append-only, tamper-evident audit timeline.

Each event carries the hash of the one before it, so deleting or editing any row breaks every hash after
it; `verify_chain` finds the first broken link. The single-row head is locked while an event is written so
that two writers can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import AuditAction

GENESIS_HASH = "0" * 64


class AppendOnly(models.Model):
    """A row of a hash chain: written once, never changed or deleted through the ORM (the chain's hashes
    catch what is done behind its back)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self._meta.verbose_name_plural} are append-only")


def chain_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of a chain row's fields as canonical JSON (sorted keys, UTF-8)."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class AuditChainHead(models.Model):
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_event_id} {self.last_hash[:12]}"


class AuditEventQuerySet(RestrictedQuerySet["AuditEvent"]):
    pass


class AuditEvent(AppendOnly):
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_repr}"

    def compute_hash(self) -> str:
        return chain_hash(
            {
                "prev": self.prev_hash,
                "at": self.occurred_at.isoformat(),
                "actor": self.actor_id,
                "action": self.action,
                "target": [self.target_type, self.target_id, self.target_repr],
                "data": self.data,
            }
        )


class ScheduledJob(models.Model):
    """One row per periodic job of `linli.core.schedule`: the row is how a period is claimed, so that two
    scheduler processes never both enqueue the same run (a conditional UPDATE on `next_run_at`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run at"), db_index=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return f"{self.name} @ {self.next_run_at:%Y-%m-%d %H:%M}"
