"""Volunteer records: a resident's own sign-up, the community's registration and confirmation, changes,
certificates. Each action is atomic, checks its predicate, locks what it changes and writes one audit event.

A volunteer with an account gets Role.VOLUNTEER over their community through linli.accounts.grant_actions
(the system grants it: a resident may not grant themselves, and community staff may not grant at all, but
both are allowed to make a volunteer — the predicate here is the check).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.choices import Role
from linli.accounts.grant_actions import add_grant
from linli.accounts.models import Grant, User
from linli.accounts.predicates import can_manage_volunteer, can_publish_activities, can_sign_up_as_volunteer
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.people.models import Person
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from ..choices import SLOTS, CertificateKind, Language, ServiceRole, VolunteerState
from ..models import Certificate, Skill, Volunteer, join_codes


def _codes(values: Iterable[str], allowed: Iterable[str], what: str) -> str:
    values = list(values or [])
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({what: [_("Unknown choice: %(value)s") % {"value": unknown[0]}]})
    return join_codes(values)


def _profile(volunteer: Volunteer, *, roles: Any, languages: Any, availability: Any, note: Any) -> None:
    if roles is not None:
        volunteer.roles = _codes(roles, ServiceRole.values, "roles")
    if languages is not None:
        volunteer.languages = _codes(languages, Language.values, "languages")
    if availability is not None:
        slots = sorted(set(availability))
        if set(slots) - set(SLOTS):
            raise ValidationError({"availability": [_("Unknown time slot")]})
        volunteer.availability = slots
    if note is not None:
        volunteer.note = check_plain_text(str(note))[:200]


def _community_of(person: Person) -> Place:
    community = person.place.ancestor_at(PlaceLevel.COMMUNITY)
    if community is None:
        raise ValidationError(_("This person's home is not under a community"))
    return community


def _grant_volunteer(user: User | None, community: Place) -> None:
    if user is None:
        return
    held = Grant.objects.active().filter(user=user, role=Role.VOLUNTEER, place=community).exists()
    if not held:
        add_grant(None, user, role=Role.VOLUNTEER, place=community)


def _check_community(community: Any) -> Place:
    if not isinstance(community, Place) or community.level != PlaceLevel.COMMUNITY or not community.is_active:
        raise ValidationError({"community": [_("Pick your community")]})
    return community


@transaction.atomic
def sign_up_volunteer(
    user: Any,
    *,
    name: str = "",
    community: Place | None = None,
    roles: Iterable[str] = (),
    languages: Iterable[str] = (),
    skills: Iterable[Skill] = (),
    availability: Iterable[str] = (),
    note: str = "",
) -> Volunteer:
    """A resident logged in by phone signs up. Their registry record is found by the phone's digest; with none
    (or several that the name does not settle) the sign-up waits, with the name and community given, for the
    community to register the person (`confirm_applicant`): a resident may not write the registry."""
    if not can_sign_up_as_volunteer(user):
        raise PermissionDenied(_("Log in with your phone to sign up as a volunteer"))
    user = User.objects.select_for_update().get(pk=user.pk)
    existing = Volunteer.objects.select_for_update().filter(user=user).first()
    if existing is not None:
        raise ValidationError(_("You have already signed up as a volunteer"))
    candidates = (
        list(Person.objects.filter(phone_digest=user.phone_digest, left_on__isnull=True)) if user.phone_digest else []
    )
    name = check_plain_text((name or "").strip())[:64]
    if len(candidates) > 1 and name:
        candidates = [p for p in candidates if p.name == name]
    person = candidates[0] if len(candidates) == 1 else None
    if person is not None:
        volunteer = Volunteer.objects.select_for_update().filter(person=person).first()
        if volunteer is not None and volunteer.user_id is not None:
            raise ValidationError(_("This person is already a volunteer with another account"))
        if volunteer is None:
            volunteer = Volunteer(person=person, community=_community_of(person), state=VolunteerState.ACTIVE)
        volunteer.user = user
    else:
        if not name:
            raise ValidationError({"name": [_("Tell us your name")]})
        volunteer = Volunteer(
            user=user, community=_check_community(community), applicant_name=name, state=VolunteerState.PENDING
        )
    _profile(volunteer, roles=roles, languages=languages, availability=availability, note=note)
    volunteer.save()
    volunteer.skills.set(list(skills))
    if volunteer.state == VolunteerState.ACTIVE:
        _grant_volunteer(user, volunteer.community)
    audit.record(
        AuditAction.VOLUNTEER_REGISTERED,
        actor=user,
        target=volunteer,
        data={"community": volunteer.community.code, "state": volunteer.state, "self": True},
    )
    return volunteer


@transaction.atomic
def register_volunteer(
    actor: Any,
    person: Person,
    *,
    roles: Iterable[str] = (),
    languages: Iterable[str] = (),
    skills: Iterable[Skill] = (),
    availability: Iterable[str] = (),
    note: str = "",
) -> Volunteer:
    """Community staff register a person of their community; an account on the person's phone is linked and
    granted the volunteer role."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    community = _community_of(person)
    if not can_publish_activities(actor, community):
        raise PermissionDenied(_("You may not register volunteers here"))
    if Volunteer.objects.filter(person=person).exists():
        raise ValidationError(_("This person is already a volunteer"))
    user = User.objects.filter(phone_digest=person.phone_digest).first() if person.phone_digest else None
    if user is not None and Volunteer.objects.filter(user=user).exists():
        user = None  # the account already belongs to another volunteer record (a shared phone)
    volunteer = Volunteer(person=person, user=user, community=community, registered_by=actor)
    _profile(volunteer, roles=roles, languages=languages, availability=availability, note=note)
    volunteer.save()
    volunteer.skills.set(list(skills))
    _grant_volunteer(user, community)
    audit.record(
        AuditAction.VOLUNTEER_REGISTERED,
        actor=actor,
        target=volunteer,
        data={"community": community.code, "state": volunteer.state, "account": user is not None},
    )
    return volunteer


@transaction.atomic
def confirm_applicant(
    actor: Any, volunteer: Volunteer, *, person: Person | None = None, **registration: Any
) -> Volunteer:
    """A pending sign-up becomes a volunteer: linked to a registry person of the community, or to one the staff
    register now through linli.people's registration action (`registration`: place, residency…)."""
    from linli.people.actions.registry import register_person

    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not can_manage_volunteer(actor, volunteer):
        raise PermissionDenied(_("You may not change this volunteer"))
    if volunteer.state != VolunteerState.PENDING:
        raise ValidationError(_("This volunteer is not waiting for confirmation"))
    if person is None:
        phone = volunteer.user.phone if volunteer.user_id else ""  # type: ignore[union-attr]
        fields = {"name": volunteer.applicant_name, "phone": phone, **registration}
        person = register_person(actor, **fields)
    elif Volunteer.objects.filter(person=person).exists():
        raise ValidationError(_("This person is already a volunteer"))
    if not person.place.path.startswith(volunteer.community.path):
        raise ValidationError(_("The person must live in the volunteer's community"))
    volunteer.person, volunteer.applicant_name, volunteer.state = person, "", VolunteerState.ACTIVE
    volunteer.registered_by = actor
    volunteer.save()
    _grant_volunteer(volunteer.user, volunteer.community)
    audit.record(AuditAction.VOLUNTEER_UPDATED, actor=actor, target=volunteer, data={"confirmed": True})
    return volunteer


@transaction.atomic
def update_volunteer(
    actor: Any,
    volunteer: Volunteer,
    *,
    roles: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    skills: Iterable[Skill] | None = None,
    availability: Iterable[str] | None = None,
    note: str | None = None,
) -> Volunteer:
    """The volunteer changes their own profile, or the community's keepers change it."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    own = getattr(actor, "pk", None) is not None and volunteer.user_id == actor.pk
    if not own and not can_manage_volunteer(actor, volunteer):
        raise PermissionDenied(_("You may not change this volunteer"))
    _profile(volunteer, roles=roles, languages=languages, availability=availability, note=note)
    volunteer.save()
    if skills is not None:
        volunteer.skills.set(list(skills))
    changed = [
        k
        for k, v in {
            "roles": roles,
            "languages": languages,
            "skills": skills,
            "availability": availability,
            "note": note,
        }.items()
        if v is not None
    ]
    audit.record(AuditAction.VOLUNTEER_UPDATED, actor=actor, target=volunteer, data={"fields": changed})
    return volunteer


@transaction.atomic
def record_certificate(
    actor: Any,
    volunteer: Volunteer,
    *,
    kind: str,
    number: str = "",
    issued_on: Any = None,
    expires_on: Any = None,
    scan: Any = None,
) -> Certificate:
    """Community staff record a certificate they have seen (the volunteer's own word is not enough to open a
    post that requires it)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not can_manage_volunteer(actor, volunteer):
        raise PermissionDenied(_("You may not change this volunteer"))
    if kind not in CertificateKind.values:
        raise ValidationError({"kind": [_("Unknown certificate kind")]})
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": [_("A certificate expires after it is issued")]})
    certificate = Certificate(
        volunteer=volunteer,
        kind=kind,
        number=check_plain_text((number or "").strip())[:64],
        issued_on=issued_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    if scan:
        certificate.scan = scan
    certificate.save()
    audit.record(
        AuditAction.CERTIFICATE_RECORDED,
        actor=actor,
        target=volunteer,
        data={
            "certificate": certificate.pk,
            "kind": kind,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return certificate
