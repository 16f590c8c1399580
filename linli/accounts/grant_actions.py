"""Every write to grants: a role given over a place or unit for a period, or ended (DESIGN §1, issue 15).

Only a platform administrator, or district command inside its district, may grant or end; nobody changes
their own grants; district command never hands out the platform-admin or auditor role (see
`predicates.can_grant`). A grant is never deleted: ending it sets `valid_to`, so the history stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.choices import AuditAction

from .choices import Role
from .models import Grant, User
from .predicates import can_end_grant, can_grant
from .scopes import forget_scope

SELF_SERVICE_ROLES = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def describe(grant: Grant) -> dict[str, Any]:
    """A grant as the audit trail and the API show it: role, place or unit code, end."""
    return {
        "role": grant.role,
        "place": grant.place.code if grant.place_id else None,  # type: ignore[union-attr]
        "unit": grant.unit.code if grant.unit_id else None,  # type: ignore[union-attr]
        "valid_to": grant.valid_to.isoformat() if grant.valid_to else None,
    }


def _in_force(user: User) -> list[dict[str, Any]]:
    grants = Grant.objects.active().filter(user=user).select_related("place", "unit").order_by("pk")
    return [describe(g) for g in grants]


def _record(actor: Any, user: User, change: str, grant: Grant, before: list[dict[str, Any]]) -> None:
    """One audit event per change: which grant, and the grants in force before and after (old → new)."""
    audit.record(
        AuditAction.USER_ROLE_CHANGED,
        actor=actor,
        target=user,
        data={change: describe(grant), "before": before, "after": _in_force(user)},
    )


@transaction.atomic
def add_grant(
    actor: Any,
    user: User,
    *,
    role: str,
    place: Any = None,
    unit: Any = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Grant:
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s"), params={"role": role})
    if place is not None and unit is not None:
        raise ValidationError(_("A grant names a place or a unit, not both"))
    start = valid_from or timezone.now()
    if valid_to is not None and valid_to <= start:
        raise ValidationError(_("A grant must end after it starts"))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if actor is None:
        # The system itself (a resident's own volunteer sign-up, confirmed by the calling action's predicate)
        # may give only the roles a person takes on by signing up, never a staff role.
        if role not in SELF_SERVICE_ROLES:
            raise PermissionDenied(_("You may not grant this role here"))
    elif not can_grant(actor, locked, role, place=place, unit=unit):
        raise PermissionDenied(_("You may not grant this role here"))
    before = _in_force(locked)
    grant = Grant.objects.create(
        user=locked, role=role, place=place, unit=unit, valid_from=start, valid_to=valid_to, granted_by=actor
    )
    forget_scope(user)
    _record(actor, locked, "added", grant, before)
    return grant


@transaction.atomic
def end_grant(actor: Any, grant: Grant, *, at: datetime | None = None) -> Grant:
    """End a grant now (or at `at`, not before it started); the row stays for the record."""
    locked_user = User.objects.select_for_update().get(pk=grant.user_id)
    grant = Grant.objects.select_for_update(of=("self",)).select_related("place", "unit").get(pk=grant.pk)
    if not can_end_grant(actor, grant):
        raise PermissionDenied(_("You may not end this grant"))
    moment = at or timezone.now()
    if grant.valid_to is not None and grant.valid_to <= timezone.now():
        raise ValidationError(_("This grant has already ended"))
    if moment <= grant.valid_from:
        raise ValidationError(_("A grant must end after it starts"))
    before = _in_force(locked_user)
    grant.valid_to = moment
    grant.save(update_fields=["valid_to"])
    forget_scope(grant.user)
    _record(actor, locked_user, "ended", grant, before)
    return grant
