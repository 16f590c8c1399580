"""Permission predicates: what a user may do (issue 15, the second of three questions), shared by every app.

Each predicate checks the roles of the user's grants in force and, where an object is involved, whether the
object lies in the user's data scope for the action, through `restrict`/`can` (linli.accounts.scopes). None
computes a scope itself. Routing choices are a third question, answered by linli.orgs.directory.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .choices import STAFF_ROLES, UNMASK_ROLES, Role
from .membership import works_for
from .scopes import (
    PLACE_EDITORS,
    PLACE_READERS,
    RESPONSIBILITY_EDITORS,
    UNIT_EDITORS,
    can,
    in_grant_reach,
    is_platform_admin,
    roles_of,
    scope_of,
)

# Roles whose accounts reach everyone's data or the audit trail: a stolen password must not be enough.
TWO_FACTOR_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.DISTRICT_COMMAND, Role.AUDITOR})
# Roles only a platform administrator may hand out: district command holds neither, so cannot grant them.
ADMIN_GRANTED_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR})
GRANT_MANAGERS = frozenset({Role.DISTRICT_COMMAND})
DISPATCHERS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.COMMUNITY_SECRETARY})
MODEL_MANAGERS = frozenset({Role.DISTRICT_COMMAND})
CALENDAR_EDITORS = frozenset({Role.DISTRICT_COMMAND})


def requires_two_factor(user: Any) -> bool:
    """True for users holding, now, a grant of a role that must log in with a second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_of(user) & TWO_FACTOR_ROLES)


def is_government_staff(user: Any) -> bool:
    return scope_of(user).has(STAFF_ROLES)


def can_manage_grants(user: Any, target_user: models.Model | None = None) -> bool:
    """Whether the user may grant and end roles at all (no target), or for this account: never their own."""
    if not scope_of(user).has(GRANT_MANAGERS):
        return False
    if target_user is None:
        return True
    return target_user.pk != user.pk and can(user, "change", target_user)


def can_grant(user: Any, target_user: models.Model, role: str, place: Any = None, unit: Any = None) -> bool:
    """Whether the user may give `target_user` this role at this place or unit: never to themselves, never a
    role they may not hand out, never outside their own district."""
    if role in ADMIN_GRANTED_ROLES and not is_platform_admin(user):
        return False
    if target_user.pk is not None and not can_manage_grants(user, target_user):
        return False
    if is_platform_admin(user):
        return True
    return scope_of(user).has(GRANT_MANAGERS) and in_grant_reach(user, place=place, unit=unit)


def can_end_grant(user: Any, grant: Any) -> bool:
    if grant.role in ADMIN_GRANTED_ROLES and not is_platform_admin(user):
        return False
    return scope_of(user).has(GRANT_MANAGERS) and can(user, "change", grant)


def can_edit_registry(user: Any, place: Any) -> bool:
    """Creating or changing a place below `place` (roots: platform administrators only)."""
    if place is None:
        return is_platform_admin(user)
    return scope_of(user).has(PLACE_EDITORS) and can(user, "change", place)


def can_import_places(user: Any) -> bool:
    return scope_of(user).has(PLACE_EDITORS)


def can_edit_units(user: Any) -> bool:
    return scope_of(user).has(UNIT_EDITORS)


def can_edit_responsibility_list(user: Any) -> bool:
    return scope_of(user).has(RESPONSIBILITY_EDITORS)


def can_dispatch(user: Any) -> bool:
    """Use the dispatch engine: the try page, decisions and their corrections."""
    return scope_of(user).has(DISPATCHERS)


def can_correct_decision(user: Any, decision: Any) -> bool:
    return can_dispatch(user) and can(user, "change", decision)


def can_manage_models(user: Any) -> bool:
    return scope_of(user).has(MODEL_MANAGERS)


def can_reveal_personal_data(user: Any, obj: Any) -> bool:
    """Phone and identity numbers in the clear, for roles whose work needs them, on objects they may read."""
    return scope_of(user).has(UNMASK_ROLES) and can(user, "view", obj)


def can_edit_calendar(user: Any) -> bool:
    """The official working calendar (linli.worktime): its days off, make-up days and loaded years."""
    return scope_of(user).has(CALENDAR_EDITORS)


# --------------------------------------------------------------------------------------------------
# The closed loop (linli.cases). Each predicate answers for the person and the object only; whether the
# case's state allows the step is the workflow's own table (linli.cases.workflow), checked by the action.

HOTLINE_OPERATORS = frozenset({Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER})
FIELD_REPORTERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY})
WHISTLE_BLOWERS = frozenset({Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND})
APPROVERS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND})
ARBITERS = frozenset({Role.DISTRICT_COMMAND})
VERIFIERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY})
CASE_IMPORTERS = frozenset({Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER})


def can_submit_request(user: Any) -> bool:
    """Anyone logged in may ask for help in their own name (residents first of all)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_take_hotline_calls(user: Any) -> bool:
    return scope_of(user).has(HOTLINE_OPERATORS)


def can_report_found(user: Any) -> bool:
    """主动发现: grid workers and community staff report what they find on patrol."""
    return scope_of(user).has(FIELD_REPORTERS)


def can_import_cases(user: Any) -> bool:
    return scope_of(user).has(CASE_IMPORTERS)


def can_dispatch_case(user: Any, case: Any) -> bool:
    """Send a case to its lead and co-units, re-dispatch it, merge it or mark it invalid."""
    return scope_of(user).has(DISPATCHERS) and can(user, "change", case)


def can_handle_case(user: Any, case: Any) -> bool:
    """Accept, contact, note progress, resolve, return, ask for more time, escalate: as the lead unit."""
    return works_for(user, getattr(case, "lead_unit", None)) and can(user, "view", case)


def can_review_return(user: Any, case: Any) -> bool:
    """Uphold or reject a return: the dispatcher of the case's place, or the district."""
    return scope_of(user).has(DISPATCHERS) and can(user, "change", case)


def can_arbitrate(user: Any, case: Any) -> bool:
    """争议派单: a case past its returns is moved only by the district."""
    return scope_of(user).has(ARBITERS) and can(user, "change", case)


def can_decide_approval(user: Any, case: Any) -> bool:
    """Extensions and suspensions are approved by the level above the unit, never by the unit itself."""
    if works_for(user, getattr(case, "lead_unit", None)) and not is_platform_admin(user):
        return False
    return scope_of(user).has(APPROVERS) and can(user, "change", case)


def can_blow_whistle(user: Any, case: Any) -> bool:
    return scope_of(user).has(WHISTLE_BLOWERS) and can(user, "change", case)


def can_report_whistle(user: Any, call: Any) -> bool:
    """报到: a member of the summoned unit."""
    return works_for(user, getattr(call, "unit", None))


def can_verify_case(user: Any, case: Any) -> bool:
    """核查: the grid and community staff of the case's place."""
    return scope_of(user).has(VERIFIERS) and can(user, "change", case)


def can_rate_case(user: Any, case: Any) -> bool:
    """The person who asked rates the answer. A caller with no account is called back (回访) by the hotline
    desk of the case's place, which records the caller's rating; nobody else rates, not even an admin."""
    if not getattr(user, "pk", None):
        return False
    if getattr(case, "reporter_id", None) is not None:
        return bool(case.reporter_id == user.pk)
    place = getattr(case, "place", None)
    desks = scope_of(user).paths(HOTLINE_OPERATORS)
    return place is not None and any(place.path.startswith(path) for path in desks)


def can_reveal_reporter(user: Any, case: Any) -> bool:
    """The reporter's name and phone in the clear (every view logged): roles whose work needs personal data,
    on cases they may read, the people of the lead unit, who must call the resident back (DESIGN §4), and the
    reporter, whose own data it is."""
    if getattr(user, "pk", None) and getattr(case, "reporter_id", None) == user.pk:
        return True
    return can_reveal_personal_data(user, case) or can_handle_case(user, case)


def can_export_cases(user: Any) -> bool:
    return is_government_staff(user)


# --------------------------------------------------------------------------------------------------
# The registry of people, households and houses (linli.people, DESIGN §7). Reading is the scope rule's
# (place roles under their places); these say who may do what to what they read.

REGISTRY_READERS = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)
# Registry upkeep is the place tree's work: registering a person, a household, a house's owners at a place is
# `can_edit_registry(user, place)`; changing a person already registered is `can_edit_person`.
REGISTRY_KEEPERS = PLACE_EDITORS
CARE_VISITORS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY})
STATISTICS_READERS = frozenset(
    {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)
CARE_RULE_EDITORS = frozenset({Role.DISTRICT_COMMAND})
RETENTION_RULE_EDITORS = frozenset({Role.DISTRICT_COMMAND})


def can_read_registry(user: Any) -> bool:
    return scope_of(user).has(REGISTRY_READERS)


def can_edit_person(user: Any, person: Any) -> bool:
    """Register, correct, move, tag or record consent for a person: community staff in their community."""
    return scope_of(user).has(REGISTRY_KEEPERS) and can(user, "change", person)


def can_import_registry(user: Any) -> bool:
    return scope_of(user).has(REGISTRY_KEEPERS)


def can_export_registry(user: Any) -> bool:
    """Lists of people as Excel (masked unless `can_export_unmasked`); every export is logged."""
    return scope_of(user).has(REGISTRY_READERS)


def can_export_unmasked(user: Any) -> bool:
    return scope_of(user).has(UNMASK_ROLES & REGISTRY_READERS)


def can_reveal_person(user: Any, person: Any) -> bool:
    """A person's identity number and phone in the clear (every view logged)."""
    return scope_of(user).has(UNMASK_ROLES & REGISTRY_READERS) and can(user, "view", person)


def can_log_visit(user: Any, person: Any) -> bool:
    """关爱走访: grid workers and community staff visit the people of their places."""
    return scope_of(user).has(CARE_VISITORS) and can(user, "view", person)


def can_give_subject_copy(user: Any, person: Any) -> bool:
    """A copy of everything held on a person, for that person (个人信息保护法 art. 45): community staff."""
    return can_edit_person(user, person)


def can_read_registry_statistics(user: Any) -> bool:
    return scope_of(user).has(STATISTICS_READERS)


def can_edit_care_rules(user: Any) -> bool:
    return scope_of(user).has(CARE_RULE_EDITORS)


def can_visit_people(user: Any) -> bool:
    """Whether a list of people already read offers the visit form at all (linli.people.views_care); each
    visit is still checked per person by `can_log_visit`."""
    return scope_of(user).has(CARE_VISITORS)


def can_register_people(user: Any) -> bool:
    """Whether to offer the registration form at all; the action asks `can_edit_registry` for the place."""
    return scope_of(user).has(REGISTRY_KEEPERS)


def can_edit_retention_rules(user: Any) -> bool:
    return scope_of(user).has(RETENTION_RULE_EDITORS)


def can_see_reporter_care_tags(user: Any, case: Any) -> bool:
    """A linked reporter's care tags on a case page: the lead unit, which must reach the person, and the grid
    and community staff of the case's place, who visit them; everyone else sees that tags exist, masked.
    "change", the staff reach: reading a case as its own reporter must not open the tags to a visitor role."""
    return can_handle_case(user, case) or (scope_of(user).has(CARE_VISITORS) and can(user, "change", case))


# --------------------------------------------------------------------------------------------------
# The place tree below the community, edited on the place pages (linli.places.views_edit), and the
# retention rules (linli.people.retention) are the registry's, above.

# Community staff keep the estates, buildings, units and houses of their community; grids are drawn by
# the district (they carry routing and the grid workers' grants), so only district command adds them.
LOCAL_PLACE_LEVELS = frozenset({"estate", "building", "building_unit", "house"})
GRID_KEEPERS = frozenset({Role.DISTRICT_COMMAND})


def can_shape_place_tree(user: Any, parent: Any, level: str) -> bool:
    """Adding, renaming, moving or retiring a place of `level` under `parent` on the place pages."""
    if level == "grid":
        return scope_of(user).has(GRID_KEEPERS) and can_edit_registry(user, parent)
    return level in LOCAL_PLACE_LEVELS and can_edit_registry(user, parent)


# --------------------------------------------------------------------------------------------------
# Dashboards (linli.assessment.dashboards, DESIGN §6): the figures of an area are read by the place roles
# that answer for an area, community staff and up; a grid worker's grid has its own work lists instead.

DASHBOARD_READERS = frozenset(
    {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)


def can_read_dashboards(user: Any) -> bool:
    return scope_of(user).has(DASHBOARD_READERS)


# Reverse assessment (反向考核, linli.assessment, DESIGN §6): communities rate their street office, streets
# rate district departments, on the cases they exchanged and in a periodic survey that district command
# opens; and the monthly assessment report of a street or department. Which exchanges exist is
# linli.assessment.exchanges' answer; these add who may ask.

REVERSE_RATERS = frozenset({Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.STREET_DISPATCHER})
SURVEY_OPENERS = frozenset({Role.DISTRICT_COMMAND})
REPORT_READERS_OF_DISTRICT = frozenset({Role.DISTRICT_COMMAND})


def can_rate_reverse(user: Any) -> bool:
    """Rating is done as a unit (a community committee or street office), so only its people rate; a platform
    admin, who is no unit's member, rates nothing."""
    return bool(roles_of(user) & REVERSE_RATERS)


def can_rate_exchange(user: Any, case: Any, rated_unit: Any) -> bool:
    """Rate `rated_unit` on `case`: the case is the rater's to read and the two units exchanged something on it."""
    from linli.assessment.exchanges import exchange_kinds

    if not can_rate_reverse(user) or rated_unit is None or not can(user, "view", case):
        return False
    _rater, kinds = exchange_kinds(user, case, rated_unit)
    return bool(kinds)


def can_answer_survey(user: Any, rated_unit: Any) -> bool:
    """Answer a survey about `rated_unit`: the user rates as a unit that may rate it (a community its street
    office, a street the departments over it)."""
    from linli.assessment.exchanges import rated_candidates, rater_units

    if not can_rate_reverse(user) or rated_unit is None:
        return False
    return any(rated_candidates(rater).filter(pk=rated_unit.pk).exists() for rater in rater_units(user))


def can_open_survey(user: Any, district: Any = None) -> bool:
    """Open (or change, before its first answer) a period's survey: district command, in its own district."""
    scope = scope_of(user)
    if not scope.has(SURVEY_OPENERS):
        return False
    if district is None or scope.everything:
        return True
    return any(district.path.startswith(path) for path in scope.paths(SURVEY_OPENERS))


def can_read_unit_report(user: Any, unit: Any) -> bool:
    """A unit's monthly assessment report: its own people (a street's dispatchers, a department's handlers) and
    district command for any unit of its district."""
    if unit is None:
        return False
    if works_for(user, unit):
        return True
    return scope_of(user).has(REPORT_READERS_OF_DISTRICT) and in_grant_reach(user, unit=unit)


# Assessment (linli.assessment, DESIGN §6). Which units' figures and which rankings a role reads is the
# assessment scope (linli.assessment.scoping: figure_units, ranking_areas); these say who may at all.

ASSESSMENT_READERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.STREET_DISPATCHER,
        Role.DEPARTMENT_HANDLER,
        Role.DISTRICT_COMMAND,
    }
)
SCHEME_EDITORS = frozenset({Role.DISTRICT_COMMAND})


def can_read_assessment(user: Any) -> bool:
    return scope_of(user).has(ASSESSMENT_READERS)


def can_read_unit_figures(user: Any, unit: Any) -> bool:
    """A unit's figures and the cases behind them: the unit lies in the user's unit scope and their role reads
    units of its kind there (district command every unit, a street its street office and communities…)."""
    from linli.assessment.scoping import figure_units

    return can_read_assessment(user) and figure_units(user).filter(pk=unit.pk).exists()


def can_read_ranking(user: Any, group: str) -> bool:
    """A peer group's ranking (streets, departments, communities); the areas it covers are the scope's."""
    from linli.assessment.scoping import RANK_READERS

    return group in RANK_READERS and scope_of(user).has(RANK_READERS[group])


def can_edit_scheme(user: Any) -> bool:
    """The composite's weights and what 基本满意 counts for: the district's assessment rule."""
    return scope_of(user).has(SCHEME_EDITORS)


# --------------------------------------------------------------------------------------------------
# Time bank (issue 20)

# Community staff keep the ledger of their community (DESIGN §9): they record hours, award points, keep the
# reward shelf, reverse a mistaken transfer and print statements for the people who live there. Residents act
# on their own account only, known by their verified phone matching their registry record.
HOURS_RECORDERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
LEDGER_READERS = frozenset(
    {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)


def _keeps_ledger_at(user: Any, path: str | None, roles: frozenset[str] = HOURS_RECORDERS) -> bool:
    scope = scope_of(user)
    if scope.everything:
        return True
    return bool(path) and any(path.startswith(p) for p in scope.paths(roles))  # type: ignore[union-attr]


def is_own_person(user: Any, person: Any) -> bool:
    """The registry record is the user's own: their verified phone is the one on the record (and they hold a
    grant in force, as for every scoped read)."""
    digest = getattr(user, "phone_digest", None) if getattr(user, "is_active", False) else None
    return bool(digest) and person is not None and person.phone_digest == digest and not scope_of(user).empty


def can_record_service_hours(user: Any, community: Any) -> bool:
    """Service hours are recognised by the staff of the community they were served in (or above it)."""
    return _keeps_ledger_at(user, community.path)


def can_award_points(user: Any, community: Any) -> bool:
    return _keeps_ledger_at(user, community.path)


def can_manage_rewards(user: Any, community: Any) -> bool:
    return _keeps_ledger_at(user, community.path)


def can_read_community_ledger(user: Any, community: Any) -> bool:
    """The community's ledger page: its staff, the street and the district above it."""
    return _keeps_ledger_at(user, community.path, LEDGER_READERS)


def can_reverse_transfer(user: Any, transfer: Any) -> bool:
    """Undoing a transfer is the staff's who keep the ledger of every community it touches (a person's account
    counts where the person lives)."""
    from linli.timebank.models import Account

    accounts = Account.objects.filter(entries__transfer=transfer).select_related("community", "person__place")
    paths = [a.person.place.path if a.person else a.community.path if a.community else "" for a in accounts]
    return bool(paths) and all(_keeps_ledger_at(user, p) for p in paths)


def can_read_statement(user: Any, person: Any) -> bool:
    """A person's statement and certificate: the person, or the ledger keepers where the person lives."""
    return is_own_person(user, person) or _keeps_ledger_at(user, person.place.path)


def can_propose_exchange(user: Any, giver: Any, receiver: Any) -> bool:
    """One of the two residents proposes (the other confirms); staff record one for residents without a phone."""
    if is_own_person(user, giver) or is_own_person(user, receiver):
        return True
    return _keeps_ledger_at(user, giver.place.path) and _keeps_ledger_at(user, receiver.place.path)


def can_answer_exchange(user: Any, exchange: Any) -> bool:
    """Confirming or declining is the side that did not propose; the proposer may only withdraw (decline)."""
    waiting = exchange.giver if exchange.waiting_for == "giver" else exchange.receiver
    return is_own_person(user, waiting)


def can_withdraw_exchange(user: Any, exchange: Any) -> bool:
    proposer = exchange.giver if exchange.proposed_by == "giver" else exchange.receiver
    return is_own_person(user, proposer) or _keeps_ledger_at(user, exchange.community.path)


def can_redeem(user: Any, person: Any, reward: Any) -> bool:
    """A resident spends their own points; staff of the shelf's community hand a reward over for them."""
    return is_own_person(user, person) or _keeps_ledger_at(user, reward.community.path)


def can_cancel_redemption(user: Any, redemption: Any) -> bool:
    return _keeps_ledger_at(user, redemption.reward.community.path)


# --------------------------------------------------------------------------------------------------
# Resource and expert library, venue bookings (issue 20, linli.resources). Reading is the scope rule's
# (linli.resources.scoping); these say who may do what to what they read.

LIBRARY_KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
LIBRARY_EXPORTERS = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.STREET_DISPATCHER,
        Role.DISTRICT_COMMAND,
    }
)
# Who may book a venue they can read: staff, volunteers (who organise activities), and the contact person of
# a resident unit (checked on the entry, in can_book_venue).
VENUE_BOOKERS = STAFF_ROLES | {Role.VOLUNTEER}


def can_add_resource(user: Any, place: Any = None) -> bool:
    """Adding an entry to the library at `place` (no place: whether the user may add entries at all)."""
    if not scope_of(user).has(LIBRARY_KEEPERS):
        return False
    return place is None or can(user, "change", place)


def can_edit_resource(user: Any, resource: Any) -> bool:
    """Editing, retiring and confirming an entry: community staff of its place and its steward (the scope
    rule's "change")."""
    return can(user, "change", resource)


def can_see_resource_contact(user: Any, resource: Any) -> bool:
    """Contact details in the clear: staff who read the entry, and its steward; masked for everyone else."""
    if scope_of(user).empty:
        return False
    if resource.steward_id is not None and resource.steward_id == getattr(user, "pk", None):
        return True
    return scope_of(user).has(STAFF_ROLES) and can(user, "view", resource)


def can_export_resources(user: Any) -> bool:
    return scope_of(user).has(LIBRARY_EXPORTERS)


def can_book_venue(user: Any, venue: Any) -> bool:
    from linli.resources.choices import ResourceKind
    from linli.resources.models import Resource

    if venue.kind != ResourceKind.VENUE or venue.retired_at is not None or not can(user, "view", venue):
        return False
    if scope_of(user).has(VENUE_BOOKERS) or venue.steward_id == getattr(user, "pk", None):
        return True
    units = Resource.objects.filter(kind=ResourceKind.RESIDENT_UNIT, retired_at__isnull=True, contact_user=user)
    return units.exists()


def can_decide_booking(user: Any, booking: Any) -> bool:
    """Confirming a requested booking: whoever may change the venue (its steward, the community's staff)."""
    return can(user, "change", booking.resource)


def can_cancel_booking(user: Any, booking: Any) -> bool:
    if scope_of(user).empty:
        return False
    return booking.booked_by_id == getattr(user, "pk", None) or can_decide_booking(user, booking)


def can_see_booking_details(user: Any, booking: Any) -> bool:
    """Who booked and why: the booker, whoever may change the venue, and staff who read the venue."""
    if scope_of(user).empty:
        return False
    if booking.booked_by_id == getattr(user, "pk", None):
        return True
    return can(user, "change", booking.resource) or (
        scope_of(user).has(STAFF_ROLES) and can(user, "view", booking.resource)
    )


# --------------------------------------------------------------------------------------------------
# Volunteers and activities (linli.volunteers, issue 20, DESIGN §9). Reading is the scope rule's
# (linli.volunteers.scoping); these say who may do what. Keeping the volunteer roll and publishing activities
# is the community's work, done by the registry's keepers (community workers, secretaries, district command).

VOLUNTEER_KEEPERS = PLACE_EDITORS
VOLUNTEER_JOINERS = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def can_sign_up_as_volunteer(user: Any) -> bool:
    """A resident (logged in by phone) or a volunteer signs themselves up."""
    return scope_of(user).has(VOLUNTEER_JOINERS)


def can_keep_volunteers(user: Any) -> bool:
    """Whether to offer the volunteer roll, registration and publishing at all; each step asks for its object."""
    return scope_of(user).has(VOLUNTEER_KEEPERS)


def can_manage_volunteer(user: Any, volunteer: Any) -> bool:
    """Register, confirm, record certificates for, or change a volunteer of one's community."""
    return scope_of(user).has(VOLUNTEER_KEEPERS) and can(user, "change", volunteer)


def can_publish_activities(user: Any, community: Any) -> bool:
    """Publish activities and standing posts in a community: its keepers (a place they may change)."""
    return community is not None and scope_of(user).has(VOLUNTEER_KEEPERS) and can(user, "change", community)


def can_organise_activity(user: Any, activity: Any) -> bool:
    """The organiser's pages of an activity or post: sign-up list, confirmations, QR code, attendance, hours."""
    return scope_of(user).has(VOLUNTEER_KEEPERS) and can(user, "change", activity)


def can_join_activity(user: Any, activity: Any) -> bool:
    """Sign up for an activity: an active volunteer (their own record) who may read the activity."""
    from linli.volunteers.choices import VolunteerState
    from linli.volunteers.models import Volunteer

    if not getattr(user, "pk", None) or not scope_of(user).has(VOLUNTEER_JOINERS):
        return False
    active = Volunteer.objects.filter(user_id=user.pk, state=VolunteerState.ACTIVE).exists()
    return active and can(user, "view", activity)


def can_cancel_signup(user: Any, signup: Any) -> bool:
    """The volunteer withdraws their own sign-up; the organiser cancels anyone's."""
    own = not scope_of(user).empty and signup.volunteer.user_id == user.pk
    return own or can_organise_activity(user, signup.activity)


# --------------------------------------------------------------------------------------------------
# Service catalogue and providers (issue 20)

SERVICE_KIND_EDITORS = frozenset({Role.DISTRICT_COMMAND})
SERVICE_OFFER_KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})


def can_read_service_catalogue(user: Any) -> bool:
    """The catalogue is public to every logged-in user with a grant in force: what services exist near me."""
    return not scope_of(user).empty


def can_edit_service_kinds(user: Any) -> bool:
    """The list of service kinds and the matters they answer is the district's, like the responsibility list."""
    return scope_of(user).has(SERVICE_KIND_EDITORS)


def can_keep_service_offers(user: Any) -> bool:
    """Add offers: district command, or community staff for offers at places under their community."""
    return scope_of(user).has(SERVICE_OFFER_KEEPERS)


def can_edit_service_offer(user: Any, offer: Any) -> bool:
    return can_keep_service_offers(user) and can(user, "change", offer)


def can_assign_service_request(user: Any, case: Any) -> bool:
    """Give a matched provider a service request: whoever may dispatch the case."""
    return can_dispatch_case(user, case)


# --------------------------------------------------------------------------------------------------
# Project packages and open calls (linli.projects, issue 20, DESIGN §9)

PROJECT_MANAGERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
PROJECT_CLAIMANTS = frozenset({Role.SERVICE_PROVIDER, Role.VOLUNTEER})


def can_manage_projects(user: Any, place: Any = None) -> bool:
    """Create, publish, assign, choose a claim, close and cancel: community staff and district command over
    the project's place (no place: whether the user may at all)."""
    scope = scope_of(user)
    if not scope.has(PROJECT_MANAGERS):
        return False
    if place is None or scope.everything:
        return True
    return any(place.path.startswith(path) for path in scope.paths(PROJECT_MANAGERS))


def can_claim_project(user: Any, project: Any = None) -> bool:
    """揭榜: service providers and volunteers (for their organisation or team) claim an open call they can read."""
    if not scope_of(user).has(PROJECT_CLAIMANTS):
        return False
    return project is None or can(user, "view", project)


def can_report_on_project(user: Any, project: Any) -> bool:
    """Progress and completion are reported by the claimant the community chose or assigned, and no one else."""
    if project is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return project.claimant_id is not None and project.claimant_id == user.pk and not scope_of(user).empty


def can_rate_project(user: Any, project: Any) -> bool:
    """The result is rated by residents of the project's place: a user whose verified phone matches a registry
    record (Person.phone_digest) living under that place, and who has not left."""
    from linli.people.models import Person

    if project is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    digest = getattr(user, "phone_digest", None)
    if not digest or scope_of(user).empty:
        return False
    from linli.places.models import subtree_q

    return (
        Person.objects.filter(subtree_q(project.place.path, field="place__path"), phone_digest=digest)
        .filter(left_on__isnull=True)
        .exists()
    )


# --------------------------------------------------------------------------------------------------
# Owners' votes (linli.participation, DESIGN §8): community workers and secretaries run the votes of the
# estates and buildings under their community, district command those of its district (the same roles and
# reach that keep the registry the roll is taken from). The place roles follow a vote's roll and turnout
# (who has voted, never how) on the staff pages.

VOTE_RUNNERS = PLACE_EDITORS
VOTE_FOLLOWERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.DISTRICT_COMMAND,
        Role.STREET_DISPATCHER,
        Role.GRID_WORKER,
    }
)


def can_run_votes(user: Any) -> bool:
    """Whether the user runs owners' votes anywhere (the "new vote" button)."""
    return scope_of(user).has(VOTE_RUNNERS)


def can_run_vote(user: Any, target: Any) -> bool:
    """Creating, opening, closing or cancelling a vote on `target` (a Vote, or the estate or building a new
    vote would belong to): a vote-running role whose change scope holds it."""
    return scope_of(user).has(VOTE_RUNNERS) and can(user, "change", target)


def can_follow_votes(user: Any) -> bool:
    """The staff pages of votes (list, roll, turnout); which votes is the view scope's answer."""
    return scope_of(user).has(VOTE_FOLLOWERS)


# --------------------------------------------------------------------------------------------------
# Owners' votes: casting ballots, turnout and the paper desk (linli.participation.actions.ballots, DESIGN §8).
# Whether the vote is open and inside its window, and whether the voter has already voted, is the action's
# check; these answer for the person and the object only.

# Who has voted (never how) is read by the place staff of the vote's estate, to chase turnout door to door.
TURNOUT_READERS = PLACE_READERS
# Recording ballots (paper double entry, in person at the meeting) and the co-owners' caster or a proxy:
# the community's staff who run the vote, and district command.
BALLOT_RECORDERS = PLACE_EDITORS


def can_read_turnout(user: Any, vote: Any) -> bool:
    return scope_of(user).has(TURNOUT_READERS) and can(user, "view", vote)


def can_record_ballots(user: Any, vote: Any) -> bool:
    return scope_of(user).has(BALLOT_RECORDERS) and can(user, "change", vote)


def can_cast_ballot(user: Any, entry: Any) -> bool:
    """Online, for one voter on the frozen roll: the logged-in account's verified phone is that of the voter's
    registered proxy when one is recorded (a proxy named without a registry record votes on paper or in
    person), else of the caster the co-owners chose, else of any owner the entry names. Owners are owners
    whatever role their account holds, so no role is asked for."""
    digest = getattr(user, "phone_digest", None)
    if not digest or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if entry.proxy_person_id or entry.proxy_name:
        return entry.proxy_person_id is not None and entry.proxy_person.phone_digest == digest
    if entry.caster_id is not None:
        return bool(entry.caster.phone_digest == digest)
    return bool(entry.owners.filter(person__phone_digest=digest).exists())


def can_resolve_paper(user: Any, entry: Any) -> bool:
    """Settle a paper ballot whose two entries differ, after a third look at the paper: a recorder of the vote
    who typed neither entry."""
    if not can_record_ballots(user, entry.vote):
        return False
    return not entry.paper_entries.filter(entered_by_id=user.pk).exists()


# --------------------------------------------------------------------------------------------------
# Deliberation (议事协商, linli.participation, DESIGN §8): topics at a building, estate or community. Reading
# a topic is the scope rule's (linli.participation.scoping: staff by place, residents where they live or own);
# these say who may raise one where, take part, moderate and steer it to a decision.

TOPIC_LEVELS = frozenset({"building", "estate", "community"})
# Grid workers and community staff raise what they find; district command may too, under its district.
TOPIC_RAISERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
TOPIC_RESIDENTS = frozenset({Role.RESIDENT, Role.VOLUNTEER})
# The community committee runs deliberation: open, moderate, decide, follow up (the place tree's editors).
TOPIC_STEERERS = PLACE_EDITORS


def _related(path: str, paths: tuple[str, ...] | list[str]) -> bool:
    """`path` lies under one of `paths` or above one (a grid worker raises at their community too)."""
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def can_raise_topic(user: Any, place: Any) -> bool:
    """Raise a topic at a building, estate or community: residents and volunteers where they live or own (or
    at the estate or community above), grid workers and community staff at places they work at or under."""
    if place is None or getattr(place, "level", "") not in TOPIC_LEVELS or not getattr(place, "is_active", True):
        return False
    scope = scope_of(user)
    if scope.everything:
        return True
    if _related(place.path, scope.paths(TOPIC_RAISERS)):
        return True
    if scope.has(TOPIC_RESIDENTS):
        from linli.participation.scoping import home_paths

        return any(home.startswith(place.path) for home in home_paths(user))
    return False


def can_comment(user: Any, topic: Any) -> bool:
    """Take part in a topic's discussion: whoever may read it (the topic's state is the action's check)."""
    return not scope_of(user).empty and can(user, "view", topic)


def can_moderate_topics(user: Any, topic: Any) -> bool:
    """Hide a comment, with a reason shown in its place: the community committee of the topic's place."""
    return scope_of(user).has(TOPIC_STEERERS) and can(user, "change", topic)


def can_steer_topic(user: Any, topic: Any) -> bool:
    """Open the discussion, draft the proposal, decide or put it to a vote, publish, follow up, reject, and
    call meetings: the community committee of the topic's place."""
    return scope_of(user).has(TOPIC_STEERERS) and can(user, "change", topic)
