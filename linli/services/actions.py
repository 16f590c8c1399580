"""Every write to the service catalogue, and the one way a matched provider is given a service request.

The assignment itself is the closed loop's own dispatch action (linli.cases.actions.dispatch_case): the
provider then accepts, contacts, resolves and is rated through the case actions like any unit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    can_assign_service_request,
    can_edit_service_kinds,
    can_edit_service_offer,
    can_keep_service_offers,
)
from linli.accounts.scopes import restrict
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.orgs.choices import UnitKind
from linli.places.choices import PlaceLevel

from .matching import match_providers
from .models import ServiceKind, ServiceOffer

SERVED_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(n)d characters") % {"n": limit}]})
    try:
        return check_plain_text(text)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@transaction.atomic
def save_kind(
    actor: Any,
    kind: ServiceKind | None,
    *,
    code: str,
    name: str,
    description: str = "",
    matters: list[Any] | None = None,
    is_active: bool = True,
) -> ServiceKind:
    if not can_edit_service_kinds(actor):
        raise PermissionDenied(_("You may not change the service catalogue"))
    if kind is not None:
        kind = ServiceKind.objects.select_for_update().get(pk=kind.pk)
    else:
        kind = ServiceKind()
    kind.code = _text(code, "code", 32, required=True)
    kind.name = _text(name, "name", 64, required=True)
    kind.description = _text(description, "description", 500)
    kind.is_active = bool(is_active)
    kind.full_clean(exclude=["matters"])
    kind.save()
    kind.matters.set(list(matters or []))
    audit.record(
        AuditAction.SERVICE_SAVED,
        actor=actor,
        target=kind,
        data={"what": "kind", "name": kind.name, "matters": sorted(m.code for m in kind.matters.all())},
    )
    return kind


@transaction.atomic
def save_offer(
    actor: Any,
    offer: ServiceOffer | None,
    *,
    unit: Any,
    kind: ServiceKind,
    places: list[Any],
    price: str = "",
    accepting: bool = True,
) -> ServiceOffer:
    """Create or change an offer. Its places must all be ones the actor keeps (place "change" scope), and the
    saved offer must be one the actor may change: a community worker cannot widen an offer to the street."""
    if offer is not None:
        offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
        if not can_edit_service_offer(actor, offer):
            raise PermissionDenied(_("You may not change this offer"))
    elif not can_keep_service_offers(actor):
        raise PermissionDenied(_("You may not change the service catalogue"))
    else:
        offer = ServiceOffer()
    if unit is None or unit.kind != UnitKind.SERVICE_PROVIDER or not unit.is_active:
        raise ValidationError({"unit": [_("Pick an active service provider")]})
    if not places:
        raise ValidationError({"places": [_("Pick the places served")]})
    from linli.places.models import Place

    kept = restrict(Place.objects.filter(pk__in=[p.pk for p in places]), actor, "change")
    if kept.count() != len({p.pk for p in places}) or any(p.level not in SERVED_LEVELS for p in places):
        raise ValidationError({"places": [_("Pick streets or communities you keep")]})
    clash = ServiceOffer.objects.filter(unit=unit, kind=kind).exclude(pk=offer.pk).exists()
    if clash:
        raise ValidationError({"kind": [_("This provider already offers this service")]})
    offer.unit, offer.kind = unit, kind
    offer.price = _text(price, "price", 200)
    offer.accepting = bool(accepting)
    offer.updated_by = actor
    offer.save()
    offer.places.set(places)
    audit.record(
        AuditAction.SERVICE_SAVED,
        actor=actor,
        target=offer,
        data={
            "what": "offer",
            "unit": unit.code,
            "kind": kind.code,
            "places": sorted(p.code for p in places),
            "accepting": offer.accepting,
        },
    )
    return offer


def assign_to_provider(actor: Any, case: Any, offer: ServiceOffer, note: str = "") -> Any:
    """Give a service request to the provider of one of its matched offers, through the cases' dispatch
    action (which locks the case, checks the dispatcher, the state and the assignee directory)."""
    from linli.cases.actions import dispatch_case

    if not can_assign_service_request(actor, case):
        raise PermissionDenied(_("You may not do this to this case"))
    if offer.pk not in {m.offer.pk for m in match_providers(case)}:
        raise ValidationError({"offer": [_("This provider is not matched to this request")]})
    with transaction.atomic():
        case = dispatch_case(actor, case, unit=offer.unit, note=note)
        audit.record(
            AuditAction.SERVICE_MATCHED,
            actor=actor,
            target=case,
            data={"offer": offer.pk, "unit": offer.unit.code, "kind": offer.kind.code},
        )
    return case
