"""Writes of the assessment app. The figures themselves are never written here (the fold keeps them); what
district command sets is the scheme: the composite's weights and what 基本满意 counts for (DESIGN §6)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_scheme
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from .models import Scheme

WEIGHTS = ("weight_response", "weight_resolution", "weight_satisfaction")
# The weights are stored with three decimals; their sum may miss 1 by rounding, never by more.
SUM_TOLERANCE = Decimal("0.001")
PLACES = Decimal("0.001")
NAME_MAX = 64  # Scheme.name


def _fraction(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    """A number between 0 and 1 with at most three decimals, else an error under `field`."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number between 0 and 1, e.g. 0.35"))
        return None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        errors.setdefault(field, []).append(_("Enter a number between 0 and 1, e.g. 0.35"))
        return None
    if number != number.quantize(PLACES):
        errors.setdefault(field, []).append(_("At most three decimals"))
        return None
    return number.quantize(PLACES)


def check_scheme(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The one validator of a scheme, whatever the channel: the cleaned values, or a ValidationError naming
    each bad field in words a district officer reads."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the scheme a name")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most 64 characters")]
    else:
        try:
            check_plain_text(name)
        except ValidationError as error:
            errors["name"] = error.messages
    cleaned: dict[str, Any] = {"name": name}
    for field in (*WEIGHTS, "basic_factor"):
        cleaned[field] = _fraction(data.get(field), field, errors)
    weights = [cleaned[f] for f in WEIGHTS]
    if all(w is not None for w in weights) and abs(sum(weights) - 1) > SUM_TOLERANCE:
        errors.setdefault("__all__", []).append(
            _("The three weights must add up to 1 (now %(sum)s)") % {"sum": f"{sum(weights):.3f}"}
        )
    valid_from = data.get("valid_from") or today
    if isinstance(valid_from, str):
        try:
            valid_from = datetime.date.fromisoformat(valid_from.strip())
        except ValueError:
            errors["valid_from"] = [_("Enter a date such as 2026-01-01")]
    if isinstance(valid_from, datetime.date) and valid_from < today:
        # A scheme starting in the past would change figures already published and ranked.
        errors["valid_from"] = [_("A scheme cannot start before today")]
    cleaned["valid_from"] = valid_from
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def set_scheme(actor: Any, **data: Any) -> Scheme:
    """Put a new scheme in force from its first day; earlier schemes stay, so past figures stay as they were."""
    if not can_edit_scheme(actor):
        raise PermissionDenied(_("You may not change the assessment scheme"))
    cleaned = check_scheme(data, timezone.localdate())
    # Serialise scheme changes: two officers saving at once get two rows in a known order, never a mix.
    list(Scheme.objects.select_for_update().filter(valid_from__gte=cleaned["valid_from"]).values_list("pk"))
    scheme = Scheme.objects.create(**cleaned)
    audit.record(
        AuditAction.ASSESSMENT_SCHEME_SET,
        actor=actor,
        target=scheme,
        data={
            **{f: str(cleaned[f]) for f in (*WEIGHTS, "basic_factor")},
            "valid_from": cleaned["valid_from"].isoformat(),
        },
    )
    return scheme
