"""Casting's part of the scope matrix, runnable on its own (the full matrix in test_scope_matrix.py runs the
same checks with everything else): paper entries' rule × every viewer and action, and every viewer × casting's
read paths × every vote and roll entry of the world (linli/tests/matrix_cast.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import SecondFactorClient
from linli.accounts import scopes

from .matrix_checks import PK_MAPS, Probe, Result
from .matrix_checks_participation_cast import CAST_READ_PATHS
from .test_matrix_probes import queryset_probes, viewers
from .test_matrix_spec import Snapshot


def cast_path_probes(world: Any) -> Result:
    result = Result()
    snap = Snapshot()
    PK_MAPS.clear()
    for index, viewer in enumerate(viewers(world)):
        if viewer.only is not None:
            continue
        user = viewer.fresh()
        client = SecondFactorClient()
        client.force_login(user)
        probe = Probe(client, viewer.name, user, snap, world, result, index=index)
        for name, check in CAST_READ_PATHS.items():

            def url(name: str = name, **kwargs: Any) -> str:
                return reverse(name, kwargs=kwargs or None)

            try:
                check(probe, url)
            except Exception as exc:  # a crashing path is a failed probe
                result.check(False, f"{viewer.name} {name}: {exc!r}")
    return result


def _mine(result: Result) -> list[str]:
    # The other participation models' oracles are the other parts' (deliberation, the count): not judged here.
    return [f for f in result.failures if "has no oracle" not in f or "paperentry" in f]


@pytest.mark.django_db
def test_paper_entries_match_the_spec(matrix_world: Any) -> None:
    result = queryset_probes(matrix_world, {"participation.paperentry"})
    assert result.count >= 100, result.count
    assert not _mine(result), "\n".join(_mine(result)[:40])


@pytest.mark.postgres_pass
@pytest.mark.django_db
def test_casting_read_paths_match_the_spec(matrix_world: Any) -> None:
    result = cast_path_probes(matrix_world)
    assert result.count >= 500, result.count
    assert not result.failures, "\n".join(result.failures[:40])


@pytest.mark.django_db
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_paper_rule_fails_the_matrix(matrix_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from linli.participation import scoping

    monkeypatch.setitem(scopes.RULES, "participation.paperentry", scoping.vote_rule)  # readers would see choices
    assert _mine(queryset_probes(matrix_world, {"participation.paperentry"}))
