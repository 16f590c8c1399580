"""The home page: one per role, each showing what that role works on, within its scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.accounts.predicates import can_import_cases, can_report_found, can_take_hotline_calls, is_government_staff
from linli.core.masking import mask_phone
from linli.orgs.choices import MatterClass
from linli.orgs.queries import matters_for, units_for
from linli.people.queries_care import home_summary
from linli.places.choices import PlaceLevel
from linli.places.queries import places_for
from linli.worktime.clock import years_to_warn

from .audit import verify_chain
from .models import AuditEvent
from .roles import SESSION_KEY, current_role, held_roles

TEMPLATES = {
    Role.RESIDENT: "home/resident.html",
    Role.VOLUNTEER: "home/volunteer.html",
    Role.SERVICE_PROVIDER: "home/service_provider.html",
    Role.AUDITOR: "home/auditor.html",
    Role.GRID_WORKER: "home/grid_worker.html",
    Role.COMMUNITY_WORKER: "home/community.html",
    Role.COMMUNITY_SECRETARY: "home/community.html",
    Role.STREET_DISPATCHER: "home/street.html",
    Role.DEPARTMENT_HANDLER: "home/department.html",
    Role.DISTRICT_COMMAND: "home/district.html",
    Role.PLATFORM_ADMIN: "home/admin.html",
}


def _level_counts(user: Any) -> dict[str, int]:
    counts = dict(places_for(user).values_list("level").annotate(n=Count("id")).order_by())
    return {level: counts.get(level, 0) for level in PlaceLevel.values}


@login_required
@require_POST
def switch_role(request: HttpRequest) -> HttpResponse:
    """Keep the picked role for this session; a role the user does not hold is ignored."""
    role = request.POST.get("role", "")
    if role in held_roles(request):
        request.session[SESSION_KEY] = role
    return redirect("home")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    role = current_role(request)
    if role is None:
        raise PermissionDenied(_("You hold no role in force; ask an administrator"))
    grants = Grant.objects.active().filter(user=user, role=role).select_related("place", "unit")
    context: dict[str, Any] = {
        "role_label": Role(role).label,
        "scope_places": [g.place for g in grants if g.place is not None],
        "scope_units": [g.unit for g in grants if g.unit is not None],
        # The intake doors this person may use, shown on every home page (residents: the request form).
        "intake": {
            "report": role in (Role.RESIDENT, Role.VOLUNTEER),
            "hotline": can_take_hotline_calls(user),
            "found": can_report_found(user),
            "import": can_import_cases(user),
        },
    }
    if is_government_staff(user):
        counts = _level_counts(user)
        context["counts"] = [
            (PlaceLevel(level).label, counts[level]) for level in PlaceLevel.values[2:] if counts[level]
        ]
        context["households"] = places_for(user).filter(level=PlaceLevel.GRID).aggregate(n=Sum("households"))["n"] or 0
    if role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY):
        context["grids"] = (
            places_for(user).filter(level=PlaceLevel.GRID).annotate(estates=Count("children")).order_by("code")
        )
        # Care visits due and overdue; community staff see them per grid (linli.people.queries_care).
        context["care"] = home_summary(user, by_grid=role != Role.GRID_WORKER)
    elif role == Role.STREET_DISPATCHER:
        context["communities"] = (
            places_for(user).filter(level=PlaceLevel.COMMUNITY).annotate(grids=Count("children")).order_by("code")
        )
        context["units"] = units_for(user).order_by("kind", "code")[:50]
    elif role == Role.DEPARTMENT_HANDLER:
        types = {u.department_type for u in context["scope_units"]}
        context["matters"] = matters_for(user).filter(department_type__in=types).order_by("code")
    elif role in (Role.DISTRICT_COMMAND, Role.PLATFORM_ADMIN):
        context["streets"] = (
            places_for(user).filter(level=PlaceLevel.STREET).annotate(communities=Count("children")).order_by("code")
        )
        context["unit_count"] = units_for(user).count()
        context["matter_by_class"] = (
            matters_for(user).values_list("category").annotate(n=Count("id")).order_by("category")
        )
        context["matter_labels"] = dict(MatterClass.choices)
        context["missing"] = years_to_warn()
    if role in (Role.AUDITOR, Role.PLATFORM_ADMIN):
        context["events"] = AuditEvent.objects.restrict(user).select_related("actor")[:30]
        context["chain_broken_at"] = verify_chain()
    if role in (Role.RESIDENT, Role.VOLUNTEER, Role.SERVICE_PROVIDER):
        context["masked_phone"] = mask_phone(user.phone)
        context["catalogue"] = matters_for(user).values_list("category").annotate(n=Count("id")).order_by("category")
        context["matter_labels"] = dict(MatterClass.choices)
    return render(request, TEMPLATES[Role(role)], context)
