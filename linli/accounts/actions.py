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

from .choices import Role
from .models import Grant, User
from .predicates import can_grant, can_manage_grants, can_reveal_personal_data


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
    """An account with its first grants: `role` over each of `places` and `units` (or over neither).

    Staff accounts are created by someone who may grant that role there (see predicates.can_grant);
    residents sign up by phone. `actor=None` is the system itself (sign-up, bootstrap commands); only it may
    make a superuser."""
    if actor is not None and not can_manage_grants(actor):
        raise PermissionDenied(_("You may not create accounts"))
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s"), params={"role": role})
    if superuser and actor is not None:
        raise PermissionDenied(_("Superusers are created from the command line only"))
    targets: list[dict[str, Any]] = [{"place": p} for p in places] + [{"unit": u} for u in units]
    user = User(username=username, display_name=display_name, is_superuser=superuser, is_staff=superuser)
    if actor is not None and not all(can_grant(actor, user, role, **target) for target in targets or [{}]):
        raise PermissionDenied(_("You may not grant this role here"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Username %(name)s is taken"), params={"name": username})
    normalized = normalize_mobile(phone) if phone else ""
    if normalized and User.objects.filter(phone_digest=digest(normalized)).exists():
        raise ValidationError(_("This phone number already has an account"))
    user.phone = normalized
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    for target in targets or [{}]:
        Grant.objects.create(user=user, role=role, granted_by=actor, **target)
    audit.record(
        AuditAction.USER_CREATED,
        actor=actor,
        target=user,
        data={
            "role": role,
            "places": sorted(p.code for p in places),
            "units": sorted(u.code for u in units),
        },
    )
    return user


PROFILE_FIELDS = ("display_name", "email", "first_name", "last_name", "is_active")


@transaction.atomic
def update_profile(actor: Any, user: User, *, password: str | None = None, **changes: Any) -> User:
    """Name, e-mail, active flag and password of someone else's account; grants have their own actions."""
    if not can_manage_grants(actor, user):
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
    if not can_reveal_personal_data(actor, obj):
        raise PermissionDenied(_("Your role may not see this in full"))
    value = str(getattr(obj, field) or "")
    audit.record(AuditAction.PERSONAL_DATA_REVEALED, actor=actor, target=obj, data={"field": field, "reason": reason})
    return value
