"""Intake on every channel (DESIGN §4): one action takes a request in, numbers it and commits it before any
reply; routing follows in a second step (auto-dispatch after commit, with the sweep as the backstop), so a
slow or failing engine can never lose a request that was acknowledged."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    can_import_cases,
    can_report_found,
    can_submit_request,
    can_take_hotline_calls,
)
from linli.accounts.scopes import can
from linli.core.crypto import digest
from linli.core.photos import CleanPhoto, check_photos
from linli.core.validation import normalize_phone
from linli.dispatch.choices import Channel
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import Place
from linli.places.queries import resolve_address, resolve_point

from .. import events
from ..choices import PhotoStage, Urgency
from ..models import Case, CasePhoto
from ..validation import BODY_LIMIT, TITLE_LIMIT
from .base import require_text

# A submitted case not yet routed is looked at again by the sweep after this long (the backstop).
ROUTE_BACKSTOP = datetime.timedelta(minutes=2)
ADDRESS_CUTOFF = 60


@dataclass
class Submission:
    channel: str
    body: str
    title: str = ""
    place: Place | None = None
    longitude: float | None = None
    latitude: float | None = None
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    consent: bool = False
    urgency: str = Urgency.NORMAL
    photos: Sequence[IO[bytes] | bytes] = field(default_factory=list)
    matter: Any = None
    idempotency_key: str = ""
    submitted_at: datetime.datetime | None = None  # bulk import only: when the backlog row was received
    origin: str = ""  # bulk import only: the channel the backlog row first came in on (a Channel value)


def _may_use(actor: Any, channel: str) -> bool:
    return {
        Channel.WEB: can_submit_request,
        Channel.API: can_submit_request,
        Channel.HOTLINE: can_take_hotline_calls,
        Channel.GRID: can_report_found,
        Channel.IMPORT: can_import_cases,
    }[Channel(channel)](actor)


def resolve_place(sub: Submission, photos: list[CleanPhoto], actor: Any = None) -> Place:
    """The request's place from what was given, most exact first: a picked place, a map point (or a photo's
    GPS), an address text. Refused when none lands on a place of street level or finer."""
    place = sub.place
    lon, lat = sub.longitude, sub.latitude
    if place is None and (lon is None or lat is None):
        located = next((p.location for p in photos if p.location), None)
        if located is not None:
            lon, lat = located
    if place is None and lon is not None and lat is not None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError({"location": _("The map point is not a valid position")})
        place = resolve_point(lon, lat)
        if place is None:
            raise ValidationError({"location": _("The map point lies outside every grid Linli serves")})
    if place is None and sub.address.strip():
        match = resolve_address(sub.address)
        if match is None or match.score < ADDRESS_CUTOFF:
            raise ValidationError({"address": _("No place matches this address; pick it on the map or from the list")})
        place = match.place
    if place is None:
        raise ValidationError({"place": _("Say where: pick the place, point on the map or type the address")})
    if not place.is_active or LEVEL_RANK[place.level] < LEVEL_RANK[PlaceLevel.STREET]:
        raise ValidationError({"place": _("Pick a place of street level or finer")})
    if sub.channel == Channel.GRID and actor is not None and not can(actor, "view", place):
        raise ValidationError({"place": _("This place is outside your grids")})
    sub.longitude, sub.latitude = lon, lat
    return place


def _key(actor: Any, api_client: Any, key: str) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > 120:
        raise ValidationError({"idempotency_key": _("An idempotency key has at most 120 characters")})
    owner = f"t{api_client.pk}" if api_client is not None else f"u{getattr(actor, 'pk', 0)}"
    return f"{owner}:{key}"


def _clean(sub: Submission) -> tuple[str, str, str, str]:
    body = require_text(sub.body, "body", limit=BODY_LIMIT)
    title = (sub.title or "").strip() or body.splitlines()[0][:40]
    title = require_text(title, "title", limit=TITLE_LIMIT)
    name = (sub.reporter_name or "").strip()
    if name:
        name = require_text(name, "reporter_name", limit=50)
    phone = ""
    if sub.reporter_phone.strip():
        try:
            phone = normalize_phone(sub.reporter_phone)
        except ValidationError as error:
            raise ValidationError({"reporter_phone": error.messages}) from None
    if sub.urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Unknown urgency")})
    return title, body, name, phone


def submit_request(actor: Any, sub: Submission, *, api_client: Any = None) -> tuple[Case, bool]:
    """Take one request in. Returns the case and whether it was created now (False: the idempotency key was
    seen before, and the case it made then is returned). Nothing is stored unless everything is valid."""
    if sub.channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel")})
    if not _may_use(actor, sub.channel):
        raise PermissionDenied(_("You may not submit requests on this channel"))
    key = _key(actor, api_client, sub.idempotency_key)
    if key is not None:
        # Only the id first: almost every key is new, and a whole case row costs more to build than to find.
        seen = Case.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
        if seen is not None:
            return Case.objects.get(pk=seen), False
    title, body, name, phone = _clean(sub)
    personal = bool(name or phone) or sub.channel in (Channel.WEB, Channel.API)
    if personal and not sub.consent and sub.channel != Channel.IMPORT:
        raise ValidationError({"consent": _("Consent to processing the request's personal data is required")})
    photos = check_photos(sub.photos) if sub.photos else []
    place = resolve_place(sub, photos, actor)
    reporter = actor if sub.channel in (Channel.WEB, Channel.API) and api_client is None else None
    if api_client is not None and sub.channel == Channel.API and _is_resident_token(api_client):
        reporter = actor
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                channel=sub.channel,
                urgency=sub.urgency,
                title=title,
                body=body,
                place=place,
                address=sub.address.strip()[:300],
                longitude=sub.longitude,
                latitude=sub.latitude,
                matter=sub.matter,
                category=getattr(sub.matter, "category", "") or "",
                reporter=reporter,
                entered_by=actor if reporter is None and getattr(actor, "pk", None) else None,
                api_client=api_client,
                reporter_name=name,
                reporter_phone=phone,
                reporter_phone_digest=digest(phone) if phone else "",
                consented_at=now if sub.consent else None,
                idempotency_key=key,
                created_at=sub.submitted_at or now,
                sweep_due_at=now + ROUTE_BACKSTOP,
            )
            stored = _store_photos(case, photos, PhotoStage.REPORT)
            events.submitted(
                case,
                actor if getattr(actor, "pk", None) else None,
                label=channel_label(sub.channel),
                origin=sub.origin,
                photos=stored,
            )
            case.save(update_fields=["event_count", "last_hash"])
            if _tasks_in_this_database():
                from ..tasks import route_case

                # The task row commits with the case: one commit, never one without the other. Not caught: a
                # failed insert inside the transaction must fail the submission, not commit half of it.
                route_case.enqueue(case.pk)
            else:
                transaction.on_commit(lambda: _route_later(case.pk))
    except IntegrityError:
        if key is None:
            raise
        # The same key raced in from a retry: the first one won; answer with its case.
        return Case.objects.get(idempotency_key=key), False
    return case, True


def channel_label(channel: str) -> str:
    """Who acted on a submitted event, as the timeline shows it: the channel it came in on."""
    return str(Channel(channel).label)


def _is_resident_token(token: Any) -> bool:
    return getattr(getattr(token, "grant", None), "role", "") in ("resident", "volunteer")


def _store_photos(case: Case, photos: list[CleanPhoto], stage: str) -> int:
    for n, photo in enumerate(photos, start=1):
        sha = hashlib.sha256(photo.content).hexdigest()
        row = CasePhoto(
            case=case, stage=stage, content_type=photo.content_type, width=photo.width, height=photo.height, sha256=sha
        )
        row.file.save(f"{stage}-{n}-{sha[:16]}{photo.extension}", ContentFile(photo.content), save=False)
        row.save()
    return len(photos)


def _tasks_in_this_database() -> bool:
    """Whether queued tasks are rows of the default database (django_tasks_db): then the routing task is
    written in the submission's own transaction. A broker (Celery) is only told after the commit, so that
    its worker never looks for a case that is not there yet."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _route_later(case_id: int) -> None:
    from ..tasks import route_case

    try:
        route_case.enqueue(case_id)
    except Exception:  # the sweep routes it within ROUTE_BACKSTOP; never fail an acknowledged request
        import logging

        logging.getLogger("linli.cases").warning("case %s: routing could not be queued; the sweep will", case_id)
