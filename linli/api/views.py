"""REST API. Every queryset starts from `.restrict(request.user)`; there is no unscoped list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from linli.orgs.directory import assignable_units
from linli.orgs.models import Matter, Unit
from linli.orgs.queries import matters_for, responsible_unit, units_for
from linli.places.models import Place
from linli.places.queries import places_for, resolve_address, resolve_point

from .serializers import (
    CorrectionRequest,
    DecideRequest,
    DecisionSerializer,
    MatterSerializer,
    MeSerializer,
    PlaceSerializer,
    ResolveQuery,
    ResponsibilityAnswer,
    ResponsibilityQuery,
    UnitSerializer,
)


class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlaceSerializer

    def get_queryset(self) -> QuerySet[Place]:
        qs = places_for(self.request.user).select_related("parent").order_by("path")
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        under = self.request.query_params.get("under")
        if under:
            root = places_for(self.request.user).filter(code=under).first()
            qs = qs.under(root) if root else qs.none()
        return qs

    @extend_schema(
        parameters=[ResolveQuery],
        responses={200: PlaceSerializer, 404: OpenApiResponse(description="No place in your scope matches")},
    )
    @action(detail=False, methods=["get"])
    def resolve(self, request: Request, format: str | None = None) -> Response:  # DRF passes the .json suffix
        query = ResolveQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data  # type: ignore[assignment]
        place: Place | None
        score = None
        if data.get("lon") is not None and data.get("lat") is not None:
            place = resolve_point(data["lon"], data["lat"])
        else:
            match = resolve_address(data["address"])
            place, score = (match.place, match.score) if match else (None, None)
        if place is None or not places_for(request.user).filter(pk=place.pk).exists():
            return Response({"detail": "没有找到范围内的地点 / no place in your scope matches"}, status=404)
        body = dict(PlaceSerializer(place).data)
        body["score"] = score
        return Response(body)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return units_for(self.request.user).order_by("code")


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, pattern=r"^[^/.]+$")])
)
class MatterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MatterSerializer
    lookup_field = "code"
    # The router's own default, spelt out so that the OpenAPI document states it: a "code" with a slash or a
    # dot never reaches this view (a client's URL normalising would even send "../x" elsewhere).
    lookup_value_regex = r"[^/.]+"

    def get_queryset(self) -> QuerySet[Matter]:
        qs = matters_for(self.request.user).order_by("code")
        category = self.request.query_params.get("category")
        return qs.filter(category=category) if category else qs


@extend_schema(
    parameters=[OpenApiParameter("matter", str), OpenApiParameter("place", str, required=True)],
    responses={200: ResponsibilityAnswer, 404: OpenApiResponse(description="No such place or matter in your scope")},
)
@api_view(["GET"])
def responsibility(request: Request) -> Response:
    query = ResponsibilityQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    data: dict[str, Any] = query.validated_data  # type: ignore[assignment]
    place = get_object_or_404(places_for(request.user), code=data["place"])
    matter = None
    if data.get("matter"):
        matter = get_object_or_404(matters_for(request.user), code=data["matter"])
    answer = responsible_unit(matter, place)
    return Response(
        {
            "unit": UnitSerializer(answer.unit).data if answer.unit else None,
            "reason": answer.reason,
            "fallback": answer.fallback,
            "place": PlaceSerializer(place).data,
        }
    )


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who the caller is: the grants in force (narrowed to a token's grants when one is used)."""
    from linli.accounts.grant_actions import describe
    from linli.accounts.models import Grant
    from linli.accounts.scopes import roles_of, scope_of

    user: Any = request.user
    ids = [g.pk for g in scope_of(user).grants]
    grants = Grant.objects.filter(pk__in=ids).select_related("place", "unit").order_by("role", "pk")
    return Response(
        {"username": user.username, "roles": sorted(roles_of(user)), "grants": [describe(g) for g in grants]}
    )


@extend_schema(request=DecideRequest, responses={201: DecisionSerializer})
@api_view(["POST"])
def dispatch_decide(request: Request) -> Response:
    """Decide and store: the entry point the case workflow and outside systems call."""
    from linli.accounts.predicates import can_dispatch
    from linli.dispatch import services as dispatch_services

    if not can_dispatch(request.user):
        return Response({"detail": "无权使用智能派单 / not allowed"}, status=403)
    query = DecideRequest(data=request.data)
    query.is_valid(raise_exception=True)
    data: dict[str, Any] = query.validated_data  # type: ignore[assignment]
    _decision, stored = dispatch_services.decide_and_record(
        request.user,
        data["title"],
        data["body"],
        longitude=data["longitude"],
        latitude=data["latitude"],
        address=data["address"],
        channel=data["channel"],
        case_ref=data["case_ref"],
    )
    return Response(DecisionSerializer(stored).data, status=201)


@extend_schema(
    request=CorrectionRequest,
    responses={
        200: DecisionSerializer,
        404: OpenApiResponse(description="No such decision, unit or matter in your scope"),
    },
)
@api_view(["POST"])
def dispatch_correct(request: Request, pk: int) -> Response:
    from django.core.exceptions import PermissionDenied, ValidationError

    from linli.dispatch import actions as dispatch_actions
    from linli.dispatch.queries import decisions_for

    decision = get_object_or_404(decisions_for(request.user), pk=pk)
    body = CorrectionRequest(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = body.validated_data  # type: ignore[assignment]
    # Units a correction may name come from the assignee directory, not from what the user may read.
    unit = get_object_or_404(assignable_units(request.user, place=decision.place), code=data["unit"])
    matter = get_object_or_404(matters_for(request.user), code=data["matter"]) if data.get("matter") else None
    try:
        stored = dispatch_actions.record_correction(
            request.user,
            decision,
            matter=matter,
            unit=unit,
            category=data.get("category", ""),
            reason=data.get("reason", ""),
        )
    except PermissionDenied as exc:
        return Response({"detail": str(exc)}, status=403)
    except ValidationError as exc:
        return Response({"detail": exc.messages}, status=400)
    return Response(DecisionSerializer(stored).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request: Request, path: str) -> Response:
    """Any other address under /api/ answers as the API does, in JSON, not with the site's HTML page."""
    return Response({"detail": "没有这个接口 / no such endpoint"}, status=404)
