"""What every case action shares: lock the row, check the person, check the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .. import workflow
from ..models import Case


def lock(case: Case | int) -> Case:
    """The case row, locked for the rest of the transaction (its timeline head moves under this lock)."""
    pk = case if isinstance(case, int) else case.pk
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins (lead_unit, matter).
    return Case.objects.select_for_update(of=("self",)).select_related("lead_unit", "matter", "place").get(pk=pk)


def guard(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not do this to this case"))


def step(actor: Any, case: Case | int, name: str, predicate: Callable[[Any, Case], bool]) -> Case:
    """Lock, then check permission (on the locked row, so a concurrent move is seen) and state."""
    locked = lock(case)
    guard(predicate(actor, locked))
    workflow.check(locked, name)
    return locked


def require_text(value: str, field: str, *, limit: int = 2000) -> str:
    from ..validation import check_free_text

    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters") % {"n": limit}})
    try:
        check_free_text(text)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return text
