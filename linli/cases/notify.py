"""Who hears about a step, sent after the action's transaction commits (a rolled-back step tells nobody).

The reporter always gets the in-app notice (and whatever channels are configured); a unit's members are
the users whose grants make them work for it (linli.accounts.membership.member_units, the same answer the
predicates use)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from linli.accounts.membership import UNIT_OF_PLACE_ROLE
from linli.accounts.models import Grant, User
from linli.accounts.scopes import MAX_UNIT_DEPTH

from .models import Case

# Set by bulk builders (the demo history) that replay a year of cases and must not fill inboxes with it.
SILENCED = {"value": False}


def unit_members(unit: Any) -> QuerySet[User]:
    if unit is None:
        return User.objects.none()
    kinds = [role for role, kind in UNIT_OF_PLACE_ROLE.items() if kind == unit.kind]
    by_place = Q(role__in=kinds, place__in=unit.jurisdiction.all()) if kinds else Q(pk__in=[])
    chain = [unit.pk]
    parent = unit.parent_id
    while parent is not None and len(chain) < MAX_UNIT_DEPTH:
        chain.append(parent)
        parent = type(unit).objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    grants = Grant.objects.active().filter(Q(unit_id__in=chain) | by_place)
    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True)


def _link(case: Case) -> str:
    return f"/cases/{case.pk}/"


def _send(recipients: list[int], *, kind: str, title: str, body: str, link: str) -> None:
    from linli.notices.actions import notify

    for user in User.objects.filter(pk__in=recipients):
        notify(user, kind=kind, title=title, body=body, link=link)


def later(recipients: list[int], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    if SILENCED["value"] or not recipients:
        return
    transaction.on_commit(lambda: _send(recipients, kind=kind, title=title, body=body, link=link))


def tell_reporter(case: Case, title: str, body: str = "") -> None:
    if case.reporter_id:
        later([case.reporter_id], kind="case_update", title=f"{case.number} {title}", body=body, link=_link(case))


def tell_unit(unit: Any, case: Case, title: str, body: str = "") -> None:
    if SILENCED["value"] or unit is None:
        return
    members = list(unit_members(unit).values_list("pk", flat=True)[: settings.CASE_NOTIFY_MAX_MEMBERS])
    later(members, kind="case_update", title=f"{case.number} {title}", body=body, link=_link(case))
