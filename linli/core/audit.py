"""Writing and checking the audit timeline. Actions call `record`; nothing else writes AuditEvent."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditChainHead, AuditEvent


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> AuditEvent:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        # A model holding personal data names itself without it (a person's name would outlive the
        # retention purge in a chain nobody may edit).
        label = getattr(target, "audit_label", None)
        target_repr = (label() if callable(label) else str(target))[:255]
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            data=data or {},
            prev_hash=head.last_hash,
        )
        # Round-trip the payload through JSON first so the hash is computed on what the database will
        # return, not on Python objects that serialise differently.
        event.data = _json_roundtrip(event.data)
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.last_event_id = event.pk
        head.save(update_fields=["last_hash", "last_event_id"])
    return event


def _json_roundtrip(data: dict[str, Any]) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return result


def verify_chain() -> int | None:
    """Return the id of the first event whose link is broken, or None when the chain is whole."""
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return event.pk
        prev = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return head.last_event_id
    return None
