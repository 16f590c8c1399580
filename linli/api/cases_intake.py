"""`POST /api/v1/cases/`: the smallest intake over HTTP (JSON body, token or session, Idempotency-Key header),
so that the kill -9 fault test and the intake load bench drive the real path: authentication, the place
lookup, `submit_request` committing the case before the reply. The full REST and Open311 intake replaces
this view; its contract (fields, 201 on a new case, 200 on a replayed key) is the one they keep."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from linli.cases.actions import Submission, submit_request
from linli.dispatch.choices import Channel
from linli.places.queries import places_for

TEXT_FIELDS = ("body", "title", "reporter_name", "reporter_phone", "urgency", "address")


def _errors(error: ValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"detail": [str(m) for m in error.messages]}


@extend_schema(exclude=True)  # documented with the full cases API that replaces it
@api_view(["POST"])
def submit_view(request: Request) -> Response:
    data = request.data if isinstance(request.data, dict) else {}
    fields = {name: data[name] for name in TEXT_FIELDS if isinstance(data.get(name), str)}
    if "body" not in fields:
        return Response({"body": ["请填写诉求内容 / body is required"]}, status=400)
    place = None
    code = data.get("place")
    if code is not None:
        place = places_for(request.user, "pick").filter(code=str(code)).first() if isinstance(code, str) else None
        if place is None:
            return Response({"place": ["未知地点 / unknown place"]}, status=400)
    token = request.auth if getattr(request.auth, "grant_id", None) else None
    sub = Submission(
        channel=Channel.API,
        place=place,
        consent=data.get("consent") is True,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        **fields,
    )
    try:
        case, created = submit_request(request.user, sub, api_client=token)
    except ValidationError as error:
        return Response(_errors(error), status=400)
    except PermissionDenied as error:
        return Response({"detail": str(error)}, status=403)
    # The case is committed by now (submit_request's own transaction): the number is a promise kept.
    body = {"id": case.pk, "number": case.number, "state": case.state}
    return Response(body, status=201 if created else 200)
