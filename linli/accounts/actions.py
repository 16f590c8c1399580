"""Every write to accounts: users, their scopes, revealed personal data. Phone codes live in phone_codes.py,
two-factor devices in two_factor.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.validation import normalize_mobile
from linli.orgs.models import Unit
from linli.places.models import Place

from .choices import UNMASK_ROLES, Role
from .models import Grant, User
from .scopes import can, forget_scope, scope_of


def _can_manage_users(actor: Any) -> bool:
    scope = scope_of(actor)
    return scope.everything or scope.role in {Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER}


@transaction.atomic
def create_user(
    actor: Any,
    *,
    username: str,
    role: str,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    places: Sequence[Place] = (),
    units: Sequence[Unit] = (),
    superuser: bool = False,
) -> User:
    """Staff accounts are created by someone who may grant the scope; residents sign up by phone.
    `actor=None` is the system itself (sign-up, bootstrap commands); only it may make a superuser."""
    if actor is not None and not _can_manage_users(actor):
        raise PermissionDenied(_("You may not create accounts"))
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s"), params={"role": role})
    if actor is not None:
        _check_grantable(actor, places, units)
        if role == Role.PLATFORM_ADMIN and not scope_of(actor).everything:
            raise PermissionDenied(_("Only a platform administrator may create another"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Username %(name)s is taken"), params={"name": username})
    normalized = normalize_mobile(phone) if phone else ""
    if normalized and User.objects.filter(phone_digest=digest(normalized)).exists():
        raise ValidationError(_("This phone number already has an account"))
    if superuser and actor is not None:
        raise PermissionDenied(_("Superusers are created from the command line only"))
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        phone=normalized,
        is_superuser=superuser,
        is_staff=superuser,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    user.places.set(places)
    user.units.set(units)
    targets: list[dict[str, Any]] = [{"place": p} for p in places] + [{"unit": u} for u in units]
    for target in targets or [{}]:
        Grant.objects.create(user=user, role=role, granted_by=actor, **target)
    audit.record(AuditAction.USER_CREATED, actor=actor, target=user, data={"role": role})
    return user


def _check_grantable(actor: Any, places: Sequence[Place], units: Sequence[Unit]) -> None:
    for place in places:
        if not can(actor, "view", place):
            raise PermissionDenied(_("Place %s is outside your scope") % place.code)
    for unit in units:
        if not can(actor, "view", unit):
            raise PermissionDenied(_("Unit %s is outside your scope") % unit.code)


@transaction.atomic
def change_scope(actor: Any, user: User, *, places: Sequence[Place], units: Sequence[Unit]) -> User:
    if not _can_manage_users(actor) or not can(actor, "change", user):
        raise PermissionDenied(_("You may not change this account"))
    _check_grantable(actor, places, units)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {
        "places": sorted(user.places.values_list("code", flat=True)),
        "units": sorted(user.units.values_list("code", flat=True)),
    }
    user.places.set(places)
    user.units.set(units)
    forget_scope(user)
    audit.record(
        AuditAction.USER_SCOPE_CHANGED,
        actor=actor,
        target=user,
        data={
            "before": before,
            "after": {"places": sorted(p.code for p in places), "units": sorted(u.code for u in units)},
        },
    )
    return user


@transaction.atomic
def change_role(actor: Any, user: User, role: str) -> User:
    if not _can_manage_users(actor) or not can(actor, "change", user):
        raise PermissionDenied(_("You may not change this account"))
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s"), params={"role": role})
    if role == Role.PLATFORM_ADMIN and not scope_of(actor).everything:
        raise PermissionDenied(_("Only a platform administrator may create another"))
    user = User.objects.select_for_update().get(pk=user.pk)
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    forget_scope(user)
    audit.record(AuditAction.USER_ROLE_CHANGED, actor=actor, target=user, data={"from": old, "to": role})
    return user


PROFILE_FIELDS = ("display_name", "email", "first_name", "last_name", "is_active")


@transaction.atomic
def update_profile(actor: Any, user: User, *, password: str | None = None, **changes: Any) -> User:
    """Name, e-mail, active flag and password; role and scope have their own actions."""
    if not _can_manage_users(actor) or not can(actor, "change", user):
        raise PermissionDenied(_("You may not change this account"))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.save()
    audit.record(
        AuditAction.USER_UPDATED,
        actor=actor,
        target=user,
        data={"before": before, "after": changes, "password_changed": bool(password)},
    )
    return user


# --------------------------------------------------------------------------------------------------
# Personal data in the clear


def reveal(actor: Any, obj: Any, field: str, reason: str = "") -> str:
    """The clear value of a personal-data field, for roles that need it; every call is an audit event."""
    scope = scope_of(actor)
    if not (scope.everything or scope.role in UNMASK_ROLES) or not can(actor, "view", obj):
        raise PermissionDenied(_("Your role may not see this in full"))
    value = str(getattr(obj, field) or "")
    audit.record(AuditAction.PERSONAL_DATA_REVEALED, actor=actor, target=obj, data={"field": field, "reason": reason})
    return value
