"""The scope matrix notices a broken time bank rule: each mutation below, put in place of the real rule,
makes probes fail that passed before (linli/tests/test_matrix_mutations.py does the same for other apps)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from linli.accounts import scopes
from linli.accounts.scopes import PLACE_READERS, keep, under_any

from .test_matrix_probes import queryset_probes

ORIGINAL = dict(scopes.RULES)


def _accounts_where_opened(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    """The skeleton's first rule: a person's account read by the staff of the community it was opened in."""
    if scope.everything or action == "change":
        return ORIGINAL["timebank.account"](qs, scope, action, user)
    return keep(qs, under_any(scope.paths(PLACE_READERS), "community__path"))


def _everything(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    return qs


def _nothing(qs: models.QuerySet[Any], scope: Any, action: str, user: Any) -> models.QuerySet[Any]:
    return qs.none()


MUTATIONS = {
    "accounts: by where they were opened": ("timebank.account", _accounts_where_opened),
    "transfers: everything": ("timebank.transfer", _everything),
    "exchanges: nothing": ("timebank.exchange", _nothing),
    "rewards: everyone changes every shelf": ("timebank.reward", _everything),
}


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_broken_timebank_rule_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, mutation: str
) -> None:
    label, rule = MUTATIONS[mutation]
    before = queryset_probes(matrix_world, {label})
    monkeypatch.setitem(scopes.RULES, label, rule)
    after = queryset_probes(matrix_world, {label})
    assert len(after.failures) > len(before.failures), mutation
