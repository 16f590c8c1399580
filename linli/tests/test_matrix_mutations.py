"""The scope matrix can fail: break one rule of linli.accounts.scopes at a time (the bugs issue 15 found,
and blunter ones) and the matrix must report failed probes, in querysets and, for place and unit rules, in
the pages and API too."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from linli.accounts import scopes
from linli.accounts.choices import Role
from linli.cases.scoping import PLACE_ROLES

from .test_matrix_probes import path_probes, queryset_probes

pytestmark = pytest.mark.sqlite_pass  # a mutation proves the matrix catches it on any database


def _everything(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    return qs


def _nothing(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    return qs.none()


def _places_ignore_grant_roles(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """The old bug: a unit's jurisdiction opens its members' place scope."""
    from linli.places.models import Place

    original = ORIGINAL["places.place"]
    base = original(qs, scope, action, user)
    if scope.empty:
        return base
    units = [g.unit_id for g in scope.grants if g.unit_id]
    jurisdiction = Place.objects.filter(units__in=units).values_list("path", flat=True)
    extra = scopes.under_any(list(jurisdiction), "path")
    return base | qs.filter(extra) if extra is not None else base


def _users_with_self_change(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """The old bug: the change rule includes the user themselves."""
    base = ORIGINAL["accounts.user"](qs, scope, action, user)
    return base | qs.filter(pk=user.pk) if action == "change" else base


def _cases_own_for_staff_work(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """A reporter may change and export their own request (the "own" clause leaking into staff work)."""
    base = ORIGINAL["cases.case"](qs, scope, action, user)
    return base | qs.filter(reporter_id=user.pk) if action in ("change", "export") else base


def _cases_without_whistles(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """The case rule written again, forgetting the whistle: a summoned department does not see the case."""
    from linli.cases.models import CaseAssignment

    if scope.everything:
        return qs
    placed = scopes.under_any(scope.paths(PLACE_ROLES), "place__path")
    roles = scopes.WORK_RECEIVERS | {Role.DISTRICT_COMMAND}
    given = CaseAssignment.objects.filter(scopes.unit_tree(scopes.granted_units(scope, roles), "unit__"))
    own = models.Q(reporter_id=user.pk) if action not in ("change", "export") else None
    return scopes.keep(qs, scopes.any_of(own, placed, models.Q(pk__in=given.values("case_id"))))


def _parts_by_place_only(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """Timeline events read by place alone: the reporter and the units given the case lose them."""
    if scope.everything:
        return qs
    return scopes.keep(qs, scopes.under_any(scope.paths(PLACE_ROLES), "case__place__path"))


def _persons_by_jurisdiction(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """The registry opened by a unit's jurisdiction: a department's handlers read the people of its district."""
    from linli.places.models import Place

    base = ORIGINAL["people.person"](qs, scope, action, user)
    units = [g.unit_id for g in scope.grants if g.unit_id]
    jurisdiction = Place.objects.filter(units__in=units).values_list("path", flat=True)
    extra = scopes.under_any(list(jurisdiction), "place__path")
    return base | qs.filter(extra) if extra is not None else base


def _persons_kept_by_readers(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """Upkeep by every reader: grid workers and street dispatchers change the people they read."""
    return ORIGINAL["people.person"](qs, scope, "view" if action == "change" else action, user)


def _members_by_household(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """A membership read by its household's house, not its person: a past member's row follows the household."""
    if scope.everything:
        return qs
    roles = scopes.PLACE_EDITORS if action == "change" else scopes.PLACE_READERS
    return scopes.keep(qs, scopes.under_any(scope.paths(roles), "household__house__path"))


def _imports_by_community(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """An import read by everyone in the uploader's places instead of the uploader alone."""
    if scope.everything:
        return qs
    return scopes.keep(qs, scopes.under_any(scope.paths(scopes.PLACE_READERS), "scope_place__path"))


def _facts_with_the_request(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """A fact read as its case is: the reporter reads the assessment of their own request."""
    from linli.cases.scoping import case_condition

    if scope.everything:
        return qs
    return scopes.keep(qs, case_condition(scope, action, prefix="case__"))


def _facts_changed_with_the_case(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """Whoever may change a case may change its fact (the fold's output edited by hand)."""
    return ORIGINAL["assessment.casefact"](qs, scope, "view" if action == "change" else action, user)


def _place_days_by_unit(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """A grid's day rows read through the units' jurisdiction: a department reads every grid of its district."""
    from linli.orgs.models import Unit
    from linli.places.models import Place

    base = ORIGINAL["assessment.placedaystat"](qs, scope, action, user)
    if scope.everything or action == "change":
        return base
    paths = Place.objects.filter(units__in=Unit.objects.restrict(user)).values_list("path", flat=True)
    extra = scopes.under_any(list(paths), "place__path")
    return base | qs.filter(extra) if extra is not None else base


def _ratings_rated_side_only(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """A rating read by the rated unit and district command only: a community or street loses what it rated."""
    from linli.accounts.membership import member_units
    from linli.orgs.models import Unit

    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    conditions: list[models.Q | None] = []
    own = member_units(scope)
    if own is not None:
        conditions.append(models.Q(rated_unit__in=Unit.objects.filter(own).values("pk")))
    district = scopes.under_any(scope.paths({Role.DISTRICT_COMMAND}), "jurisdiction__path")
    if district is not None:
        units = Unit.objects.filter(district).values("pk")
        conditions += [models.Q(rater_unit__in=units), models.Q(rated_unit__in=units)]
    return scopes.keep(qs, scopes.any_of(*conditions))


def _surveys_to_every_place_reader(
    qs: models.QuerySet[Any], scope: Any, action: str, user: Any
) -> models.QuerySet[Any]:
    """A survey read by the staff of any district: another district's command reads this one's questions."""
    if action != "change" and scope.has(scopes.PLACE_READERS):
        return qs
    return ORIGINAL["assessment.reversesurvey"](qs, scope, action, user)


ORIGINAL = dict(scopes.RULES)
MUTATIONS = {
    "places: jurisdiction opens the registry": ("places.place", _places_ignore_grant_roles),
    "units: everything": ("orgs.unit", _everything),
    "users: self may be changed": ("accounts.user", _users_with_self_change),
    "decisions: nothing": ("dispatch.dispatchdecision", _nothing),
    "grants: everything": ("accounts.grant", _everything),
    "notices: everything": ("notices.notice", _everything),
    "cases: reporters change and export their own": ("cases.case", _cases_own_for_staff_work),
    "cases: whistles give no sight": ("cases.case", _cases_without_whistles),
    "case events: by place only": ("cases.caseevent", _parts_by_place_only),
    "case photos: everything": ("cases.casephoto", _everything),
    "deadline rules: nothing": ("cases.deadlinerule", _nothing),
    "persons: a unit's jurisdiction opens the registry": ("people.person", _persons_by_jurisdiction),
    "persons: every reader keeps the registry": ("people.person", _persons_kept_by_readers),
    "persons: everything": ("people.person", _everything),
    "household members: by the household, not the person": ("people.householdmember", _members_by_household),
    "houses: nothing": ("people.house", _nothing),
    "care rules: everything": ("people.carerule", _everything),
    "purged counts: everything": ("people.purgedcount", _everything),
    "registry imports: the uploader's whole community": ("people.registryimport", _imports_by_community),
    "case facts: the reporter reads their request's": ("assessment.casefact", _facts_with_the_request),
    "case facts: changed with their case": ("assessment.casefact", _facts_changed_with_the_case),
    "unit days: everything": ("assessment.unitdaystat", _everything),
    "place days: by the units' jurisdiction": ("assessment.placedaystat", _place_days_by_unit),
    "schemes: nothing": ("assessment.scheme", _nothing),
    "exchange ratings: everything": ("assessment.exchangerating", _everything),
    "exchange ratings: the rater's people lose them": ("assessment.exchangerating", _ratings_rated_side_only),
    "survey answers: everything": ("assessment.surveyanswer", _everything),
    "reverse surveys: every district's staff": ("assessment.reversesurvey", _surveys_to_every_place_reader),
}
# Mutations the pages and API must notice too, with the viewers they affect.
PATH_VIEWERS = {
    "places.place": {"a_department_handler", "a_grid_worker"},
    "orgs.unit": {"a_department_handler", "a_grid_worker"},
    "people.person": {"a_department_handler", "a_grid_worker"},
    # the "to rate" page shows a street its own ratings; the results show another district's to nobody
    "assessment.exchangerating": {"a_street_dispatcher", "b_district_command"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_broken_rule_fails_the_matrix(matrix_world: Any, monkeypatch: pytest.MonkeyPatch, mutation: str) -> None:
    label, rule = MUTATIONS[mutation]
    assert label in scopes.RULES, f"no rule {label} to break"
    before = queryset_probes(matrix_world, {label})
    monkeypatch.setitem(scopes.RULES, label, rule)
    after = queryset_probes(matrix_world, {label})
    assert len(after.failures) > len(before.failures), mutation
    # The pages and API notice too, for the viewers the mutation affects (the persons' mutations of "change"
    # leave every read path as it was).
    if label in PATH_VIEWERS and "keeps" not in mutation:
        assert path_probes(matrix_world, only=PATH_VIEWERS[label], until_failure=True).failures


def _figures_of_every_kind(scope: Any) -> Any:
    """A street dispatcher reads every unit of its street (its providers too), not its street office and
    communities only; a department handler's reach is forgotten."""
    from linli.assessment.scoping import units_wholly_under

    return units_wholly_under(scope.paths({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}))


def _streets_ranked_by_everyone(user: Any, group: str) -> bool:
    from linli.accounts.predicates import can_read_assessment

    return can_read_assessment(user)


@pytest.mark.django_db
def test_a_broken_assessment_reach_fails_the_pages(matrix_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' own reach (whose figures, which rankings) is checked too, not only the models' rules."""
    from linli.accounts import predicates
    from linli.assessment import scoping, views

    # Unmutated, these viewers' pages pass: test_scope_matrix.test_read_paths_match_the_spec runs them all.
    viewers = {"a_street_dispatcher", "a_department_handler", "a_community_worker"}
    monkeypatch.setattr(scoping, "figure_condition", _figures_of_every_kind)
    assert path_probes(matrix_world, only=viewers, until_failure=True).failures
    monkeypatch.undo()
    monkeypatch.setattr(predicates, "can_read_ranking", _streets_ranked_by_everyone)
    monkeypatch.setattr(views, "can_read_ranking", _streets_ranked_by_everyone)
    assert path_probes(matrix_world, only=viewers, until_failure=True).failures


def _reports_for_all_staff(user: Any, unit: Any) -> bool:
    """Every government staff member reads every unit's monthly report."""
    from linli.accounts.predicates import is_government_staff

    return unit is not None and is_government_staff(user)


def _answers_about_anyone(user: Any, rated_unit: Any) -> bool:
    from linli.accounts.predicates import can_rate_reverse

    return can_rate_reverse(user) and rated_unit is not None


@pytest.mark.django_db
def test_a_broken_reverse_reach_fails_the_pages(matrix_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reverse assessment's and the reports' own gates are checked too: whose report, which answer form."""
    from linli.assessment import views_reports, views_survey

    viewers = {"a_street_dispatcher", "b_community_secretary"}  # unmutated: see the assessment reach's test
    monkeypatch.setattr(views_reports, "can_read_unit_report", _reports_for_all_staff)
    assert path_probes(matrix_world, only=viewers, until_failure=True).failures
    monkeypatch.undo()
    monkeypatch.setattr(views_survey, "can_answer_survey", _answers_about_anyone)
    assert path_probes(matrix_world, only=viewers, until_failure=True).failures
