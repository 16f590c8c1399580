"""The registry in the REST API (DESIGN §7): persons, households, houses and care tags, read-only and masked,
plus the audited reveal of a person's numbers and the registration of a person through the registry action.

Every queryset starts from `.restrict(request.user, "view")`, so a record outside the caller's places is a
404 like one that does not exist, and an API token reads only what its one grant reaches. An exact search
by phone or identity number normalises the input with the validators every channel uses and looks up the
keyed digest: the encrypted columns are never searched.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.crypto import digest
from linli.core.validation import normalize_phone
from linli.people.actions.privacy import reveal_person
from linli.people.actions.registry import register_person
from linli.people.choices import IdType
from linli.people.models import CareTag, House, Household, HouseholdMember, Ownership, Person, Tenancy
from linli.people.validation import identity
from linli.places.models import Place, subtree_q
from linli.places.queries import places_for

from . import people_serializers as s
from .cases_steps import refusal_body

ID = OpenApiParameter(
    "id", {"type": "integer", "minimum": 0, "maximum": s.ID_MAX}, OpenApiParameter.PATH, description="the record's id"
)
ID_PATTERN = r"[0-9]{1,10}"


def in_force(today: Any) -> Q:
    return Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def _query(serializer: type[Any], request: Request) -> dict[str, Any]:
    query = serializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data  # type: ignore[no-any-return]


def _under(qs: QuerySet[Any], user: Any, place_id: int | None, field: str) -> QuerySet[Any]:
    """Rows at or under a place the caller may read (none when the caller may not read it)."""
    if place_id is None:
        return qs
    root = places_for(user).filter(pk=place_id).first()
    return qs.filter(subtree_q(root.path, field=field)) if root else qs.none()


def _refused(error: PermissionDenied | ValidationError) -> Response:
    return Response(refusal_body(error), status=403 if isinstance(error, PermissionDenied) else 400)


def person_detail(user: Any, person: Person) -> dict[str, Any]:
    """The person with the parts of their record the caller may read: each part through its own rule."""
    person.visible_memberships = list(  # type: ignore[attr-defined]
        HouseholdMember.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("household")
        .order_by("left_on", "-pk")
    )
    person.visible_tags = list(  # type: ignore[attr-defined]
        CareTag.objects.restrict(user, "view").filter(in_force(timezone.localdate()), person=person).order_by("tag")
    )
    now = {"person": person, "until__isnull": True}
    person.visible_owned = list(  # type: ignore[attr-defined]
        Ownership.objects.restrict(user, "view").filter(**now).values_list("house_id", flat=True)
    )
    person.visible_rented = list(  # type: ignore[attr-defined]
        Tenancy.objects.restrict(user, "view").filter(**now).values_list("house_id", flat=True)
    )
    return dict(s.PersonDetailSerializer(person).data)


class ScopedViewSet(viewsets.GenericViewSet):
    """Looks a record up by id inside the caller's scope; anything else is a 404."""

    lookup_value_regex = ID_PATTERN

    def get_object(self) -> Any:
        found = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if found is None:
            raise Http404
        return found


class PersonViewSet(ScopedViewSet):
    """Persons of the caller's places, masked. Numbers in the clear only through `reveal` (logged)."""

    serializer_class = s.PersonSummarySerializer

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.restrict(self.request.user, "view").select_related("place")

    def _search(self, qs: QuerySet[Person], f: dict[str, Any]) -> QuerySet[Person]:
        errors: dict[str, list[str]] = {}
        if f.get("phone"):
            try:
                qs = qs.filter(phone_digest=digest(normalize_phone(f["phone"])))
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if f.get("id_number"):
            try:
                number, _gender, _birth = identity(f.get("id_type") or IdType.RESIDENT_ID, f["id_number"])
                qs = qs.filter(id_digest=digest(number))
            except ValidationError as exc:
                errors["id_number"] = exc.messages
        if errors:
            raise ValidationError(errors)
        return qs

    @extend_schema(parameters=[s.PersonQuery], responses=s.PersonSummarySerializer(many=True))
    def list(self, request: Request, format: str | None = None) -> Response:
        """The people living under your places, masked. `phone` and `id_number` find one person exactly (the
        number is normalised, then looked up by its keyed digest); a number that is no number is a 400."""
        f = _query(s.PersonQuery, request)
        qs = _under(self.get_queryset(), request.user, f.get("place"), "place__path")
        if f.get("residency"):
            qs = qs.filter(residency=f["residency"])
        if f.get("current") is not None:
            qs = qs.filter(left_on__isnull=f["current"])
        if f.get("tag"):
            tags = CareTag.objects.restrict(request.user, "view").filter(
                in_force(timezone.localdate()), person=OuterRef("pk"), tag=f["tag"]
            )
            qs = qs.filter(Exists(tags))
        try:
            qs = self._search(qs, f)
        except ValidationError as exc:
            return _refused(exc)
        page = self.paginate_queryset(qs.order_by("name", "pk"))
        return self.get_paginated_response(s.PersonSummarySerializer(page, many=True).data)

    @extend_schema(parameters=[ID], responses=s.PersonDetailSerializer)
    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        """One person, masked, with their households, care tags in force and the houses they own or rent now, each
        as far as your scope reaches."""
        return Response(person_detail(request.user, self.get_object()))

    @extend_schema(parameters=[ID], responses=s.TagSerializer(many=True), summary="A person's care tags, past ones too")
    @action(detail=True, methods=["get"], url_path="care-tags", url_name="care-tags")
    def care_tags(self, request: Request, pk: str, format: str | None = None) -> Response:
        """Every care tag of the person, past ones too, newest first."""
        person = self.get_object()
        tags = CareTag.objects.restrict(request.user, "view").filter(person=person).order_by("-valid_from", "pk")
        return Response(s.TagSerializer(tags, many=True).data)

    @extend_schema(
        parameters=[ID],
        request=s.RevealBody,
        responses={
            200: s.RevealedSerializer,
            403: OpenApiResponse(description="Your role may not see personal numbers in the clear"),
        },
        summary="The person's identity number and phone in the clear; every call writes one access-log row",
    )
    @action(detail=True, methods=["post"], url_path="reveal", url_name="reveal")
    def reveal(self, request: Request, pk: str, format: str | None = None) -> Response:
        """The person's numbers in the clear, for roles whose work needs them; every call writes one access-log row.
        A minor's or sensitive record needs a `reason`."""
        person = self.get_object()
        body = s.RevealBody(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data  # type: ignore[assignment]
        try:
            values = reveal_person(request.user, person, fields=data["fields"], reason=data["reason"])
        except (PermissionDenied, ValidationError) as refusal:
            return _refused(refusal)
        response = Response({"id": person.pk, **values})
        response["Cache-Control"] = "no-store"  # clear personal numbers stay out of every cache
        return response

    @extend_schema(
        request=s.RegisterBody,
        responses={
            201: s.PersonDetailSerializer,
            403: OpenApiResponse(description="You may not register people at this place"),
        },
        summary="Register a person (community staff in their community)",
    )
    def create(self, request: Request, format: str | None = None) -> Response:
        """Register a person living at a house (or a community): community staff in their community. Every field is
        checked as the forms and the Excel import check it; all errors come back at once."""
        body = s.RegisterBody(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)  # type: ignore[arg-type]
        # Naming a place is the picker's right ("pick"); whether people may be registered there is the action's.
        place = Place.objects.restrict(request.user, "pick").filter(pk=data.pop("place"), is_active=True).first()
        if place is None:
            return Response({"place": [_("No such place")]}, status=400)
        try:
            person = register_person(request.user, place=place, **data)
        except (PermissionDenied, ValidationError) as refusal:
            return _refused(refusal)
        return Response(person_detail(request.user, person), status=201)


class HouseholdViewSet(ScopedViewSet):
    """Households registered on houses under the caller's places, with their members (masked)."""

    serializer_class = s.HouseholdSummarySerializer

    def get_queryset(self) -> QuerySet[Household]:
        return Household.objects.restrict(self.request.user, "view").select_related("house")

    @extend_schema(parameters=[s.HouseholdQuery], responses=s.HouseholdSummarySerializer(many=True))
    def list(self, request: Request, format: str | None = None) -> Response:
        """Households registered on houses under your places."""
        f = _query(s.HouseholdQuery, request)
        qs = _under(self.get_queryset(), request.user, f.get("place"), "house__path")
        page = self.paginate_queryset(qs.order_by("house__path", "pk"))
        return self.get_paginated_response(s.HouseholdSummarySerializer(page, many=True).data)

    @extend_schema(parameters=[ID], responses=s.HouseholdDetailSerializer)
    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        """One household with its members (names masked for minors and sensitive records)."""
        household = self.get_object()
        household.visible_members = list(  # type: ignore[attr-defined]
            HouseholdMember.objects.restrict(request.user, "view")
            .filter(household=household)
            .select_related("person")
            .order_by("left_on", "pk")
        )
        return Response(s.HouseholdDetailSerializer(household).data)


class HouseViewSet(ScopedViewSet):
    """What the registry knows of the houses under the caller's places: area, use, owners and tenants."""

    serializer_class = s.HouseSummarySerializer

    def get_queryset(self) -> QuerySet[House]:
        return House.objects.restrict(self.request.user, "view").select_related("place")

    @extend_schema(parameters=[s.HouseQuery], responses=s.HouseSummarySerializer(many=True))
    def list(self, request: Request, format: str | None = None) -> Response:
        """What the registry knows of the houses under your places."""
        f = _query(s.HouseQuery, request)
        qs = _under(self.get_queryset(), request.user, f.get("place"), "place__path")
        if f.get("use"):
            qs = qs.filter(use=f["use"])
        page = self.paginate_queryset(qs.order_by("place__path"))
        return self.get_paginated_response(s.HouseSummarySerializer(page, many=True).data)

    @extend_schema(parameters=[ID], responses=s.HouseDetailSerializer)
    def retrieve(self, request: Request, pk: str, format: str | None = None) -> Response:
        """One house: area, use, owners with their shares and areas, tenants and households (owners and tenants
        named as masked persons)."""
        house = self.get_object()
        user = request.user
        house.visible_owners = list(  # type: ignore[attr-defined]
            Ownership.objects.restrict(user, "view")
            .filter(house_id=house.place_id)
            .select_related("person")
            .order_by("until", "pk")
        )
        house.visible_tenants = list(  # type: ignore[attr-defined]
            Tenancy.objects.restrict(user, "view")
            .filter(house_id=house.place_id)
            .select_related("person")
            .order_by("until", "pk")
        )
        house.visible_households = list(  # type: ignore[attr-defined]
            Household.objects.restrict(user, "view").filter(house_id=house.place_id).select_related("house")
        )
        return Response(s.HouseDetailSerializer(house).data)
