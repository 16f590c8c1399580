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

from .actions import issue_token, revoke_token
from .forms import TokenIssueForm
from .models import ApiToken


def _visible_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    return ApiToken.objects.restrict(request.user).select_related("grant__user", "created_by").order_by("-created_at")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The tokens the user may see; POST issues one for one of the user's own grants and shows its secret
    once, on this response only (never stored, never in a redirect's URL, not cached)."""
    form = TokenIssueForm(request.user, request.POST or None)
    issued: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = issue_token(
                request.user, form.cleaned_data["grant"], name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenIssueForm(request.user)
    context = {"tokens": _visible_tokens(request), "form": form, "issued": issued[0] if issued else None}
    context["secret"] = issued[1] if issued else ""
    response = render(request, "api/tokens.html", context, status=400 if form.errors else 200)
    if issued:
        response["Cache-Control"] = "no-store"
    return response


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
