from __future__ import annotations

from typing import Any

import pytest

from conftest import restore_calendar_seed


@pytest.fixture(autouse=True)
def seeded_calendar(db: Any) -> None:
    restore_calendar_seed()
