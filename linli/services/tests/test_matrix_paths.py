"""The scope matrix's read-path probes for this app's URLs alone, every viewer of the matrix world: quick to
run while working on the app (the whole matrix, linli/tests/test_scope_matrix.py, runs them too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.tests.matrix_checks import PK_MAPS, READ_PATHS, Probe, Result
from linli.tests.test_matrix_probes import SecondFactorClient, viewers
from linli.tests.test_matrix_spec import Snapshot

NAMES = ("services:catalogue", "services:offer_edit")


@pytest.mark.django_db
def test_service_paths_match_the_spec(matrix_world: Any) -> None:
    result, snap = Result(), Snapshot()
    PK_MAPS.clear()
    for index, viewer in enumerate(viewers(matrix_world)):
        if viewer.only is not None:
            continue
        user = viewer.fresh()
        client = SecondFactorClient()
        client.force_login(user)
        probe = Probe(client, viewer.name, user, snap, matrix_world, result, index=index)
        probe.per_side = 3
        for name in NAMES:
            READ_PATHS[name](probe, lambda name=name, **kwargs: reverse(name, kwargs=kwargs or None))
    assert result.count > 50, result.count
    assert not result.failures, "\n".join(result.failures[:40])
