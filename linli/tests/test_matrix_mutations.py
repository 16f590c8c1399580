"""The scope matrix can fail: break one rule of linli.accounts.scopes at a time (the bugs issue 15 found,
and blunter ones) and the matrix must report failed probes, in querysets and, for place and unit rules, in
the pages and API too."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from linli.accounts import scopes

from .test_matrix_probes import path_probes, queryset_probes


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
    "notices: everything": ("notices.notice", _everything),
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
    # The pages and API notice too, for the viewers the mutation affects.
    if label in {"places.place", "orgs.unit"}:
        viewers = {"a_department_handler", "a_grid_worker"}
        assert path_probes(matrix_world, only=viewers).failures
