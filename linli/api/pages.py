"""The page where a token's owner (or a platform admin) sees API tokens and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .actions import revoke_token
from .models import ApiToken


def _visible_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return ApiToken.objects.restrict(request.user).select_related("grant__user", "created_by").order_by("-created_at")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "api/tokens.html", {"tokens": _visible_tokens(request)})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(_visible_tokens(request), pk=pk)
    try:
        revoke_token(request.user, token)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Token %(prefix)s is revoked") % {"prefix": token.prefix})
    return redirect("api:tokens")
