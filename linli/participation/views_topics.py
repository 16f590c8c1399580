"""Deliberation pages: the topic list, raising a topic, the topic's page (timeline, discussion, meetings,
decision, follow-up cases) and the posts that move it. Thin: each reads through queries_topics (which starts
from `restrict`), checks the named predicate to offer a form, and writes through the actions, whose refusals
come back as messages on the topic's page (or under the form's fields on the forms of their own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_comment, can_moderate_topics, can_steer_topic
from linli.accounts.scopes import under_any
from linli.places.queries import places_for
from linli.projects import queries as project_queries

from . import queries_topics as q
from .actions import discussion, follow_up, topics
from .choices import DecisionKind, DecisionOutcome, TopicState, VoteState
from .forms_topics import (
    CaseForm,
    CommentForm,
    DecideForm,
    FilterForm,
    ProposalForm,
    ReasonForm,
    RejectForm,
    TopicForm,
    VoteForm,
)
from .models import Comment, Meeting, Topic
from .models_votes import Vote

PAGE_SIZE = 30
S = TopicState


def errors_into(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = FilterForm(request.GET or None, places=q.filter_places(user))
    state, place = "", None
    if filters.is_valid():
        state, place = filters.cleaned_data["state"], filters.cleaned_data["place"]
    page = Paginator(q.topic_list(user, state=state, place=place), PAGE_SIZE).get_page(request.GET.get("page"))
    may_raise = q.raise_places(user).exists()
    return render(request, "participation/topics/list.html", {"page": page, "filters": filters, "may_raise": may_raise})


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    places = q.raise_places(request.user)
    if not places.exists():
        raise PermissionDenied
    form = TopicForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            topic = topics.raise_topic(request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Your topic is raised; the community committee will take it up"))
            return redirect("participation:topic_detail", topic.pk)
    return render(request, "participation/topics/new.html", {"form": form}, status=400 if form.errors else 200)


def _votes_for(user: Any, topic: Topic) -> Any:
    return (
        Vote.objects.restrict(user, "change")
        .filter(state__in=[VoteState.DRAFT, VoteState.OPEN], topic__isnull=True)
        .filter(under_any([topic.place.path], "place__path"))
        .order_by("-opens_at")
    )


def _case_places(user: Any, topic: Topic) -> Any:
    return places_for(user).filter(under_any([topic.place.path], "path"), is_active=True).order_by("path")


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    topic = q.topic_or_404(user, pk)
    steer = can_steer_topic(user, topic)
    events = q.timeline(topic)
    context: dict[str, Any] = {
        "topic": topic,
        "raiser": q.raiser_name(topic),
        "events": events,
        "decision_event": next((e for e in reversed(events) if e.kind == "decided"), None),
        "thread": q.thread(topic),
        "meetings": q.meetings(topic),
        "follow_ups": q.follow_ups(topic),
        "may_comment": can_comment(user, topic) and topic.state in discussion.DISCUSSABLE,
        "may_moderate": can_moderate_topics(user, topic),
        "steer": steer,
        "comment_form": CommentForm(),
        "tally": q.vote_summary(topic.vote.result) if topic.vote_id and topic.vote else [],
        "S": S,
        "VOTE": DecisionKind.VOTE,
        "ADOPTED": DecisionOutcome.ADOPTED,
    }
    if steer:
        context.update(
            proposal_form=ProposalForm(initial={"proposal": topic.proposal}),
            decide_form=DecideForm(meetings=Meeting.objects.filter(topic=topic)),
            vote_form=VoteForm(votes=_votes_for(user, topic)) if topic.state == S.PROPOSED else None,
            case_form=CaseForm(places=_case_places(user, topic), initial={"place": topic.place_id})
            if topic.state in (S.DECIDED, S.FOLLOWING_UP)
            else None,
            reject_form=RejectForm(),
            may_make_project=project_queries.topic_to_carry_out(user, str(topic.pk)) is not None,
            projects=project_queries.from_topic(user, topic),
            hide_form=ReasonForm(),
        )
    return render(request, "participation/topics/detail.html", context)


def _post(
    request: HttpRequest,
    pk: int,
    run: Callable[[Any, Topic, dict[str, Any]], Any],
    form_class: Any = None,
    done: str = "",
    **form_kwargs: Any,
) -> HttpResponse:
    """Find the topic in the user's reach, check the form, run the action; refusals become messages."""
    topic = q.topic_or_404(request.user, pk)
    data: dict[str, Any] = {}
    if form_class is not None:
        kwargs = {k: (v(request.user, topic) if callable(v) else v) for k, v in form_kwargs.items()}
        form = form_class(request.POST, request.FILES or None, **kwargs)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("participation:topic_detail", topic.pk)
        data = form.cleaned_data
    try:
        run(request.user, topic, data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if done:
            messages.success(request, done)
    return redirect("participation:topic_detail", topic.pk)


@login_required
@require_POST
def topic_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, lambda u, t, d: topics.open_discussion(u, t), done=_("Opened for discussion"))


@login_required
@require_POST
def topic_comment(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: Any, topic: Topic, data: dict[str, Any]) -> Any:
        parent = Comment.objects.filter(pk=data["parent"], topic=topic).first() if data.get("parent") else None
        if data.get("parent") and parent is None:
            raise ValidationError(_("The comment you reply to is not under this topic"))
        return discussion.comment(user, topic, data["body"], parent=parent, name_masked=data["name_masked"])

    return _post(request, pk, run, CommentForm, done=_("Comment posted"))


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Comment.objects.restrict(request.user), pk=pk)

    def run(user: Any, topic: Topic, data: dict[str, Any]) -> Any:
        return discussion.hide_comment(user, row, data["reason"])

    return _post(request, row.topic_id, run, ReasonForm, done=_("Comment hidden"))


@login_required
@require_POST
def topic_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request, pk, lambda u, t, d: topics.draft_proposal(u, t, d["proposal"]), ProposalForm, done=_("Proposal saved")
    )


@login_required
@require_POST
def topic_decide(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: Any, topic: Topic, d: dict[str, Any]) -> Any:
        return topics.decide_by_committee(user, topic, d["outcome"], d["decision"], d["minutes"], meeting=d["meeting"])

    return _post(
        request, pk, run, DecideForm, done=_("Decision recorded"), meetings=lambda u, t: Meeting.objects.filter(topic=t)
    )


@login_required
@require_POST
def topic_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda u, t, d: topics.put_to_vote(u, t, d["vote"]),
        VoteForm,
        done=_("The topic is put to the vote"),
        votes=_votes_for,
    )


@login_required
@require_POST
def topic_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, lambda u, t, d: topics.publish_result(u, t), done=_("Result published"))


@login_required
@require_POST
def topic_case(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: Any, topic: Topic, d: dict[str, Any]) -> Any:
        return follow_up.open_follow_up_case(user, topic, d["text"], title=d["title"], place=d["place"])

    return _post(request, pk, run, CaseForm, done=_("Follow-up case opened"), places=_case_places)


@login_required
@require_POST
def topic_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, lambda u, t, d: follow_up.mark_done(u, t), done=_("The topic is done"))


@login_required
@require_POST
def topic_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda u, t, d: topics.reject_topic(u, t, d["reason"]),
        RejectForm,
        done=_("The topic is not taken up"),
    )
