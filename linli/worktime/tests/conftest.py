from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def seeded_calendar(db: Any) -> None:
    """The calendar is seeded by a data migration; a transactional test earlier in the same worker (the
    browser tests' live server) flushes every table, so put the seed back when it is gone."""
    from linli.worktime.models import CalendarDay, CalendarYear
    from linli.worktime.seed import seed

    if not CalendarYear.objects.exists():
        seed(CalendarDay, CalendarYear)
