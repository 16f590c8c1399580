"""The GeoReport v2 methods, the service discovery file and mySociety's updates extension.

Who reads what: GETs need no api_key, as the spec says. Without one they serve the public board's requests
(answered ones, linli.cases.public); with one they serve those plus every request the key's grant may read
(linli.api tokens: the grant's user, narrowed to that grant). Either way a request is shown with its public
fields only (linli.open311.representation). A wrong api_key is refused with 403 rather than ignored.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from linli.api.authentication import ApiTokenAuthentication
from linli.cases.actions import submit_request
from linli.cases.models import Case, CaseEvent
from linli.cases.public import BOARD_STATES, FINISHED_STATES, PUBLIC_EVENT_KINDS, is_public_event
from linli.orgs.models import Matter

from . import params, posting, representation
from .formats import SPECIFICATION, Open311Error, error_response, render

CHANGESET = "2026-12-01T00:00:00+08:00"  # the date the services' attributes last changed (discovery's changeset)
View = Callable[..., HttpResponse]


def open311(*methods: str) -> Callable[[View], View]:
    """Only `methods` (GET brings HEAD); any failure answered in the spec's error format and the caller's."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, format: str = "xml", **kwargs: Any) -> HttpResponse:
            allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
            try:
                if request.method not in allowed:
                    raise Open311Error(400, _("%(method)s is not supported here") % {"method": request.method})
                return view(request, format, **kwargs)
            except Open311Error as error:
                response = error_response(format, error)
                if request.method not in allowed:
                    response["Allow"] = ", ".join(sorted(allowed))
                return response

        return inner

    return wrap


def client(key: str) -> tuple[Any, Any]:
    """The user and token an api_key stands for; 403 with the reason when it stands for none."""
    try:
        return ApiTokenAuthentication().authenticate_token(key)
    except AuthenticationFailed as failure:
        raise Open311Error(403, _("Invalid api_key: %(why)s") % {"why": failure.detail}) from None


def reader(request: HttpRequest) -> Any:
    key = params.optional(request.GET, "api_key")
    return client(key)[0] if key else None


def readable_cases(user: Any) -> QuerySet[Case]:
    if user is None:
        return Case.objects.filter(state__in=BOARD_STATES)
    visible = Case.objects.restrict(user, "view").values("pk")
    return Case.objects.filter(Q(pk__in=visible) | Q(state__in=BOARD_STATES))


def active_matters() -> QuerySet[Matter]:
    # The responsibility list is a public catalogue that Open311 publishes (linli.accounts.scopes.catalogue_rule).
    return Matter.objects.filter(is_active=True).order_by("code")


def find_case(user: Any, number: str) -> Case:
    cases = readable_cases(user).select_related("matter", "lead_unit", "place", "merged_into")
    case = cases.filter(pk=Case.pk_from_number(number) or 0).first()
    if case is None or case.number != number:
        raise Open311Error(404, _("No request %(id)s") % {"id": number[:40]})
    return case


def public_events(cases: QuerySet[Case] | list[int]) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case__in=cases, kind__in=PUBLIC_EVENT_KINDS).order_by("at", "pk")


def _requests_data(cases: list[Case], extensions: bool) -> list[dict[str, Any]]:
    places = representation.places_for_cases(cases)
    notes: dict[int, list[CaseEvent]] = defaultdict(list)
    if extensions:
        for event in public_events([c.pk for c in cases]):
            if is_public_event(event):
                notes[event.case_id].append(event)
    return [representation.request(c, places, extensions=extensions, notes=notes[c.pk]) for c in cases]


@open311("GET")
def discovery(request: HttpRequest, format: str) -> HttpResponse:
    endpoint = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("Linli: ask the district command centre for help with this API"),
        "key_service": _(
            "An api_key is a Linli API token: a user with a grant issues one at %(url)s, an operator with "
            "manage.py issue_api_token"
        )
        % {"url": request.build_absolute_uri(reverse("api:tokens"))},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": CHANGESET,
                "type": "test" if settings.DEMO else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(format, "discovery", data)


@open311("GET")
def services(request: HttpRequest, format: str) -> HttpResponse:
    reader(request)  # a wrong api_key is refused even where none is needed
    return render(format, "services", [representation.service(m) for m in active_matters()])


@open311("GET")
def service_definition(request: HttpRequest, format: str, code: str) -> HttpResponse:
    reader(request)
    matter = active_matters().filter(code=code).first()
    if matter is None:
        raise Open311Error(404, _("service_code %(code)s was not found") % {"code": code[:40]})
    return render(format, "service_definition", representation.definition(matter))


@csrf_exempt  # no session or cookie is read here: a POST is authenticated by its api_key alone
@open311("GET", "POST")
def requests(request: HttpRequest, format: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, format)
    user = reader(request)
    query = request.GET
    extensions = params.flag(query, "extensions")
    cases = readable_cases(user).select_related("matter", "lead_unit", "place", "merged_into")
    ids = params.split_list(params.optional(query, "service_request_id"))
    if ids:  # "overrides all other arguments"
        if len(ids) > params.MAX_REQUESTS:
            raise Open311Error(400, _("At most 1000 service_request_id at once"))
        pks = [pk for pk in (Case.pk_from_number(i) for i in ids) if pk]
        found = [c for c in cases.filter(pk__in=pks) if c.number in set(ids)]
        order = {number: n for n, number in enumerate(ids)}
        found.sort(key=lambda c: order[c.number])
        return render(format, "service_requests", _requests_data(found, extensions))
    codes = params.split_list(params.optional(query, "service_code"))
    if codes:
        cases = cases.filter(matter__code__in=codes)
    start, end = params.window(query)
    cases = cases.filter(created_at__gte=start, created_at__lte=end)
    wanted = params.statuses(query)
    if wanted == {"open"}:
        cases = cases.exclude(state__in=FINISHED_STATES)
    elif wanted == {"closed"}:
        cases = cases.filter(state__in=FINISHED_STATES)
    offset, size = params.paging(query)
    page = list(cases.order_by("-created_at", "-pk")[offset : offset + size])
    return render(format, "service_requests", _requests_data(page, extensions))


def _create(request: HttpRequest, format: str) -> HttpResponse:
    key = params.optional(request.POST, "api_key")
    if not key:
        raise Open311Error(403, _("api_key is required to submit a request"))
    user, token = client(key)
    code = params.optional(request.POST, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided"))
    matter = active_matters().filter(code=code).first()
    if matter is None:
        raise Open311Error(404, _("service_code %(code)s was not found") % {"code": code[:40]})
    sub = posting.submission(request.POST, request.headers, matter)
    try:
        case, created = submit_request(user, sub, api_client=token)
    except PermissionDenied as refusal:
        raise Open311Error(403, str(refusal)) from None
    except ValidationError as error:
        raise Open311Error(400, *posting.messages(error)) from None
    notice = _("Received as request %(n)s; it is sent to the unit responsible and its deadline counts from then")
    data = [{"service_request_id": case.number, "service_notice": notice % {"n": case.number}, "account_id": None}]
    return render(format, "service_requests", data, status=201 if created else 200)


@open311("GET")
def request_detail(request: HttpRequest, format: str, number: str) -> HttpResponse:
    case = find_case(reader(request), number)
    return render(format, "service_requests", _requests_data([case], params.flag(request.GET, "extensions")))


@open311("GET")
def token(request: HttpRequest, format: str, token: str) -> HttpResponse:
    """A token is the name a client gave its request (Idempotency-Key or attribute[client_request_id]); names
    are per client, so the api_key that submitted it is needed to look one up."""
    key = params.optional(request.GET, "api_key")
    if not key:
        raise Open311Error(403, _("api_key is required: a token is looked up among its client's requests"))
    _user, api_token = client(key)
    case = Case.objects.filter(idempotency_key=f"t{api_token.pk}:{token}", api_client=api_token).first()
    if case is None:
        raise Open311Error(404, _("No request has the token %(t)s") % {"t": token[:40]})
    return render(format, "service_requests", [{"service_request_id": case.number, "token": token}])


@open311("GET")
def updates(request: HttpRequest, format: str) -> HttpResponse:
    """mySociety's GET Service Request Updates: the public steps of readable requests in a date range."""
    user = reader(request)
    start, end = params.window(request.GET)
    offset, size = params.paging(request.GET)
    # Newest first: a page of at most 1000 must hold the latest steps, which are what a poller comes for.
    events = (
        public_events(readable_cases(user))
        .filter(at__gte=start, at__lte=end)
        .order_by("-at", "-pk")
        .select_related("case")
    )
    found: list[dict[str, Any]] = []
    skipped = 0
    for event in events.iterator(chunk_size=500):
        if not is_public_event(event):
            continue
        if skipped < offset:
            skipped += 1
            continue
        found.append(representation.update(event, event.case.number))
        if len(found) >= size:
            break
    return render(format, "service_request_updates", found)


@open311("GET")
def root(request: HttpRequest, format: str) -> HttpResponse:
    """The endpoint's own address answers with its discovery document, as the spec recommends."""
    return discovery(request, format)


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    fmt = "json" if path.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, _("No such Open311 resource: %(path)s") % {"path": path[:80]}))
