"""Deadline specs as the responsibility list writes them: 30m, 2h, 24h, 1wd, 5wd."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SPEC_RE = re.compile(r"^(\d{1,4})(m|h|wd)$")
UNIT_LABELS = {"m": "分钟", "h": "小时", "wd": "个工作日"}


@dataclass(frozen=True)
class DeadlineSpec:
    amount: int
    unit: str  # "m", "h" or "wd"

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def label(self) -> str:
        return f"{self.amount}{UNIT_LABELS[self.unit]}"


def parse_spec(text: str) -> DeadlineSpec:
    match = SPEC_RE.match((text or "").strip())
    if not match or int(match.group(1)) == 0:
        raise ValidationError(
            _("“%(value)s” is not a deadline: write a number and m, h or wd, e.g. 30m, 2h, 5wd"),
            params={"value": text},
        )
    return DeadlineSpec(int(match.group(1)), match.group(2))


def validate_spec(text: str) -> None:
    parse_spec(text)
