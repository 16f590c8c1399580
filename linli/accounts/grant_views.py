"""The grants page: platform admins and district command list the accounts they manage, give and end roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import grant_actions
from .grant_forms import GrantForm
from .models import Grant, User
from .predicates import can_manage_grants


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_grants(request.user):
        raise PermissionDenied


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = GrantForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant_actions.add_grant(
                request.user,
                data["user"],
                role=data["role"],
                place=data["place"],
                unit=data["unit"],
                valid_to=data["valid_to"],
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Role granted to %(user)s") % {"user": data["user"]})
            return redirect("accounts:grants")
    query = request.GET.get("q", "").strip()
    in_force = Grant.objects.restrict(request.user).active().select_related("place", "unit").order_by("role", "pk")
    users = (
        User.objects.restrict(request.user, "change")
        .prefetch_related(Prefetch("grants", queryset=in_force, to_attr="grants_in_force"))
        .order_by("username")
    )
    if query:
        users = users.filter(username__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grants.html", {"form": form, "page": page, "q": query})


@login_required
def end_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST ends the grant (the row stays, with its end)."""
    _require_manager(request)
    grant = get_object_or_404(
        Grant.objects.restrict(request.user, "change").select_related("user", "place", "unit"), pk=pk
    )
    if request.method == "POST":
        try:
            grant_actions.end_grant(request.user, grant)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Grant ended"))
        return redirect("accounts:grants")
    return render(request, "accounts/grant_end.html", {"grant": grant})
