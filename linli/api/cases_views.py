"""Cases in the REST API: list and read (scoped), submit (with an Idempotency-Key), and one POST per step of
the workflow (linli.api.cases_steps). Every step calls linli.cases.actions; a refusal is a 403 and invalid
input a 400 with the action's messages, in the user's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.accounts.scopes import can, restrict
from linli.cases.actions import Submission, submit_request
from linli.cases.choices import AssignmentRole
from linli.cases.models import Case, CaseApproval, CaseAssignment, CaseEvent, CaseReturn, WhistleCall
from linli.cases.public import is_public_event
from linli.orgs.queries import matters_for
from linli.places.models import Place, subtree_q
from linli.places.queries import places_for

from .cases_serializers import CaseDetailSerializer, CaseQuery, CaseSummarySerializer, SubmitBody
from .cases_steps import STEPS, Step, photos, refusal_body
from .models import ApiToken

NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, pattern=r"^[0-9]{18}$", description="the case's number (date and id)"
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "maxLength": 120},
    OpenApiParameter.HEADER,
    required=False,
    description="a retry with the same key (at most 120 characters) returns the case made the first time",
)


def detail(user: Any, case: Case) -> dict[str, Any]:
    """The case as its reader may see it: every step for its handlers, the public ones for its reporter."""
    staff = can(user, "change", case)
    events = [
        e for e in CaseEvent.objects.restrict(user).filter(case=case).order_by("seq") if staff or is_public_event(e)
    ]
    case.visible_events = events  # type: ignore[attr-defined]
    case.current_co_units = [  # type: ignore[attr-defined]
        a.unit
        for a in restrict(
            CaseAssignment.objects.filter(case=case, role=AssignmentRole.CO, ended_at__isnull=True), user
        ).select_related("unit")
    ]
    case.photo_count = case.photos.count()  # type: ignore[attr-defined]
    parts = ("visible_returns", CaseReturn), ("visible_approvals", CaseApproval), ("visible_calls", WhistleCall)
    for name, model in parts:
        rows = restrict(model.objects.filter(case=case), user).order_by("pk") if staff else model.objects.none()
        setattr(case, name, list(rows.select_related(*[f for f in ("unit", "final_unit") if hasattr(model, f)])))
    return dict(CaseDetailSerializer(case).data)


class CaseViewSet(viewsets.GenericViewSet):
    """Requests (诉求) and their closed loop. Lists and reads are restricted to the caller's scope: the
    reporter's own requests, the places under their grants, the cases given to their units."""

    serializer_class = CaseSummarySerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{18}"

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.restrict(self.request.user, "view").select_related(
            "matter", "place", "lead_unit", "merged_into"
        )

    def get_object(self) -> Case:
        number = self.kwargs["number"]
        case = self.get_queryset().filter(pk=Case.pk_from_number(number) or 0).first()
        if case is None or case.number != number:
            raise Http404
        return case

    @extend_schema(parameters=[CaseQuery], responses=CaseSummarySerializer(many=True))
    def list(self, request: Request, format: str | None = None) -> Response:
        query = CaseQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        f: dict[str, Any] = query.validated_data  # type: ignore[assignment]
        qs = self.get_queryset()
        if f.get("state"):
            qs = qs.filter(state__in=[s.strip() for s in f["state"].split(",")])
        if f.get("matter"):
            qs = qs.filter(matter__in=matters_for(request.user).filter(code=f["matter"]))
        if f.get("place"):
            root = places_for(request.user).filter(code=f["place"]).first()
            qs = qs.filter(subtree_q(root.path, field="place__path")) if root else qs.none()
        if f.get("unit"):
            qs = qs.filter(lead_unit__code=f["unit"])
        if f.get("created_after"):
            qs = qs.filter(created_at__gte=f["created_after"])
        if f.get("created_before"):
            qs = qs.filter(created_at__lte=f["created_before"])
        if f.get("overdue") is not None:
            late = Q(handle_overdue=True) | Q(contact_overdue=True)
            qs = qs.filter(late) if f["overdue"] else qs.exclude(late)
        if f.get("q"):
            qs = qs.filter(Q(title__contains=f["q"]) | Q(body__contains=f["q"]))
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    @extend_schema(parameters=[NUMBER], responses=CaseDetailSerializer)
    def retrieve(self, request: Request, number: str, format: str | None = None) -> Response:
        return Response(detail(request.user, self.get_object()))

    @extend_schema(
        request=SubmitBody,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: CaseSummarySerializer,
            200: OpenApiResponse(CaseSummarySerializer, description="the Idempotency-Key was used before: that case"),
        },
    )
    def create(self, request: Request, format: str | None = None) -> Response:
        """Submit a request. It is committed with its number before this answers; routing follows. The answer is
        the case's summary."""
        body = SubmitBody(data=request.data)
        body.is_valid(raise_exception=True)
        d: dict[str, Any] = body.validated_data  # type: ignore[assignment]
        try:
            place = None
            if d["place"]:
                # Naming where a problem is needs no right to read that place (a resident names their building);
                # the intake action checks the place's level, and a grid worker's own grids.
                place = Place.objects.filter(code=d["place"], is_active=True).first()
                if place is None:
                    raise ValidationError({"place": "没有这个地点 / no such place"})
            matter = matters_for(request.user).filter(code=d["matter"], is_active=True).first() if d["matter"] else None
            if d["matter"] and matter is None:
                raise ValidationError({"matter": "没有这个事项 / no such matter"})
            sub = Submission(
                channel=d["channel"],
                body=d["body"],
                title=d["title"],
                place=place,
                longitude=d["longitude"],
                latitude=d["latitude"],
                address=d["address"],
                reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"],
                consent=d["consent"],
                urgency=d["urgency"],
                photos=photos(d["photos"]),
                matter=matter,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
            token = request.auth if isinstance(request.auth, ApiToken) else None
            case, created = submit_request(request.user, sub, api_client=token)
        except (PermissionDenied, ValidationError) as refusal:
            return Response(refusal_body(refusal), status=403 if isinstance(refusal, PermissionDenied) else 400)
        # The summary, not the detail with its timeline: intake is the busiest path (docs/benchmarks.md), and a
        # submitter who wants the timeline reads the case by its number.
        return Response(CaseSummarySerializer(case).data, status=201 if created else 200)

    def run_step(self, request: Request, step: Step) -> Response:
        case = self.get_object()
        data: dict[str, Any] = {}
        if step.body is not None:
            body = step.body(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data  # type: ignore[assignment]
        try:
            step.run(request.user, case, data)
        except (PermissionDenied, ValidationError) as refusal:
            return Response(refusal_body(refusal), status=403 if isinstance(refusal, PermissionDenied) else 400)
        fresh = self.get_queryset().filter(pk=case.pk).first()
        if fresh is None:  # the step took the case out of the caller's sight: say what became of it
            case.refresh_from_db()
            fresh = case
        return Response(detail(request.user, fresh))


def _step_view(name: str, step: Step) -> Any:
    def view(self: CaseViewSet, request: Request, number: str, format: str | None = None) -> Response:
        return self.run_step(request, step)

    # Named before `action` reads the name into the route's method map.
    view.__name__ = view.__qualname__ = f"step_{name.replace('-', '_')}"
    view.__doc__ = step.summary
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(
        parameters=[NUMBER],
        request=step.body,
        responses={200: CaseDetailSerializer},
        summary=step.summary,
        operation_id=f"cases_{name.replace('-', '_')}",
    )(routed)


for _name, _step in STEPS.items():
    setattr(CaseViewSet, f"step_{_name.replace('-', '_')}", _step_view(_name, _step))
