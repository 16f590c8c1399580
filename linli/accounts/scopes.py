"""Data scopes, enforced here and only here (DESIGN §1; the first of issue 15's three questions).

A user reads the union of what each of their grants in force allows. Every read path — pages, API, exports,
dashboards — starts from `Model.objects.restrict(user, action)`, which lands in `restrict` below, the way
NetBox's RestrictedQuerySet does. A model without a rule here cannot be restricted at all, and every model
Django knows must have a rule or an exemption in `EXEMPT` (a test walks `apps.get_models()`).

Cost is bounded: the user's own grants are read once per request (`scope_of`, cached on the user object) to
learn roles and place paths; everything else — units below a granted unit, units wholly inside a place,
users holding grants somewhere — is SQL subqueries, so `restrict` adds at most that one query to the query
it returns, whatever the role and however many grants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, cast

from django.db import models

from .choices import Role

ACTIONS = frozenset({"view", "change", "export", "pick"})

# Roles whose place grants open the places below them (a jurisdiction of work, not of a unit).
PLACE_READERS = frozenset(
    {
        Role.DISTRICT_COMMAND,
        Role.STREET_DISPATCHER,
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.GRID_WORKER,
    }
)
PLACE_EDITORS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
# Roles that receive work through a unit: they read places only as the context of that work.
WORK_RECEIVERS = frozenset({Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER})
UNIT_EDITORS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND})
RESPONSIBILITY_EDITORS = frozenset({Role.DISTRICT_COMMAND})
AUDIT_READERS = frozenset({Role.AUDITOR})
# Units nest (a department and its sections); a granted unit opens its children down to this depth, which
# the unit import enforces so that the parent chain in `_unit_tree` is never cut short.
MAX_UNIT_DEPTH = 4


@dataclass(frozen=True)
class GrantRow:
    pk: int
    role: str
    place_path: str | None
    unit_id: int | None


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    everything: bool
    grants: tuple[GrantRow, ...]
    only_grant_ids: frozenset[int] | None = None

    @property
    def empty(self) -> bool:
        return not self.everything and not self.grants

    @property
    def roles(self) -> frozenset[str]:
        found = {g.role for g in self.grants}
        if self.everything:
            found.add(Role.PLATFORM_ADMIN)
        return frozenset(found)

    def has(self, roles: Iterable[str]) -> bool:
        return self.everything or bool(self.roles & set(roles))

    def paths(self, roles: Iterable[str]) -> tuple[str, ...]:
        wanted = set(roles)
        return tuple(sorted({g.place_path for g in self.grants if g.role in wanted and g.place_path}))

    def holds_units(self, roles: Iterable[str]) -> bool:
        wanted = set(roles)
        return any(g.unit_id for g in self.grants if g.role in wanted)


NO_SCOPE = Scope(user_id=None, everything=False, grants=())


def scope_of(user: Any) -> Scope:
    """The user's grants in force, read once per user object (one query); superusers are platform admins.

    `user.only_grant_ids` (set by token authentication) narrows the user to those grants."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_linli_scope", None)
    if cached is not None:
        return cached
    from .models import Grant

    only = getattr(user, "only_grant_ids", None)
    rows = Grant.objects.active().filter(user_id=user.pk)
    if only is not None:
        rows = rows.filter(pk__in=sorted(only))
    return _settle(user, [GrantRow(*row) for row in rows.values_list("pk", "role", "place__path", "unit_id")])


def _settle(user: Any, grants: Iterable[GrantRow]) -> Scope:
    only = getattr(user, "only_grant_ids", None)
    rows = tuple(grants)
    everything = (user.is_superuser and only is None) or any(g.role == Role.PLATFORM_ADMIN for g in rows)
    scope = Scope(
        user_id=user.pk,
        everything=everything,
        grants=rows,
        only_grant_ids=frozenset(only) if only is not None else None,
    )
    user._linli_scope = scope
    return scope


def prime_scope(user: Any, grant: Any) -> Scope:
    """The scope of a user narrowed to one grant (`user.only_grant_ids == {grant.pk}`) that the caller has
    just read, with its place, and found in force — token authentication does, with the token — so that
    scope_of needs no query of its own. The same rules as scope_of."""
    if getattr(user, "only_grant_ids", None) != frozenset({grant.pk}):
        raise ValueError("prime_scope is for a user narrowed to exactly this grant")
    place_path = grant.place.path if grant.place_id else None
    return _settle(user, [GrantRow(grant.pk, grant.role, place_path, grant.unit_id)])


def forget_scope(user: Any) -> None:
    """Drop the per-request cache after the user's grants change."""
    if hasattr(user, "_linli_scope"):
        del user._linli_scope


def roles_of(user: Any) -> frozenset[str]:
    return scope_of(user).roles


def is_platform_admin(user: Any) -> bool:
    return scope_of(user).everything


# --------------------------------------------------------------------------------------------------
# Building blocks: all SQL, no lists of ids


def under_any(paths: Iterable[str], field: str) -> models.Q | None:
    from linli.places.models import subtree_q

    conditions = [subtree_q(p, field=field) for p in paths]
    return reduce(or_, conditions) if conditions else None


def any_of(*conditions: models.Q | None) -> models.Q | None:
    present = [c for c in conditions if c is not None]
    return reduce(or_, present) if present else None


def keep[T: models.Model](qs: models.QuerySet[T], condition: models.Q | None) -> models.QuerySet[T]:
    return qs.none() if condition is None else qs.filter(condition)


def granted_units(scope: Scope, roles: Iterable[str]) -> models.QuerySet[Any]:
    """Subquery: the units the user's grants of `roles` name directly."""
    from .models import Grant

    rows = Grant.objects.active().filter(user_id=scope.user_id or 0, role__in=sorted(roles), unit__isnull=False)
    if scope.only_grant_ids is not None:
        rows = rows.filter(pk__in=sorted(scope.only_grant_ids))
    return rows.values("unit_id")


def unit_tree(units: models.QuerySet[Any], prefix: str = "") -> models.Q:
    """A unit in `units` or below one, following the parent chain to MAX_UNIT_DEPTH in one condition."""
    hops = [f"{prefix}{'parent__' * n}pk__in" for n in range(MAX_UNIT_DEPTH)]
    return reduce(or_, (models.Q(**{hop: units}) for hop in hops))


def units_wholly_under(paths: tuple[str, ...]) -> models.Q | None:
    """Units whose jurisdiction lies wholly under `paths`: a district department covering the whole district
    is not "inside" one street. NOT EXISTS a jurisdiction place outside the subtrees."""
    from linli.orgs.models import Unit

    inside = under_any(paths, "place__path")
    if inside is None:
        return None
    through = Unit.jurisdiction.through.objects.filter(unit_id=models.OuterRef("pk"))
    return models.Q(models.Exists(through.filter(inside))) & ~models.Q(models.Exists(through.exclude(inside)))


def _unit_condition(scope: Scope, action: str) -> models.Q | None:
    """Which units the scope reaches, as a condition on Unit (used by the unit rule and by the user rule)."""
    roles = UNIT_EDITORS if action == "change" else PLACE_READERS
    conditions = [units_wholly_under(scope.paths(roles))]
    if scope.holds_units({Role.DISTRICT_COMMAND}):
        conditions.append(models.Q(pk__in=granted_units(scope, {Role.DISTRICT_COMMAND})))
    if action != "change" and scope.holds_units(WORK_RECEIVERS):
        conditions.append(unit_tree(granted_units(scope, WORK_RECEIVERS)))
    return any_of(*conditions)


# Providers of "work given to a unit": each maps a subquery of unit ids to a subquery of place ids.
# Dispatch registers its decisions; the case workflow will register cases.
WORK_PLACES: list[Callable[[models.QuerySet[Any]], models.QuerySet[Any]]] = []

Rule = Callable[[models.QuerySet[Any], Scope, str, Any], models.QuerySet[Any]]


# --------------------------------------------------------------------------------------------------
# Rules, one per model


def _places(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything or (action == "pick" and not scope.empty):
        return qs  # "pick": names for pickers; callers show only name, code, level and parent
    if action == "change":
        return keep(qs, under_any(scope.paths(PLACE_EDITORS), "path"))
    work = None
    if scope.holds_units(WORK_RECEIVERS) and WORK_PLACES:
        units = granted_units(scope, WORK_RECEIVERS)
        work = any_of(*(models.Q(pk__in=provider(units)) for provider in WORK_PLACES))
    return keep(qs, any_of(under_any(scope.paths(PLACE_READERS), "path"), work))


def _units(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, _unit_condition(scope, action))


def catalogue_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """A public catalogue — the responsibility list (Open311 publishes it as services), the working calendar:
    every user with a grant in force reads it; only district command and platform admins change it."""
    if action == "change":
        return qs if scope.has(RESPONSIBILITY_EDITORS) else qs.none()
    return qs.none() if scope.empty else qs


def _admissions(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    from linli.orgs.models import Matter

    # An admission record is read and changed by whoever may read and change its matter.
    return qs.filter(matter__in=catalogue_rule(Matter.objects.all(), scope, action, user))


def _district_places(scope: Scope, field: str = "path") -> models.Q | None:
    return under_any(scope.paths({Role.DISTRICT_COMMAND}), field)


def _district_units(scope: Scope) -> models.Q | None:
    """The units district command sees through its district grants alone (not through other roles it holds)."""
    district_only = Scope(
        user_id=scope.user_id,
        everything=False,
        grants=tuple(g for g in scope.grants if g.role == Role.DISTRICT_COMMAND),
        only_grant_ids=scope.only_grant_ids,
    )
    return _unit_condition(district_only, "view")


def _district_grants(scope: Scope) -> models.Q | None:
    """Grants inside district command's reach: on a place under its places or on a unit it sees."""
    from linli.orgs.models import Unit

    if not scope.has({Role.DISTRICT_COMMAND}) or scope.everything:
        return None
    units = _district_units(scope)
    united = models.Q(unit__in=Unit.objects.filter(units).values("pk")) if units is not None else None
    return any_of(_district_places(scope, "place__path"), united)


def in_grant_reach(user: Any, *, place: Any = None, unit: Any = None) -> bool:
    """Whether a grant on `place` or `unit` would lie inside what the user may grant: anywhere for a platform
    admin; under district command's own places or at units it sees. A grant on neither needs an admin."""
    from linli.orgs.models import Unit
    from linli.places.models import Place

    scope = scope_of(user)
    if scope.everything:
        return True
    if not scope.has({Role.DISTRICT_COMMAND}) or (place is None and unit is None):
        return False
    if place is not None and not keep(Place.objects.filter(pk=place.pk), _district_places(scope)).exists():
        return False
    return unit is None or keep(Unit.objects.filter(pk=unit.pk), _district_units(scope)).exists()


def _holding(condition: models.Q | None) -> models.Q | None:
    """Users holding a grant in force that meets `condition` (a condition on Grant)."""
    from .models import Grant

    if condition is None:
        return None
    return models.Q(models.Exists(Grant.objects.active().filter(condition, user_id=models.OuterRef("pk"))))


def _users(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if scope.empty:
        return qs.none()
    if action == "change":
        return keep(qs, _holding(_district_grants(scope))).exclude(pk=scope.user_id)
    placed = under_any(scope.paths(PLACE_READERS - {Role.DISTRICT_COMMAND}), "place__path")
    united = None
    if scope.holds_units(WORK_RECEIVERS):
        united = models.Q(unit__in=granted_units(scope, WORK_RECEIVERS))
    reach = any_of(placed, united, _district_grants(scope))
    return keep(qs, any_of(models.Q(pk=scope.user_id), _holding(reach)))


def _grants(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    from .models import User

    if action == "change":
        if scope.everything:
            return qs.exclude(user_id=scope.user_id)
        return keep(qs, _district_grants(scope)).exclude(user_id=scope.user_id)
    if scope.everything:
        return qs
    return qs.filter(user__in=_users(User.objects.all(), scope, "view", user).values("pk"))


def _audit(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    return qs if action != "change" and scope.has(AUDIT_READERS) else qs.none()


RULES: dict[str, Rule] = {
    "places.place": _places,
    "orgs.unit": _units,
    "orgs.matter": catalogue_rule,
    "orgs.matteradmission": _admissions,
    "accounts.user": _users,
    "accounts.grant": _grants,
    "core.auditevent": _audit,
}

# Models that no read path restricts, each with why. A model in neither dict fails the coverage test.
EXEMPT: dict[str, str] = {
    "admin.logentry": "Django admin's own history; the admin sits behind Linli's login and is read there only.",
    "auth.permission": "Django's permission catalogue: names of model permissions, no user data.",
    "auth.group": "Unused by Linli (grants replace groups); holds no personal data.",
    "contenttypes.contenttype": "Model names for generic relations; no user data.",
    "sessions.session": "Read only by the session middleware for the cookie's owner.",
    "otp_totp.totpdevice": "Read only by the two-factor login for the user logging in.",
    "django_tasks_database.dbtaskresult": "Background task queue, read by the worker; no read path shows it.",
    "core.auditchainhead": "Internal single row that chains audit events; never shown.",
    "otp_static.staticdevice": "Recovery-code device, read only by the two-factor login for its owner.",
    "otp_static.statictoken": "Hashed recovery codes, read only by the two-factor login for their owner.",
    "axes.accessattempt": "Login throttle counters (unknown names stored as keyed hashes), read only by axes.",
    "axes.accessattemptexpiration": "When each throttle counter expires; read only by axes.",
    "axes.accesslog": "Login history kept by axes for the throttle; shown only in the admin to platform admins.",
    "axes.accessfailurelog": "Failed-login history kept by axes for the throttle; admin only, platform admins.",
    "accounts.phonecode": "Hashed one-time codes, read only by code verification.",
    "dispatch.dispatchmodel": "Versions and metrics of the dispatch classifier; no personal data.",
    "core.scheduledjob": "Names and run times of periodic jobs, read only by the scheduler; no personal data.",
}


def register(label: str, rule: Rule) -> None:
    """Later apps (dispatch, cases…) add their rule here so that scoping stays in one function."""
    RULES[label] = rule


def register_work_places(provider: Callable[[models.QuerySet[Any]], models.QuerySet[Any]]) -> None:
    """An app whose rows give work to units says where that work is (a subquery of place ids)."""
    if provider not in WORK_PLACES:
        WORK_PLACES.append(provider)


def restrict[Q: models.QuerySet[Any]](qs: Q, user: Any, action: str = "view") -> Q:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    label = qs.model._meta.label_lower
    try:
        rule = RULES[label]
    except KeyError:
        raise LookupError(f"no scope rule for {label}: add one to linli.accounts.scopes") from None
    scope = scope_of(user)
    if scope.empty:
        return cast(Q, qs.none())
    return cast(Q, rule(qs, scope, action, user))


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `obj` is within the user's scope for `action`; the same rule as every list uses."""
    manager = type(obj)._default_manager
    return restrict(manager.filter(pk=obj.pk), user, action).exists()
