"""The generated scope matrix (issue 15, deliverable 10): every viewer of the fixture world × every model
with a scope rule × every action, and every viewer × every read path in the URL configuration × every
object inside and outside the viewer's scope, against the spec in test_matrix_spec.py. It asserts both
"sees its own" and "sees nothing else", says how many probes ran, and fails when one rule is broken.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from linli.accounts import scopes

from .test_matrix_probes import Result, classify, path_probes, queryset_probes

MIN_PROBES = 1000


def _report(result: Result, record_property: Any) -> None:
    record_property("scope_probes", result.count)
    shown = "\n".join(result.failures[:60])
    more = f"\n… and {len(result.failures) - 60} more" if len(result.failures) > 60 else ""
    assert not result.failures, f"{len(result.failures)} of {result.count} probes failed:\n{shown}{more}"


@pytest.mark.django_db
def test_querysets_match_the_spec(matrix_world: Any, record_property: Any) -> None:
    result = queryset_probes(matrix_world)
    assert result.count >= MIN_PROBES, result.count
    _report(result, record_property)


@pytest.mark.django_db
def test_read_paths_match_the_spec(matrix_world: Any, record_property: Any) -> None:
    result = path_probes(matrix_world)
    assert result.count >= MIN_PROBES, result.count
    _report(result, record_property)


def test_every_url_is_classified() -> None:
    _, problems = classify()
    assert not problems, "\n".join(problems)


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


ORIGINAL = dict(scopes.RULES)
MUTATIONS = {
    "places: jurisdiction opens the registry": ("places.place", _places_ignore_grant_roles),
    "units: everything": ("orgs.unit", _everything),
    "users: self may be changed": ("accounts.user", _users_with_self_change),
    "decisions: nothing": ("dispatch.dispatchdecision", _nothing),
    "grants: everything": ("accounts.grant", _everything),
}


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_broken_rule_fails_the_matrix(matrix_world: Any, monkeypatch: pytest.MonkeyPatch, mutation: str) -> None:
    label, rule = MUTATIONS[mutation]
    assert label in scopes.RULES, f"no rule {label} to break"
    before = queryset_probes(matrix_world)
    monkeypatch.setitem(scopes.RULES, label, rule)
    after = queryset_probes(matrix_world)
    assert len(after.failures) > len(before.failures), mutation
    # The pages and API notice too, for the viewers the mutation affects.
    if label in {"places.place", "orgs.unit"}:
        viewers = {"a_department_handler", "a_grid_worker"}
        assert path_probes(matrix_world, only=viewers).failures


@pytest.mark.django_db
def test_every_model_has_a_rule_or_an_exemption() -> None:
    """Over apps.get_models(), not only over models that already have a rule."""
    exempt = getattr(scopes, "EXEMPT", {})
    missing = [m._meta.label_lower for m in apps.get_models() if m._meta.label_lower not in {**scopes.RULES, **exempt}]
    assert not missing, f"models with neither a scope rule nor a commented exemption: {missing}"
    both = set(scopes.RULES) & set(exempt)
    assert not both, f"both ruled and exempt: {both}"
    assert all(isinstance(why, str) and why.strip() for why in exempt.values())
