"""The demo's population (issue 17): persons in households on the demo city's houses, with owners, tenants,
care tags and visits, party members and consents, stored like real data (identity numbers and phones
Fernet-encrypted, their keyed digests beside them).

Communities are filled whole, in code order, until the wanted number of people live in them (default 50,000;
`LINLI_DEMO_PERSONS` or `build_demo_city --persons`): a registry is entered community by community, and the
first community is the one the demo's staff accounts work in. Within a community each house is vacant (about
5%), a shop on the ground floor (a few), unsold and held by the developer (in one estate), rented out (about a
fifth: migrants alone, sharing, or young families) or lived in by its owners (the rest). Who lives where, and
how they are related, comes from linli.people.demo_families; names, documents and phones from demo_names;
tags, visits, party records and consents from demo_care; houses, owners and the rows themselves from
demo_settle.

No generated number can be a real person's: identity numbers are valid GB 11643 numbers (county codes
stdnum knows, correct check digits) on the sequence codes 996–999, which the standard reserves for
centenarians, given only to people born after 1926, who were never issued one of them; mobiles come from the
x-0000-xxxx placeholder blocks (138 0000 xxxx …), kept clear of the demo accounts' 13800000001 and
13800000002.

Going through the registry's actions one person at a time would take many minutes and write an audit event
per row, so the rows are made in memory with their ids handed out there and written with the history's bulk
insert (linli.cases.demo_history.insert: every field's own database value, so encryption happens as on any
save); what Person.save would add, the two digests, is set here. Idempotent: nothing happens when any person
exists. The demo resident account (13800000001) is a registered person, so her requests link to her.
"""

from __future__ import annotations

import datetime
import os
import random
import time
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.crypto import digest

from .demo_names import RESERVED_PHONES
from .demo_settle import DEVELOPER, MODELS, Town
from .models import House, Household, Person

__all__ = ["DEFAULT_COUNT", "DEVELOPER", "Summary", "build", "registry_phones", "wanted_count"]
DEFAULT_COUNT = 50_000


@dataclass
class Summary:
    persons: int = 0
    households: int = 0
    houses: int = 0
    communities: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def wanted_count() -> int:
    return int(os.environ.get("LINLI_DEMO_PERSONS", DEFAULT_COUNT))


def build(count: int | None = None, *, seed: int = 20261123, today: datetime.date | None = None) -> Summary | None:
    """Build the population unless persons exist; returns what was built (None when it was skipped)."""
    from linli.cases.demo_history import insert

    from .demo_care import Care

    if Person.objects.exists():
        return None
    count = wanted_count() if count is None else count
    today = today or timezone.localdate()
    started = time.monotonic()
    summary = Summary()
    with transaction.atomic():
        rng = random.Random(f"people:{seed}")
        town = Town(rng, today)
        summary.communities = town.settle(count)
        Care(town, rng, today).run()
        for model, rows in town.rows.items():
            insert(model, rows)
        statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        summary.counts = {model._meta.model_name or "": len(rows) for model, rows in town.rows.items()}
        summary.persons = len(town.rows[Person])
        summary.households = len(town.rows[Household])
        summary.houses = len(town.rows[House])
        audit.record(
            AuditAction.PERSONS_IMPORTED,
            data={"source": "demo population", "persons": summary.persons, "households": summary.households},
        )
    summary.seconds = time.monotonic() - started
    return summary


def registry_phones(rng: random.Random, n: int) -> list[str]:
    """Up to `n` distinct phones of current registered people, for the demo history's reporters (so that some
    of its requests link to the registry): a third from people with a care tag (older people call the
    hotline), the rest from anyone with a phone; never a demo account's number. Empty without a registry."""
    people = Person.objects.current().exclude(phone_digest=None)
    people = people.exclude(phone_digest__in=[digest(p) for p in RESERVED_PHONES])
    everyone = list(people.order_by("pk").values_list("pk", flat=True))
    if not everyone or n <= 0:
        return []
    with_tags = people.filter(care_tags__isnull=False, care_tags__valid_to__isnull=True)
    tagged = list(with_tags.order_by("pk").distinct().values_list("pk", flat=True))
    picked: list[int] = rng.sample(tagged, min(len(tagged), n // 3))
    picked += rng.sample(everyone, min(len(everyone), n - len(picked)))
    phones = dict(Person.objects.filter(pk__in=picked).values_list("pk", "phone"))
    found: dict[str, None] = {}
    for pk in picked:
        found.setdefault(phones[pk], None)
    return list(found)[:n]
