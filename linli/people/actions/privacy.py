"""Personal data in the clear (个人信息保护法). Every reveal and every export writes exactly one row of the
access log, which is the audit chain: append-only, hash-linked, read by auditors and changed by nobody."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_export_registry, can_export_unmasked, can_give_subject_copy, can_reveal_person
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from ..models import Person
from ..presenting import REVEALABLE


@transaction.atomic
def reveal_person(actor: Any, person: Person, fields: Iterable[str] = REVEALABLE, reason: str = "") -> dict[str, str]:
    """The clear values of `fields`; a sensitive record (a minor's) is revealed only with a reason."""
    wanted = [f for f in REVEALABLE if f in set(fields)]
    if not wanted:
        raise ValidationError(_("Nothing to reveal"))
    if not can_reveal_person(actor, person):
        raise PermissionDenied(_("Your role may not see this in full"))
    reason = check_plain_text((reason or "").strip())[:200]
    if person.is_sensitive and not reason:
        raise ValidationError({"reason": [_("This record is sensitive (a minor's): say why you need it in full")]})
    values = {f: str(getattr(person, f) or "") for f in wanted}
    values["name"] = person.name
    if person.birth_date:
        values["birth_date"] = person.birth_date.isoformat()
    audit.record(
        AuditAction.PERSONAL_DATA_REVEALED,
        actor=actor,
        target=person,
        data={"fields": wanted, "reason": reason, "sensitive": person.is_sensitive},
    )
    return values


def record_export(actor: Any, *, what: str, count: int, unmasked: bool, filters: dict[str, Any]) -> None:
    """One access-log row for one export, whatever its size: who, what, how many, in the clear or masked."""
    if not can_export_registry(actor) or (unmasked and not can_export_unmasked(actor)):
        raise PermissionDenied(_("You may not export this"))
    audit.record(
        AuditAction.PERSONS_EXPORTED,
        actor=actor,
        target_type="people." + what,
        data={"count": count, "unmasked": unmasked, "filters": {k: str(v) for k, v in filters.items()}},
    )


def record_subject_copy(actor: Any, person: Person) -> None:
    if not can_give_subject_copy(actor, person):
        raise PermissionDenied(_("You may not give out this person's data"))
    audit.record(AuditAction.PERSON_DATA_COPIED, actor=actor, target=person, data={})
