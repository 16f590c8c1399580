"""Every write to API tokens: issue (the secret is returned once and never stored) and revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import Grant
from linli.accounts.scopes import is_platform_admin
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from .models import ApiToken
from .tokens import new_token, token_digest


@transaction.atomic
def issue_token(actor: Any, grant: Grant, *, name: str, days: int) -> tuple[ApiToken, str]:
    """A token acting for the grant's user within that grant only, for `days` days (at most
    API_TOKEN_MAX_DAYS). `actor=None` is the operator's command line. Returns the token and its secret."""
    if actor is not None and not (is_platform_admin(actor) or actor.pk == grant.user_id):
        raise PermissionDenied(_("You may issue tokens only for your own grants"))
    name = check_plain_text((name or "").strip())  # shown on the token page and in the audit trail
    if not name:
        raise ValidationError(_("Give the token a name that says which client uses it"))
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(_("A token lasts from 1 to %(max)d days") % {"max": settings.API_TOKEN_MAX_DAYS})
    grant = Grant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if not Grant.objects.active().filter(pk=grant.pk).exists() or not grant.user.is_active:
        raise ValidationError(_("This grant is not in force"))
    prefix, secret = new_token()
    token = ApiToken.objects.create(
        name=name[:100],
        grant=grant,
        prefix=prefix,
        digest=token_digest(secret),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        AuditAction.API_TOKEN_ISSUED,
        actor=actor,
        target=token,
        data={"user": grant.user.username, "grant": grant.pk, "role": grant.role, "days": days},
    )
    return token, secret


@transaction.atomic
def revoke_token(actor: Any, token: ApiToken) -> ApiToken:
    """The token's owner, its issuer or a platform admin ends it now."""
    token = ApiToken.objects.select_for_update().select_related("grant").get(pk=token.pk)
    allowed = actor is None or is_platform_admin(actor) or actor.pk in {token.grant.user_id, token.created_by_id}
    if not allowed:
        raise PermissionDenied(_("You may not revoke this token"))
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked"))
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.API_TOKEN_REVOKED, actor=actor, target=token, data={"prefix": token.prefix})
    return token
