"""The generated scope matrix (issue 15, deliverable 10): every viewer of the fixture world × every model
with a scope rule × every action, and every viewer × every read path in the URL configuration × every
object inside and outside the viewer's scope, against the spec in test_matrix_spec.py. It asserts both
"sees its own" and "sees nothing else", says how many probes ran, and fails when one rule is broken.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

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


@pytest.mark.postgres_pass  # the production database; the rows' rules run on both in the test above
@pytest.mark.django_db
def test_read_paths_match_the_spec(matrix_world: Any, record_property: Any) -> None:
    result = path_probes(matrix_world)
    assert result.count >= MIN_PROBES, result.count
    _report(result, record_property)


def test_every_url_is_classified() -> None:
    _, problems = classify()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_model_has_a_rule_or_an_exemption() -> None:
    """Over apps.get_models(), not only over models that already have a rule."""
    exempt = getattr(scopes, "EXEMPT", {})
    missing = [m._meta.label_lower for m in apps.get_models() if m._meta.label_lower not in {**scopes.RULES, **exempt}]
    assert not missing, f"models with neither a scope rule nor a commented exemption: {missing}"
    both = set(scopes.RULES) & set(exempt)
    assert not both, f"both ruled and exempt: {both}"
    assert all(isinstance(why, str) and why.strip() for why in exempt.values())
