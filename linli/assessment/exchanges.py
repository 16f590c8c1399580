"""Which cases two units exchanged, for the reverse assessment (反向考核): the one answer that the "to rate" list,
the rating action and its predicate share.

Raters and rated:
- a rater unit is the community committee or street office a user works for through a place grant
  (community secretary or worker at the community; street dispatcher at the street);
- a community rates the street office whose jurisdiction covers it; a street rates the district departments
  whose jurisdiction covers it (`rated_candidates`).

An exchange between rater unit R and rated unit T on case C needs C to lie in R's area (the places of R's
jurisdiction) and in the rating user's case scope, and both units to have taken part in it:
- return: both are parties to one reviewed return — the unit that returned it, the unit a review gave it to
  (upheld), and the unit of the person who decided it (a street dispatcher deciding a community's return, or
  a department's return of the street's dispatch); at = when returned;
- whistle: T was summoned (吹哨) by a person acting for R; at = when blown;
- co-handling: T co-handled C while R held it (lead or co), or T led it while R co-handled, or T co-handled
  it as sent by a person acting for R (a street dispatcher dispatching with co-units); at = when assigned.
"A person acting for" a unit holds (or held) a grant naming the unit, or the place role that makes them act
for it at its place (linli.accounts.membership.UNIT_OF_PLACE_ROLE): whoever acted then, so history stays.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import Role
from linli.accounts.membership import UNIT_OF_PLACE_ROLE
from linli.accounts.scopes import any_of, scope_of, under_any
from linli.cases.choices import AssignmentRole, EventKind, ReviewOutcome
from linli.cases.models import Case, CaseAssignment, CaseEvent, CaseReturn, WhistleCall
from linli.orgs.directory import ancestry
from linli.orgs.models import Unit

from .models_reverse import RATED_KIND, ExchangeKind, ExchangeRating

# Place roles whose holders rate as the unit of that place: role → the rater unit's kind.
RATER_ROLES: dict[str, frozenset[str]] = {
    "community_committee": frozenset({Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER}),
    "street_office": frozenset({Role.STREET_DISPATCHER}),
}
LIST_LIMIT = 200
PLACE_ROLE_KIND: dict[str, str] = {str(role): kind for role, kind in UNIT_OF_PLACE_ROLE.items()}


@dataclass(frozen=True)
class Exchange:
    case_id: int
    kind: str
    unit_id: int
    at: datetime.datetime


def rater_units(user: Any) -> QuerySet[Unit]:
    """The community committees and street offices the user rates as (platform admins rate as nobody)."""
    scope = scope_of(user)
    condition = any_of(
        *(
            Q(kind=kind, jurisdiction__path__in=scope.paths(roles))
            for kind, roles in RATER_ROLES.items()
            if scope.paths(roles)
        )
    )
    if condition is None:
        return Unit.objects.none()
    return Unit.objects.filter(is_active=True, pk__in=Unit.objects.filter(condition).values("pk")).order_by("code")


def area_paths(unit: Unit) -> list[str]:
    return list(unit.jurisdiction.values_list("path", flat=True))


def rated_candidates(rater: Unit) -> QuerySet[Unit]:
    """The units `rater` may rate at all: the street office above a community, the departments over a street."""
    kind = RATED_KIND.get(rater.kind)
    paths = area_paths(rater)
    if kind is None or not paths:
        return Unit.objects.none()
    covering = Unit.objects.filter(jurisdiction__path__in=ancestry(paths)).values("pk")
    return Unit.objects.filter(is_active=True, kind=kind, pk__in=covering).order_by("code")


def rater_for_case(user: Any, case: Case) -> Unit | None:
    """The user's rater unit whose area holds the case's place (the nearest when several do)."""
    found = rater_units(user).filter(jurisdiction__path__in=ancestry([case.place.path])).distinct()
    return max(found, key=lambda u: (max(len(p) for p in area_paths(u)), -u.pk), default=None)


def _acting_for(user_ids: set[int], units: list[Unit]) -> dict[int, set[int]]:
    """Person → those of `units` they act (or acted) for: a grant naming the unit or a unit above it, or a
    place role at the unit's place."""
    from linli.accounts.models import Grant

    if not user_ids or not units:
        return {}
    kinds = {u.pk: u.kind for u in units}
    parents = {u.pk: u.parent_id for u in units}
    at_place: dict[int, set[int]] = defaultdict(set)
    for unit_id, place_id in Unit.jurisdiction.through.objects.filter(unit_id__in=kinds).values_list(
        "unit_id", "place_id"
    ):
        at_place[place_id].add(unit_id)
    named = set(kinds) | {p for p in parents.values() if p}
    grants = Grant.objects.filter(Q(unit_id__in=named) | Q(place_id__in=list(at_place)), user_id__in=user_ids)
    out: dict[int, set[int]] = defaultdict(set)
    for user_id, role, place_id, unit_id in grants.values_list("user_id", "role", "place_id", "unit_id"):
        for candidate in kinds:
            if unit_id is not None and unit_id in (candidate, parents[candidate]):
                out[user_id].add(candidate)
        for candidate in at_place.get(place_id, ()):
            if PLACE_ROLE_KIND.get(role) == kinds[candidate]:
                out[user_id].add(candidate)
    return out


def _people_of(unit: Unit) -> QuerySet[Any]:
    """Subquery of the users who act (or acted) for `unit`, by the same grants as `_acting_for`."""
    from linli.accounts.models import Grant

    roles = [role for role, kind in PLACE_ROLE_KIND.items() if kind == unit.kind]
    places = Unit.jurisdiction.through.objects.filter(unit_id=unit.pk).values("place_id")
    return Grant.objects.filter(Q(unit_id=unit.pk) | Q(role__in=roles, place_id__in=places)).values("user_id")


def exchanges(
    user: Any,
    rater: Unit,
    *,
    since: datetime.datetime | None = None,
    case: Case | None = None,
    rated: Iterable[Unit] | None = None,
) -> list[Exchange]:
    """Every exchange between `rater` and its candidates on cases of its area the user may read, newest first,
    one per (case, kind, rated unit)."""
    paths = area_paths(rater)
    if not paths:
        return []
    area = Case.objects.restrict(user, "view").filter(under_any(paths, "place__path"))
    if case is not None:
        area = area.filter(pk=case.pk)
    candidates = rated_candidates(rater)
    if rated is not None:
        candidates = candidates.filter(pk__in=[u.pk for u in rated])
    units = list(candidates)
    ids = {u.pk for u in units}
    if not ids:
        return []
    cases = area.values("pk")
    found: dict[tuple[int, str, int], datetime.datetime] = {}

    def keep(case_id: int, kind: str, unit_id: int, at: datetime.datetime) -> None:
        key = (case_id, kind, unit_id)
        if unit_id in ids and (key not in found or found[key] < at):
            found[key] = at

    returns = CaseReturn.objects.filter(case__in=cases).exclude(outcome=ReviewOutcome.PENDING)
    whistles = WhistleCall.objects.filter(case__in=cases, unit__in=ids)
    if since is not None:
        returns, whistles = returns.filter(returned_at__gte=since), whistles.filter(blown_at__gte=since)
    decided = list(
        returns.values_list("case_id", "unit_id", "final_unit_id", "outcome", "reviewed_by_id", "returned_at")
    )
    blown = list(whistles.values_list("case_id", "unit_id", "blown_by_id", "blown_at"))
    acting = _acting_for({r[4] for r in decided if r[4]} | {w[2] for w in blown}, [*units, rater])
    for case_id, unit_id, final_id, outcome, reviewer, at in decided:
        parties = {unit_id, *acting.get(reviewer, ())}
        if outcome == ReviewOutcome.UPHELD and final_id:
            parties.add(final_id)
        if rater.pk in parties:
            for party in parties:
                keep(case_id, ExchangeKind.RETURN, party, at)
    for case_id, unit_id, blower, at in blown:
        if rater.pk in acting.get(blower, ()):
            keep(case_id, ExchangeKind.WHISTLE, unit_id, at)

    held = CaseAssignment.objects.filter(unit=rater).values("case_id")
    rater_co = CaseAssignment.objects.filter(unit=rater, role=AssignmentRole.CO).values("case_id")
    sent = CaseEvent.objects.filter(
        case__in=cases, kind__in=[EventKind.DISPATCHED, EventKind.CO_UNITS_SET], actor__in=_people_of(rater)
    ).values("case_id")
    shared = CaseAssignment.objects.filter(case__in=cases, unit__in=ids).filter(
        Q(role=AssignmentRole.CO, case_id__in=held)
        | Q(role=AssignmentRole.CO, case_id__in=sent)
        | Q(role=AssignmentRole.LEAD, case_id__in=rater_co)
    )
    if since is not None:
        shared = shared.filter(assigned_at__gte=since)
    for case_id, unit_id, at in shared.values_list("case_id", "unit_id", "assigned_at"):
        keep(case_id, ExchangeKind.CO_HANDLING, unit_id, at)

    made = [Exchange(case_id, kind, unit_id, at) for (case_id, kind, unit_id), at in found.items()]
    return sorted(made, key=lambda e: (e.at, e.case_id), reverse=True)


def to_rate(user: Any, rater: Unit, since: datetime.datetime) -> list[Exchange]:
    """The exchanges since `since` that the rater unit has not rated yet (newest first, at most LIST_LIMIT)."""
    pending = exchanges(user, rater, since=since)
    done = set(
        ExchangeRating.objects.filter(rater_unit=rater, case_id__in={e.case_id for e in pending}).values_list(
            "case_id", "kind", "rated_unit_id"
        )
    )
    return [e for e in pending if (e.case_id, e.kind, e.unit_id) not in done][:LIST_LIMIT]


def exchange_kinds(user: Any, case: Case, rated_unit: Unit) -> tuple[Unit | None, set[str]]:
    """The rater unit the user rates this case as, and what it exchanged with `rated_unit` on it."""
    rater = rater_for_case(user, case)
    if rater is None:
        return None, set()
    return rater, {e.kind for e in exchanges(user, rater, case=case, rated=[rated_unit])}
