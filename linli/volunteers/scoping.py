"""The scope rules for volunteers and activities, registered with linli.accounts.scopes in VolunteersConfig.ready.

- volunteer records, their certificates and sign-ups are read by the place roles (community staff, street
  dispatcher, district command; a grid worker too, where the community lies under its grid — never) under
  whose places the volunteer's community (or the activity's) lies; changed by community workers, secretaries
  and district command there (the registry's keepers);
- a volunteer reads their own record, certificates and sign-ups (the record's account is theirs), and
  changes nothing through the scope: their own steps (sign up, cancel, check in) are the actions' predicates;
- activities and standing posts are read by the staff above or below their community (a grid worker reads
  its community's activities), by residents and volunteers of that community — where their registry record
  lives (matched on the verified phone's digest), where they hold a volunteer grant, or where their
  volunteer record is — and changed by the keepers under the community;
- the skills catalogue is read by every grant holder and changed by district command (catalogue_rule).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, any_of, keep, under_any
from linli.places.models import SEGMENT_WIDTH

TAKING_PART = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def ancestors_or_self(paths: tuple[str, ...] | list[str]) -> list[str]:
    return sorted({p[:end] for p in paths for end in range(SEGMENT_WIDTH, len(p) + 1, SEGMENT_WIDTH)})


def _staff(scope: Scope, action: str, field: str) -> models.Q | None:
    return under_any(scope.paths(PLACE_EDITORS if action == "change" else PLACE_READERS), field)


def volunteer_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    own = models.Q(user_id=user.pk) if action != "change" else None
    return keep(qs, any_of(_staff(scope, action, "community__path"), own))


def certificate_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    own = models.Q(volunteer__user_id=user.pk) if action != "change" else None
    return keep(qs, any_of(_staff(scope, action, "volunteer__community__path"), own))


def signup_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    own = models.Q(volunteer__user_id=user.pk) if action != "change" else None
    return keep(qs, any_of(_staff(scope, action, "activity__community__path"), own))


def activity_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """Activities and posts alike (both carry `community`)."""
    if scope.everything:
        return qs
    if action == "change":
        return keep(qs, under_any(scope.paths(PLACE_EDITORS), "community__path"))
    staff = scope.paths(PLACE_READERS)
    conditions: list[models.Q | None] = [under_any(staff, "community__path")]
    if staff:
        conditions.append(models.Q(community__path__in=ancestors_or_self(staff)))
    if scope.has(TAKING_PART):
        from linli.people.models import Person

        from .models import Volunteer

        granted = list(scope.paths(TAKING_PART))
        if granted:
            conditions.append(models.Q(community__path__in=ancestors_or_self(granted)))
        if digest := getattr(user, "phone_digest", None):  # a subquery: `restrict` stays at two queries
            homes = Person.objects.filter(phone_digest=digest, left_on__isnull=True)
            below = homes.filter(place__path__startswith=models.OuterRef("community__path"))
            conditions.append(models.Q(models.Exists(below)))
        own = Volunteer.objects.filter(user_id=user.pk).values("community_id")
        conditions.append(models.Q(community_id__in=own))
    return keep(qs, any_of(*conditions))
