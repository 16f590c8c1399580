"""Writes to the deadline settings (DeadlineRule): district command and platform admins, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_responsibility_list
from linli.core import audit
from linli.core.choices import AuditAction

from ..models import DeadlineRule


def _describe(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "matter": rule.matter_id,
        "urgency": rule.urgency,
        "unit_kind": rule.unit_kind,
        "contact": rule.contact,
        "handle": rule.handle,
        "rehandle": rule.rehandle,
    }


@transaction.atomic
def save_deadline_rule(actor: Any, rule: DeadlineRule) -> DeadlineRule:
    if not can_edit_responsibility_list(actor):
        raise PermissionDenied(_("You may not change deadline settings"))
    if not (rule.contact or rule.handle or rule.rehandle):
        raise ValidationError(_("Set at least one deadline"))
    rule.full_clean()
    clash = DeadlineRule.objects.filter(matter=rule.matter, urgency=rule.urgency, unit_kind=rule.unit_kind)
    if clash.exclude(pk=rule.pk).exists():
        raise ValidationError(_("A rule for this matter, urgency and unit kind exists already"))
    before = _describe(DeadlineRule.objects.get(pk=rule.pk)) if rule.pk else None
    rule.save()
    audit.record(
        AuditAction.DEADLINE_RULE_SET, actor=actor, target=rule, data={"before": before, "after": _describe(rule)}
    )
    return rule


@transaction.atomic
def delete_deadline_rule(actor: Any, rule: DeadlineRule) -> None:
    if not can_edit_responsibility_list(actor):
        raise PermissionDenied(_("You may not change deadline settings"))
    data = _describe(rule)
    audit.record(AuditAction.DEADLINE_RULE_DELETED, actor=actor, target=rule, data=data)
    rule.delete()
