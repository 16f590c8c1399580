"""POST Service Request: a GeoReport v2 form read into the intake action's Submission.

The api_key is a client token of linli.api (the token's grant's user is who submits, the token is recorded
as the case's API client); the request is committed and numbered before the answer, as on every channel.
Idempotency: a client may name its request, with the `Idempotency-Key` header or `attribute[client_request_id]`
(the same value if both are sent); a repeat with the same name from the same client's token returns the
request made the first time instead of making another, and `tokens/<name>` finds it later.
`media_url` is ignored: Linli does not fetch files from addresses a client names (photos come through the
REST API or the resident form, where they are checked and stripped of their metadata).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from linli.cases.actions import Submission
from linli.dispatch.choices import Channel
from linli.orgs.models import Matter
from linli.places.models import Place

from .formats import Open311Error
from .representation import DESCRIPTION_LIMIT

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
CONSENT_WORDS = frozenset({"yes", "true", "1", "on", "同意"})


def attributes(form: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value and attribute[code][]=value (a multivaluelist), by code."""
    found: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(v.strip() for v in form.getlist(key))
    return found


def _number(form: Mapping[str, str], name: str) -> float | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Open311Error(400, _("%(name)s must be a number") % {"name": name})
    return value


def reporter_name(form: Mapping[str, str]) -> str:
    """Family name first and no space between Chinese names (张 + 三 = 张三), given name first otherwise."""
    first, last = (form.get("first_name") or "").strip(), (form.get("last_name") or "").strip()
    if _CJK.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def idempotency_key(form: QueryDict, headers: Mapping[str, str], attrs: dict[str, list[str]]) -> str:
    header = (headers.get("Idempotency-Key") or "").strip()
    named = next((v for v in attrs.get("client_request_id", []) if v), "")
    if header and named and header != named:
        raise Open311Error(400, _("The Idempotency-Key header and attribute[client_request_id] differ"))
    return header or named


def submission(form: QueryDict, headers: Mapping[str, str], matter: Matter) -> Submission:
    attrs = attributes(form)
    if not any(v.lower() in CONSENT_WORDS for v in attrs.get("consent", [])):
        raise Open311Error(
            400, _("attribute[consent]=yes is required: the reporter's consent to processing the request")
        )
    latitude, longitude = _number(form, "lat"), _number(form, "long")
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, _("lat and long must both be sent"))
    address = (form.get("address_string") or "").strip()
    address_id = (form.get("address_id") or "").strip()
    place = None
    if latitude is None and address_id:
        # The jurisdiction's own address ids are Linli's place codes (the address_id of every request).
        place = Place.objects.filter(code=address_id, is_active=True).first()
        if place is None:
            raise Open311Error(400, _("address_id %(id)s names no place") % {"id": address_id[:40]})
    if latitude is None and place is None and not address:
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id"))
    description = form.get("description") or ""
    if len(description) > DESCRIPTION_LIMIT:
        raise Open311Error(400, _("description has at most 4000 characters"))
    return Submission(
        channel=Channel.API,
        body=description.strip() or matter.name,
        place=place,
        longitude=longitude,
        latitude=latitude,
        address=address,
        reporter_name=reporter_name(form),
        reporter_phone=(form.get("phone") or "").strip(),
        consent=True,
        matter=matter,
        idempotency_key=idempotency_key(form, headers, attrs),
    )


def messages(error: Any) -> list[str]:
    """A ValidationError's messages, each naming its field in Open311's terms when it has one."""
    names = {
        "location": "lat/long",
        "place": "address_id",
        "address": "address_string",
        "body": "description",
        "reporter_phone": "phone",
        "reporter_name": "first_name/last_name",
        "idempotency_key": "client_request_id",
    }
    if hasattr(error, "error_dict"):
        return [f"{names.get(field, field)}: {m}" for field, items in error.message_dict.items() for m in items]
    return list(error.messages)
