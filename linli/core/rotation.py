"""Re-encrypt personal data under the newest field-encryption key.

Every EncryptedTextField of every installed model is found by introspection, so a model added later is
covered without touching this module. Rows are visited in primary-key batches, each batch in its own
transaction with its rows locked, so a failure leaves every row either rotated or as it was, and a rerun
picks up where it stopped: a value that already decrypts under the newest key is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from . import audit
from .choices import AuditAction
from .crypto import EncryptedTextField, primary_fernet, rotate_token


@dataclass
class RotationReport:
    rotated: dict[str, int] = field(default_factory=dict)  # model label → values re-encrypted
    current: dict[str, int] = field(default_factory=dict)  # model label → values already under the newest key

    @property
    def total_rotated(self) -> int:
        return sum(self.rotated.values())


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_field_keys(*, batch_size: int = 500, actor: Any = None) -> RotationReport:
    report = RotationReport()
    newest = primary_fernet()
    for model, names in encrypted_fields():
        label = model._meta.label
        report.rotated[label] = report.current[label] = 0
        # Cast to a plain text column reads the stored token, not the decrypted value.
        raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.select_for_update().order_by("pk").annotate(**raw)
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values("pk", *raw)[:batch_size])
                for row in batch:
                    changes = {}
                    for name in names:
                        token = row[f"raw_{name}"]
                        if not token:
                            continue
                        try:
                            newest.decrypt(token.encode())
                            report.current[label] += 1
                        except InvalidToken:
                            changes[name] = models.Value(rotate_token(token), output_field=models.TextField())
                    if changes:
                        model._base_manager.filter(pk=row["pk"]).update(**changes)
                        report.rotated[label] += len(changes)
            if len(batch) < batch_size:
                break
            last_pk = batch[-1]["pk"]
    audit.record(
        AuditAction.FIELD_KEYS_ROTATED,
        actor=actor,
        target_type="core.fieldkeys",
        data={"rotated": report.rotated, "already_current": report.current},
    )
    return report
