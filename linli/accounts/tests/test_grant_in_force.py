"""Grant.in_force (read on a loaded row, by token authentication) says what GrantQuerySet.active says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.models import Grant


@pytest.mark.django_db
def test_in_force_matches_active(world: Any) -> None:
    now = timezone.now()
    grant = Grant.objects.first()
    assert grant is not None
    windows = [
        (now - timedelta(days=2), None),
        (now - timedelta(days=2), now - timedelta(days=1)),
        (now - timedelta(days=2), now),
        (now - timedelta(days=2), now + timedelta(seconds=1)),
        (now, None),
        (now + timedelta(seconds=1), None),
    ]
    for valid_from, valid_to in windows:
        Grant.objects.filter(pk=grant.pk).update(valid_from=valid_from, valid_to=valid_to)
        grant.refresh_from_db()
        assert grant.in_force(now) == Grant.objects.active(now).filter(pk=grant.pk).exists(), (valid_from, valid_to)
