"""Thin views over linli.projects.actions and queries: pages read through `restrict`, every change is an
action that checks its own predicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import (
    can_claim_project,
    can_manage_projects,
    can_rate_project,
    can_report_on_project,
)
from linli.core.masking import mask_name

from . import actions, matching, queries
from .choices import ClaimState, ProjectState
from .forms import ProjectForm
from .models import Claim, Project


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "calls": queries.open_calls(user),
        "managed": queries.managed(user)[:100] if can_manage_projects(user) else None,
        "mine": queries.carried_by(user)[:50] if can_claim_project(user) else None,
        "can_create": can_manage_projects(user),
    }
    return render(request, "projects/index.html", context)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    if not can_manage_projects(request.user):
        raise PermissionDenied
    # From a deliberation result (议事协商): the decision becomes the goal, the topic its source.
    topic = queries.topic_to_carry_out(request.user, request.POST.get("topic") or request.GET.get("topic"))
    initial = (
        {
            "title": topic.title,
            "goal": topic.decision or topic.proposal,
            "need": topic.body[:2000],
            "place": topic.place,
        }
        if topic is not None
        else {}
    )
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = actions.create_project(
                request.user,
                title=data["title"],
                goal=data["goal"],
                need=data["need"],
                place=data["place"],
                deadline=data["deadline"],
                budget=data["budget"],
                resources=form.resource_list(),
                source_ref=queries.TOPIC_REF % topic.pk if topic is not None else None,
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            return redirect("projects:detail", project.pk)
    return render(request, "projects/new.html", {"form": form, "topic": topic})


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _rater_label(user: Any) -> str:
    return mask_name(getattr(user, "display_name", "") or user.username)


# States in which someone may still be found for the work.
SUGGESTING = (
    ProjectState.DRAFT,
    ProjectState.PUBLISHED,
    ProjectState.ASSIGNED,
    ProjectState.CHOSEN,
    ProjectState.IN_PROGRESS,
)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = queries.project_for(user, pk)
    if project is None:
        raise Http404
    manages = can_manage_projects(user, project.place)
    reports = project.reports.prefetch_related("photos").order_by("pk")
    ratings = list(project.ratings.select_related("rater").order_by("pk"))
    average, count = actions.rating_summary(project)
    suggesting = manages and project.state in SUGGESTING
    context = {
        "matches": matching.suggest_for_project(user, project) if suggesting else None,
        "project": project,
        "topic": queries.source_topic(user, project),
        "manages": manages,
        "claims": queries.claims_for(user, project).select_related("claimant"),
        "reports": reports,
        "ratings": [(r, _rater_label(r.rater)) for r in ratings],
        "average": average,
        "rating_count": count,
        "events": project.events.order_by("at", "pk"),
        "may_claim": project.state == ProjectState.PUBLISHED
        and can_claim_project(user, project)
        and not project.claims.filter(claimant_id=user.pk).exists(),
        "reporter": can_report_on_project(user, project),
        "may_rate": project.state == ProjectState.DONE
        and can_rate_project(user, project)
        and not project.ratings.filter(rater_id=user.pk).exists(),
        "S": ProjectState,
        "submitted": ClaimState.SUBMITTED,
    }
    return render(request, "projects/detail.html", context)


def _assign(request: HttpRequest, project: Project) -> None:
    claimant = queries.assignee(request.POST.get("claimant", ""))
    actions.assign_project(request.user, project, claimant, request.POST.get("organisation", ""))


STEPS: dict[str, Callable[[HttpRequest, Project], Any]] = {
    "publish": lambda r, p: actions.publish_call(r.user, p),
    "assign": _assign,
    "claim": lambda r, p: actions.submit_claim(
        r.user,
        p,
        organisation=r.POST.get("organisation", ""),
        proposal=r.POST.get("proposal", ""),
        requested_budget=r.POST.get("requested_budget", ""),
    ),
    "start": lambda r, p: actions.start(r.user, p),
    "progress": lambda r, p: actions.report_progress(
        r.user, p, text=r.POST.get("text", ""), photos=r.FILES.getlist("photos")
    ),
    "done": lambda r, p: actions.report_done(r.user, p, text=r.POST.get("text", ""), photos=r.FILES.getlist("photos")),
    "rate": lambda r, p: actions.rate(r.user, p, score=r.POST.get("score"), comment=r.POST.get("comment", "")),
    "close": lambda r, p: actions.close(r.user, p),
    "cancel": lambda r, p: actions.cancel(r.user, p, reason=r.POST.get("reason", "")),
}


def _run(request: HttpRequest, step: Callable[[], Any]) -> None:
    try:
        step()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this"))
    else:
        messages.success(request, _("Done."))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    step = STEPS.get(name)
    project = queries.project_for(request.user, pk)
    if step is None or project is None:
        raise Http404
    _run(request, lambda: step(request, project))
    return redirect("projects:detail", pk)


@login_required
@require_POST
def choose(request: HttpRequest, pk: int) -> HttpResponse:
    claim = Claim.objects.restrict(request.user).select_related("project").filter(pk=pk).first()
    if claim is None:
        raise Http404
    _run(request, lambda: actions.choose_claim(request.user, claim))
    return redirect("projects:detail", claim.project_id)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A progress photo, served only to someone who may read its project (never a public media URL)."""
    found = queries.photo_for(request.user, pk)
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
