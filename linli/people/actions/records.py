"""Consents and party membership: small records kept on a person, with the same rules as the registry's
other writes (atomic, `can_edit_person`, the person locked, one audit event). Withdrawing or ending keeps
the row with its end date: what was agreed, and until when, stays provable."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_person
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.places.choices import PlaceLevel

from ..choices import ConsentChannel, ConsentPurpose
from ..models import Consent, PartyMembership, Person
from ..validation import parse_date


def _locked(actor: Any, person_pk: int) -> Person:
    person = Person.objects.select_for_update().get(pk=person_pk)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    return person


def _day(value: Any, field: str, *, not_before: datetime.date | None = None) -> datetime.date:
    try:
        day = parse_date(value) or timezone.localdate()
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if day > timezone.localdate() or (not_before is not None and day < not_before):
        raise ValidationError({field: [_("The date is impossible")]})
    return day


@transaction.atomic
def record_consent(actor: Any, person: Person, *, purpose: str, channel: str, given_on: Any = None) -> Consent:
    person = _locked(actor, person.pk)
    errors: dict[str, list[str]] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Pick what the consent is for")]
    if channel not in ConsentChannel.values:
        errors["channel"] = [_("Pick how the consent was given")]
    if errors:
        raise ValidationError(errors)
    day = _day(given_on, "given_on")
    if Consent.objects.filter(person=person, purpose=purpose, withdrawn_on__isnull=True).exists():
        raise ValidationError({"purpose": [_("A consent for this purpose is already in force")]})
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        channel=channel,
        given_on=day,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        AuditAction.CONSENT_RECORDED,
        actor=actor,
        target=person,
        data={"consent": consent.pk, "purpose": purpose, "channel": channel, "given_on": day.isoformat()},
    )
    return consent


@transaction.atomic
def withdraw_consent(actor: Any, consent: Consent, *, on: Any = None) -> Consent:
    _locked(actor, consent.person_id)
    consent = Consent.objects.get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn"))
    consent.withdrawn_on = _day(on, "on", not_before=consent.given_on)
    consent.save(update_fields=["withdrawn_on"])
    audit.record(
        AuditAction.CONSENT_RECORDED,
        actor=actor,
        target=consent.person,
        data={"consent": consent.pk, "purpose": consent.purpose, "withdrawn_on": consent.withdrawn_on.isoformat()},
    )
    return consent


@transaction.atomic
def record_party_membership(
    actor: Any, person: Person, *, organisation: str, joined_party_on: Any = None, reported_on: Any = None
) -> PartyMembership:
    """A party member's home organisation; with `reported_on`, their 双报到 to the community they live in."""
    person = _locked(actor, person.pk)
    organisation = _squeeze(organisation)
    if not organisation:
        raise ValidationError({"organisation": [_("Name the party organisation")]})
    if len(organisation) > 128:
        raise ValidationError({"organisation": [_("At most 128 characters")]})
    try:
        check_plain_text(organisation)
    except ValidationError as exc:
        raise ValidationError({"organisation": exc.messages}) from None
    joined = _day(joined_party_on, "joined_party_on", not_before=person.birth_date) if joined_party_on else None
    reported = _day(reported_on, "reported_on", not_before=joined) if reported_on else None
    community = person.place.ancestor_at(PlaceLevel.COMMUNITY) if reported else None
    if reported and community is None:
        raise ValidationError({"reported_on": [_("This person's home is not under a community")]})
    if PartyMembership.objects.filter(person=person, ended_on__isnull=True).exists():
        raise ValidationError(_("A party membership is already recorded; end it first"))
    membership = PartyMembership.objects.create(
        person=person,
        organisation=organisation,
        joined_party_on=joined,
        reported_to=community,
        reported_on=reported,
    )
    audit.record(
        AuditAction.PARTY_MEMBERSHIP_RECORDED,
        actor=actor,
        target=person,
        data={"membership": membership.pk, "reported_to": community.code if community else None},
    )
    return membership


@transaction.atomic
def end_party_membership(actor: Any, membership: PartyMembership, *, on: Any = None) -> PartyMembership:
    _locked(actor, membership.person_id)
    membership = PartyMembership.objects.get(pk=membership.pk)
    if membership.ended_on is not None:
        raise ValidationError(_("This membership has already ended"))
    membership.ended_on = _day(on, "on", not_before=membership.joined_party_on)
    membership.save(update_fields=["ended_on"])
    audit.record(
        AuditAction.PARTY_MEMBERSHIP_RECORDED,
        actor=actor,
        target=membership.person,
        data={"membership": membership.pk, "ended_on": membership.ended_on.isoformat()},
    )
    return membership


def _squeeze(text: Any) -> str:
    return " ".join(str(text or "").split())
