"""The reporter's contact in the clear, for a role whose work needs it (DESIGN §7): every view is an audit
event and a step of the case's own timeline, so the resident can see who looked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_reveal_reporter
from linli.core import audit
from linli.core.choices import AuditAction

from .. import events
from ..models import Case
from .base import guard, lock


@transaction.atomic
def reveal_reporter(actor: Any, case: Case) -> tuple[str, str]:
    """The reporter's name and phone, unmasked; refused without can_reveal_reporter."""
    case = lock(case)
    guard(can_reveal_reporter(actor, case), _("Your role may not see this in full"))
    fields = [f for f in ("reporter_name", "reporter_phone") if getattr(case, f)]
    audit.record(AuditAction.PERSONAL_DATA_REVEALED, actor=actor, target=case, data={"fields": fields})
    events.personal_data_viewed(case, actor, fields=fields)
    case.save(update_fields=["event_count", "last_hash", "updated_at"])
    return case.reporter_name, case.reporter_phone
