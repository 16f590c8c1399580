"""The scope rules for the registry, registered with linli.accounts.scopes (the one place).

- the place roles (grid worker, community staff, street dispatcher, district command) read the people who live
  under their places, and the houses, households, owners and tenants there;
- changing is registry upkeep: community workers and secretaries in their community, district command in its
  district (the same roles that edit the place tree);
- department handlers, providers, volunteers and residents read none of it (a handler sees a linked
  reporter's care tags on the case page, through the case); auditors read the access log, not the registry;
- a person's tags, visits, memberships, party record and consents go with the person;
- an import job is its uploader's alone.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, keep, under_any


def person_condition(scope: Scope, action: str, field: str) -> models.Q | None:
    roles = PLACE_EDITORS if action == "change" else PLACE_READERS
    return under_any(scope.paths(roles), field)


def persons_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, person_condition(scope, action, "place__path"))


def person_part_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, person_condition(scope, action, "person__place__path"))


def house_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    field = "place__path" if qs.model._meta.model_name == "house" else "house__path"
    return keep(qs, person_condition(scope, action, field))


def purged_count_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if action == "change":
        return qs.none()  # written by the purge alone
    return keep(qs, person_condition(scope, action, "community__path"))


def import_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return qs.filter(created_by_id=scope.user_id)
