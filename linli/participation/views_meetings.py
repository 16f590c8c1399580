"""Meeting pages: calling a meeting on a topic, the meeting's page (invitees, attendance, minutes) and its
minutes document, served only to those who may read the topic."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import can_steer_topic

from . import queries_topics as q
from .actions import meetings
from .documents import TYPES
from .forms_topics import MeetingForm, MinutesForm
from .views_topics import errors_into


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    topic = q.topic_or_404(request.user, pk)
    if not can_steer_topic(request.user, topic):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.schedule_meeting(
                request.user,
                topic,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                location=form.cleaned_data["location"],
                invitees=form.invitee_rows(),
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Meeting called"))
            return redirect("participation:meeting_detail", meeting.pk)
    status = 400 if form.errors else 200
    return render(request, "participation/topics/meeting_new.html", {"form": form, "topic": topic}, status=status)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = q.meeting_or_404(request.user, pk)
    steer = can_steer_topic(request.user, meeting.topic)
    context = {
        "meeting": meeting,
        "topic": meeting.topic,
        "attendees": list(meeting.attendees.all()),
        "steer": steer,
        "minutes_form": MinutesForm() if steer else None,
    }
    return render(request, "participation/topics/meeting.html", context)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = q.meeting_or_404(request.user, pk)
    came = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
    marks = {a.pk: a.pk in came for a in meeting.attendees.all()}
    extra = [{"name": n.strip(), "capacity": ""} for n in request.POST.get("walk_ins", "").splitlines() if n.strip()]
    try:
        meetings.record_attendance(request.user, meeting, marks, extra=extra)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Attendance recorded"))
    return redirect("participation:meeting_detail", meeting.pk)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = q.meeting_or_404(request.user, pk)
    form = MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            meetings.record_minutes(
                request.user, meeting, text_=form.cleaned_data["minutes"], document=form.cleaned_data["document"]
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Minutes recorded"))
            return redirect("participation:meeting_detail", meeting.pk)
    context = {
        "meeting": meeting,
        "topic": meeting.topic,
        "attendees": list(meeting.attendees.all()),
        "steer": can_steer_topic(request.user, meeting.topic),
        "minutes_form": form,
    }
    return render(request, "participation/topics/meeting.html", context, status=400)


@login_required
@require_GET
def meeting_document(request: HttpRequest, pk: int) -> FileResponse:
    meeting = q.meeting_or_404(request.user, pk)
    if not meeting.minutes_file:
        raise Http404
    extension = PurePosixPath(meeting.minutes_file.name or "").suffix.lower()
    if extension not in TYPES:
        raise Http404
    response = FileResponse(
        meeting.minutes_file.open("rb"),
        content_type=TYPES[extension],
        as_attachment=extension == ".docx",
        filename=f"minutes-{meeting.pk}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
