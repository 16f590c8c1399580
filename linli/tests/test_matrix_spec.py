"""The data-scope spec (DESIGN §1, issue 15) written out as plain Python over the fixture world.

This is the matrix's oracle: for a viewer, a model and an action it says which rows the viewer MUST reach
(`must`) and which rows the spec leaves open (`open_`, never probed); every other row must stay out of
reach. It reads the fixture's rows and grants and decides in Python — no call into linli.accounts.scopes —
so that a wrong rule there cannot make its own test pass. Where the spec is silent the row is left open and
the choice is said in a comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.api.models import ApiToken
from linli.core.models import AuditEvent
from linli.dispatch.models import DispatchDecision, TrainingExample
from linli.notices.models import Notice
from linli.orgs.models import Matter, MatterAdmission, Unit
from linli.places.models import Place
from linli.worktime.models import CalendarDay, CalendarYear

from .matrix_spec_assessment import ASSESSMENT_MODELS, AssessmentFacts, assessment_rule
from .matrix_spec_cases import CASE_MODELS, EXPORT_AS_CHANGE, PARTS, CaseFacts, case_rule, work_places
from .matrix_spec_participation_cast import CAST_MODELS, CAST_RULES
from .matrix_spec_participation_count import COUNT_MODELS, COUNT_RULES
from .matrix_spec_participation_topics import TOPIC_MODELS, TopicFacts, topic_rule
from .matrix_spec_people import CATALOGUES, PEOPLE_MODELS, PeopleFacts, people_rule
from .matrix_spec_projects import PROJECT_MODELS, ProjectFacts, project_rule
from .matrix_spec_resources import RESOURCE_MODELS, ResourceFacts, resource_rule
from .matrix_spec_reverse import REVERSE_MODELS, ReverseFacts, reverse_rule
from .matrix_spec_services import SERVICES_MODELS, services_rule
from .matrix_spec_timebank import TIMEBANK_MODELS, TimebankFacts, timebank_rule
from .matrix_spec_volunteers import CATALOGUES as VOLUNTEER_CATALOGUES
from .matrix_spec_volunteers import VOLUNTEER_MODELS, VolunteerFacts, volunteer_rule

PLACE_READERS = {
    Role.DISTRICT_COMMAND,
    Role.STREET_DISPATCHER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.GRID_WORKER,
}
PLACE_EDITORS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
WORK_RECEIVERS = {Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER}
DECISION_DISPATCHERS = {Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.COMMUNITY_SECRETARY}
OWN_ONLY = {Role.RESIDENT, Role.VOLUNTEER, Role.AUDITOR}

# Every model the matrix probes, by label; a scope rule for a label not here fails the matrix.
MODELS: dict[str, type[Any]] = {
    "places.place": Place,
    "orgs.unit": Unit,
    "orgs.matter": Matter,
    "orgs.matteradmission": MatterAdmission,
    "accounts.user": User,
    "accounts.grant": Grant,
    "core.auditevent": AuditEvent,
    "dispatch.dispatchdecision": DispatchDecision,
    "dispatch.trainingexample": TrainingExample,
    "api.apitoken": ApiToken,
    "worktime.calendarday": CalendarDay,
    "worktime.calendaryear": CalendarYear,
    "notices.notice": Notice,
    **CASE_MODELS,  # the closed loop: its spec is in matrix_spec_cases.py
    **PEOPLE_MODELS,  # the registry of people and houses: its spec is in matrix_spec_people.py
    **ASSESSMENT_MODELS,  # the assessment figures: its spec is in matrix_spec_assessment.py
    **REVERSE_MODELS,  # the reverse assessment's ratings and surveys: its spec is in matrix_spec_reverse.py
    **TIMEBANK_MODELS,  # the time bank's ledger, exchanges and reward shelves: matrix_spec_timebank.py
    **RESOURCE_MODELS,  # the resource and expert library: its spec is in matrix_spec_resources.py
    **VOLUNTEER_MODELS,  # volunteers, activities and sign-ups: its spec is in matrix_spec_volunteers.py
    **SERVICES_MODELS,  # the service catalogue: its spec is in matrix_spec_services.py
    **PROJECT_MODELS,  # project packages and open calls: its spec is in matrix_spec_projects.py
    **COUNT_MODELS,  # owners' votes, their roll and ballots: the spec is in matrix_spec_participation_count.py
    **CAST_MODELS,  # casting's paper entries: its spec is in matrix_spec_participation_cast.py
    **TOPIC_MODELS,  # deliberation topics and their parts: its spec is in matrix_spec_participation_topics.py
}
ACTIONS = ("view", "change", "export", "pick")


@dataclass(frozen=True)
class Hat:
    """One grant in force: a role over a place (path), a unit, or neither."""

    pk: int
    role: str
    path: str | None
    unit_id: int | None


@dataclass
class Expected:
    must: set[int]
    open_: set[int]


def _active(grant: Grant, now: Any) -> bool:
    return grant.valid_from <= now and (grant.valid_to is None or grant.valid_to > now)


class Snapshot:
    """The world's rows, read once per matrix run (the oracle never queries per probe)."""

    def __init__(self) -> None:
        now = timezone.now()
        self.places = {p.pk: p.path for p in Place.objects.all()}
        self.units: dict[int, tuple[int | None, list[str]]] = {}
        for unit in Unit.objects.prefetch_related("jurisdiction"):
            self.units[unit.pk] = (unit.parent_id, [p.path for p in unit.jurisdiction.all()])
        self.users = {u.pk: u for u in User.objects.all()}
        self.grants = list(Grant.objects.select_related("place"))
        self.active = {g.pk for g in self.grants if _active(g, now)}
        self.decisions = list(DispatchDecision.objects.select_related("place"))
        self.examples = list(TrainingExample.objects.select_related("decision__place"))
        self.tokens = list(ApiToken.objects.select_related("grant"))
        self.matters = set(Matter.objects.values_list("pk", flat=True))
        self.admissions = set(MatterAdmission.objects.values_list("pk", flat=True))
        self.calendar_days = set(CalendarDay.objects.values_list("pk", flat=True))
        self.calendar_years = set(CalendarYear.objects.values_list("pk", flat=True))
        self.notices = dict(Notice.objects.values_list("pk", "recipient_id"))
        self.case_facts = CaseFacts()
        self.people_facts = PeopleFacts()
        self.assessment_facts = AssessmentFacts()
        self.reverse_facts = ReverseFacts()
        self.timebank_facts = TimebankFacts()
        self.resource_facts = ResourceFacts()
        self.volunteer_facts = VolunteerFacts()
        self.project_facts = ProjectFacts()
        self.topic_facts = TopicFacts()
        # Users the spec says nothing about as objects of others' reads: nobody should depend on whether an
        # expired grant or a deactivated account still shows up in a colleague's list.
        self.limbo = {
            pk
            for pk, u in self.users.items()
            if not u.is_active or not any(g.pk in self.active for g in self.grants if g.user_id == pk)
        }

    def hats(self, user: User, only: frozenset[int] | None = None) -> list[Hat]:
        if not user.is_active:
            return []
        hats = [
            Hat(g.pk, g.role, g.place.path if g.place else None, g.unit_id)
            for g in self.grants
            if g.user_id == user.pk and g.pk in self.active and (only is None or g.pk in only)
        ]
        if user.is_superuser and only is None:
            hats.append(Hat(0, Role.PLATFORM_ADMIN, None, None))
        return hats

    # ---- building blocks

    def subtree(self, path: str) -> set[int]:
        return {pk for pk, p in self.places.items() if p.startswith(path)}

    def unit_and_below(self, unit_id: int) -> set[int]:
        found = {unit_id}
        while True:
            more = {pk for pk, (parent, _) in self.units.items() if parent in found} - found
            if not more:
                return found
            found |= more

    def wholly_under(self, path: str) -> set[int]:
        return {pk for pk, (_, paths) in self.units.items() if paths and all(p.startswith(path) for p in paths)}

    def holders(self, condition: Any) -> set[int]:
        """Users holding a grant in force that meets `condition`."""
        return {g.user_id for g in self.grants if g.pk in self.active and condition(g)}


def _union(parts: Iterable[set[int]]) -> set[int]:
    out: set[int] = set()
    for part in parts:
        out |= part
    return out


def expected(snap: Snapshot, user: User, label: str, action: str, only: frozenset[int] | None = None) -> Expected:
    hats = snap.hats(user, only)
    if action == "export":  # exporting is reading, except where the spec says it is staff work
        export = "change" if label in EXPORT_AS_CHANGE else "view"
    else:
        export = action
    rule = RULE_OF[label]
    must, open_ = rule(snap, user, hats, export)
    return Expected(must, open_ - must)


def _admin(hats: list[Hat]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def _places(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    everything = set(snap.places)
    if _admin(hats) or (action == "pick" and hats):
        return everything, set()
    if action == "change":
        return _union(snap.subtree(h.path) for h in hats if h.role in PLACE_EDITORS and h.path), set()
    readers = _union(snap.subtree(h.path) for h in hats if h.role in PLACE_READERS and h.path)
    units = {h.unit_id for h in hats if h.role in WORK_RECEIVERS and h.unit_id}
    # The context of work: exactly the decision's place (not its ancestors, not its subtree).
    work = {d.place_id for d in snap.decisions if d.place_id and ({d.unit_id, d.final_unit_id} & units)}
    case_must, case_open = work_places(snap.case_facts, hats, snap.unit_and_below)
    must = readers | work | case_must
    return must, case_open - must


def _unit_view(snap: Snapshot, hats: list[Hat], roles: set[Role] | set[str]) -> set[int]:
    out = _union(snap.wholly_under(h.path) for h in hats if h.role in roles and h.path)
    out |= {h.unit_id for h in hats if h.role == Role.DISTRICT_COMMAND and h.unit_id}
    return out


def _units(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    if _admin(hats):
        return set(snap.units), set()
    if action == "pick":
        return set(), set(snap.units)  # the spec defines "pick" for places only
    if action == "change":
        return _unit_view(snap, hats, {Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER}), set()
    out = _unit_view(snap, hats, PLACE_READERS)
    out |= _union(snap.unit_and_below(h.unit_id) for h in hats if h.role in WORK_RECEIVERS and h.unit_id)
    return out, set()


def _catalogue(rows: set[int]) -> Any:
    def rule(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
        if action == "pick":
            return set(), set(rows)
        if action == "change":
            editors = _admin(hats) or any(h.role == Role.DISTRICT_COMMAND for h in hats)
            return (set(rows) if editors else set()), set()
        return (set(rows) if hats else set()), set()

    return rule


def _user_reach(snap: Snapshot, user: User, hats: list[Hat]) -> set[int]:
    """Users the viewer reaches (self excluded): by the places and units of each grant."""
    out: set[int] = set()
    for h in hats:
        if h.role in PLACE_READERS and h.path:
            path = h.path
            out |= snap.holders(lambda g, path=path: g.place is not None and g.place.path.startswith(path))
        if h.role == Role.DISTRICT_COMMAND:
            units = _unit_view(snap, [h], {Role.DISTRICT_COMMAND})
            out |= snap.holders(lambda g, units=units: g.unit_id in units)
        if h.role in WORK_RECEIVERS and h.unit_id:
            # "users with a grant on their unit(s)"; grants on its child units are left open (none here)
            out |= snap.holders(lambda g, unit=h.unit_id: g.unit_id == unit)
    return out


def _users(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    if action == "pick":
        return set(), set(snap.users)
    if _admin(hats):
        return set(snap.users), ({user.pk} if action == "change" else set())
    if not hats:
        return set(), set()
    if action == "change":
        district = [h for h in hats if h.role == Role.DISTRICT_COMMAND]
        reach = _user_reach(snap, user, district) - {user.pk}
        return reach - snap.limbo, (reach & snap.limbo)
    reach = _user_reach(snap, user, hats) | {user.pk}
    return reach - (snap.limbo - {user.pk}), reach & snap.limbo


def _grants(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    every = {g.pk for g in snap.grants}
    if action == "pick":
        return set(), every
    own = {g.pk for g in snap.grants if g.user_id == user.pk}
    if action == "change":
        # Nobody changes their own grants, platform admins included.
        if _admin(hats):
            return every - own, set()
        district = [h for h in hats if h.role == Role.DISTRICT_COMMAND]
        if not district:
            return set(), set()
        paths = [h.path for h in district if h.path]
        units = _unit_view(snap, district, {Role.DISTRICT_COMMAND})
        inside = {
            g.pk
            for g in snap.grants
            if (g.place is not None and any(g.place.path.startswith(p) for p in paths)) or g.unit_id in units
        }
        # A grant on neither a place nor a unit (resident, volunteer…) is not "inside a district": left open.
        placeless = {g.pk for g in snap.grants if g.place_id is None and g.unit_id is None}
        limbo = {g.pk for g in snap.grants if g.user_id in snap.limbo}
        return inside - own - limbo, (placeless | (inside & limbo)) - own
    viewers_must, viewers_open = _users(snap, user, hats, "view")
    must = {g.pk for g in snap.grants if g.user_id in viewers_must}
    return must, {g.pk for g in snap.grants if g.user_id in viewers_open}


def _audit(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    events = set(AuditEvent.objects.values_list("pk", flat=True))  # read now: requests add events
    if action == "pick":
        return set(), events
    readers = action == "view" and any(h.role in {Role.AUDITOR, Role.PLATFORM_ADMIN} for h in hats)
    return (events if readers else set()), set()


def _decisions(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    every = {d.pk for d in snap.decisions}
    if action == "pick":
        return set(), every
    if _admin(hats):
        return every, set()
    out: set[int] = set()
    for h in hats:
        placed = {d.pk for d in snap.decisions if h.path and d.place and d.place.path.startswith(h.path)}
        united = {d.pk for d in snap.decisions if h.unit_id and h.unit_id in {d.unit_id, d.final_unit_id}}
        own = {d.pk for d in snap.decisions if d.requested_by_id == user.pk}
        if action == "change":
            out |= (placed | united) if h.role in DECISION_DISPATCHERS else set()
        elif h.role in DECISION_DISPATCHERS:
            out |= own | placed | united
        elif h.role in {Role.COMMUNITY_WORKER, Role.GRID_WORKER}:
            out |= own | placed
        elif h.role in WORK_RECEIVERS:
            out |= united
        elif h.role in OWN_ONLY:
            out |= own
    return out, set()


def _examples(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    every = {e.pk for e in snap.examples}
    if action in {"pick", "change"}:
        return set(), (every if _admin(hats) or action == "pick" else set())
    if _admin(hats):
        return every, set()
    paths = [h.path for h in hats if h.role == Role.DISTRICT_COMMAND and h.path]
    if not paths and not any(h.role == Role.DISTRICT_COMMAND for h in hats):
        return set(), set()
    must, open_ = set(), set()
    for e in snap.examples:
        place = e.decision.place if e.decision else None
        if place is None or any(place.path.startswith(p) for p in paths):
            must.add(e.pk)
        else:
            open_.add(e.pk)  # "if linkable, else all": an example from another district may or may not show
    return must, open_


def _tokens(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    """A token is seen and revoked by the user it acts for (while they hold a grant) and by platform admins."""
    every = {t.pk for t in snap.tokens}
    if action == "pick":
        return set(), every
    if _admin(hats):
        return every, set()
    if not hats:
        return set(), set()
    return {t.pk for t in snap.tokens if t.grant.user_id == user.pk}, set()


def _notices(snap: Snapshot, user: User, hats: list[Hat], action: str) -> tuple[set[int], set[int]]:
    """A notice is its recipient's (while they hold a grant); platform admins read every inbox but change
    only their own; nobody picks notices."""
    if action == "pick" or not hats:
        return set(), set()
    if _admin(hats) and action != "change":
        return set(snap.notices), set()
    return {pk for pk, recipient in snap.notices.items() if recipient == user.pk}, set()


RULE_OF: dict[str, Any] = {
    "places.place": _places,
    "orgs.unit": _units,
    "orgs.matter": lambda snap, *a: _catalogue(snap.matters)(snap, *a),
    "orgs.matteradmission": lambda snap, *a: _catalogue(snap.admissions)(snap, *a),
    "accounts.user": _users,
    "accounts.grant": _grants,
    "core.auditevent": _audit,
    "dispatch.dispatchdecision": _decisions,
    "dispatch.trainingexample": _examples,
    "api.apitoken": _tokens,
    # The working calendar is a catalogue like the responsibility list: read by all, changed by district command.
    "worktime.calendarday": lambda snap, *a: _catalogue(snap.calendar_days)(snap, *a),
    "worktime.calendaryear": lambda snap, *a: _catalogue(snap.calendar_years)(snap, *a),
    "notices.notice": _notices,
    "cases.case": case_rule("cases.case"),
    **{label: case_rule(label) for label in PARTS},
    # Deadline settings are a catalogue like the responsibility list: read by all, changed by district command.
    "cases.deadlinerule": lambda snap, *a: _catalogue(snap.case_facts.deadline_rules)(snap, *a),
    **{label: people_rule(label) for label in PEOPLE_MODELS if label not in CATALOGUES},
    # Care visit rules and retention rules are catalogues like the responsibility list.
    **{
        label: lambda snap, *a, attr=attr: _catalogue(getattr(snap.people_facts, attr))(snap, *a)
        for label, attr in CATALOGUES.items()
    },
    **{label: assessment_rule(label, _units) for label in ASSESSMENT_MODELS if label != "assessment.scheme"},
    # The assessment scheme (weights and factor) is a catalogue like the responsibility list.
    "assessment.scheme": lambda snap, *a: _catalogue(snap.assessment_facts.schemes)(snap, *a),
    **{label: reverse_rule(label) for label in REVERSE_MODELS},
    **{label: timebank_rule(label) for label in TIMEBANK_MODELS},
    **{label: resource_rule(label) for label in RESOURCE_MODELS},
    **{label: volunteer_rule(label) for label in VOLUNTEER_MODELS if label not in VOLUNTEER_CATALOGUES},
    # The skills catalogue is a catalogue like the responsibility list.
    **{
        label: lambda snap, *a, attr=attr: _catalogue(getattr(snap.volunteer_facts, attr))(snap, *a)
        for label, attr in VOLUNTEER_CATALOGUES.items()
    },
    **{label: services_rule(label) for label in SERVICES_MODELS},
    **{label: project_rule(label) for label in PROJECT_MODELS},
    **COUNT_RULES,
    **CAST_RULES,
    **{label: topic_rule(label) for label in TOPIC_MODELS},
}


def universe(snap: Snapshot, label: str) -> set[int]:
    if label == "core.auditevent":
        return set(AuditEvent.objects.values_list("pk", flat=True))
    return set(MODELS[label]._default_manager.values_list("pk", flat=True))
