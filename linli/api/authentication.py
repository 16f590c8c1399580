"""`Authorization: Bearer <token>` (or `Token <token>`) for programs calling the API.

The token acts for its grant's user within that grant only: the user object carries
`only_grant_ids = frozenset({grant.pk})`, which the scope module reads to narrow what the call may see.
An expired or revoked token, or one whose grant or user is no longer active, is refused with 401.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from linli.accounts.scopes import prime_scope

from .models import ApiToken
from .tokens import token_digest, token_prefix

KEYWORDS = (b"bearer", b"token")
# Recording every call would write a row per request; a minute is fine-grained enough to see use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours (a session, or nothing): other classes decide
        if len(parts) != 2:
            raise AuthenticationFailed(_("Malformed Authorization header: use 'Bearer <token>'"))
        try:
            text = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token")) from None
        return self.authenticate_token(text)

    def authenticate_token(self, text: str) -> tuple[Any, ApiToken]:
        prefix = token_prefix(text)
        now = timezone.now()
        # The grant, its user and place come with the token: one query per call, and the scope needs no more.
        token = None
        if prefix:
            try:  # get(), not first(): the prefix is unique, and first()'s ORDER BY is work for nothing
                token = ApiToken.objects.select_related("grant__user", "grant__place").get(prefix=prefix)
            except ApiToken.DoesNotExist:
                pass
        if token is None or not constant_time_compare(token.digest, token_digest(text)):
            raise AuthenticationFailed(_("Invalid token"))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token was revoked"))
        if token.expires_at <= now:
            raise AuthenticationFailed(_("This token has expired"))
        user = token.grant.user
        if not user.is_active or not token.grant.in_force(now):
            raise AuthenticationFailed(_("The grant this token acts for is no longer in force"))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            # Conditional, so parallel calls in the same minute write at most once.
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        user.only_grant_ids = frozenset({token.grant_id})  # type: ignore[attr-defined]
        prime_scope(user, token.grant)  # the grant, its place and that it is in force came with the token
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "linli.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "linli_<prefix>_<secret>"}
