"""Retention (issue 17, item 4; 个人信息保护法 art. 19, 47): a person who left is kept for the years their
residency type's rule says, then removed, leaving only anonymous counts (PurgedCount).

`purge` works in batches, one transaction each: the batch's rows are locked, counted into PurgedCount (the
community, the year they left, residency, gender, age band when leaving) and deleted in that transaction,
so a count is kept if and only if its person is gone. The delete cascades to their memberships, ownerships,
tenancies, tags, visits, party record and consents; a household left without members stays, and a case
keeps its text with the link to the reporter emptied (SET_NULL). Visit photos are files outside the
database: they are deleted once the batch has committed, so a rolled-back batch never loses a photo.
Running it again finds nothing more to do.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_retention_rules
from linli.core import audit
from linli.core.choices import AuditAction
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place

from .choices import DEFAULT_RETENTION_YEARS, Residency, age_band
from .models import CareVisit, Person, PurgedCount, RetentionRule, age_on
from .statistics import years_before

logger = logging.getLogger("linli.people")

BATCH = 500
MAX_KEEP_YEARS = 100

CountKey = tuple[int, int, str, str, str]  # community id, year left, residency, gender, age band


@dataclass
class PurgeResult:
    by_residency: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_residency.values())


def keep_years() -> dict[str, int]:
    """Years kept after leaving, per residency type: the rules table over the defaults."""
    years = {str(k): v for k, v in DEFAULT_RETENTION_YEARS.items()}
    years.update(RetentionRule.objects.values_list("residency", "keep_years"))
    return years


def expired(today: datetime.date) -> Q:
    """Left on a day whose anniversary `keep_years` later is before `today`."""
    conditions = [
        Q(residency=residency, left_on__lt=years_before(today, years)) for residency, years in keep_years().items()
    ]
    return Q(left_on__isnull=False) & reduce(or_, conditions)


def purge(today: datetime.date | None = None, dry_run: bool = False, batch: int = BATCH) -> PurgeResult:
    today = today or timezone.localdate()
    condition = expired(today)
    if dry_run:
        rows = Person.objects.filter(condition).values("residency").annotate(n=Count("pk")).order_by()
        return PurgeResult(by_residency={r["residency"]: r["n"] for r in rows}, dry_run=True)
    result = PurgeResult()
    totals: Counter[str] = Counter()
    try:
        while True:
            with transaction.atomic():
                done, photos = _purge_batch(condition, batch)
            if not done:
                break
            totals.update(done)
            result.photos += photos
    finally:
        # One event for the run, counts only; written even when a batch failed after others committed.
        result.by_residency = dict(totals)
        if totals:
            audit.record(
                AuditAction.PERSONS_PURGED,
                target_type="people.person",
                data={"by_residency": dict(totals), "total": result.total, "photos": result.photos, "on": str(today)},
            )
    return result


def _purge_batch(condition: Q, batch: int) -> tuple[Counter[str], int]:
    ids = list(Person.objects.select_for_update().filter(condition).order_by("pk").values_list("pk", flat=True)[:batch])
    if not ids:
        return Counter(), 0
    rows = list(
        Person.objects.filter(pk__in=ids).values(
            "pk", "place_id", "place__path", "residency", "gender", "birth_date", "left_on"
        )
    )
    communities = _communities(r["place__path"] for r in rows)
    counts: Counter[CountKey] = Counter()
    by_residency: Counter[str] = Counter()
    for row in rows:
        left_on = cast(datetime.date, row["left_on"])  # never null here: `expired` requires it
        age = age_on(row["birth_date"], left_on)
        community = next((pk for pk in reversed(_segments(row["place__path"])) if pk in communities), row["place_id"])
        key = (
            community,
            left_on.year,
            row["residency"],
            row["gender"],
            age_band(age) if age is not None else "?",
        )
        counts[key] += 1
        by_residency[row["residency"]] += 1
    for (community, year, residency, gender, band), n in counts.items():
        kept, created = PurgedCount.objects.get_or_create(
            community_id=community, left_year=year, residency=residency, gender=gender, age_band=band,
            defaults={"count": n},
        )  # fmt: skip
        if not created:
            PurgedCount.objects.filter(pk=kept.pk).update(count=F("count") + n)
    photos = list(CareVisit.objects.filter(person_id__in=ids).exclude(photo="").values_list("photo", flat=True))
    Person.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: _delete_photos(photos))
    return by_residency, len(photos)


def _segments(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH)]


def _communities(paths: Any) -> set[int]:
    ids = {pk for path in paths for pk in _segments(path)}
    return set(Place.objects.filter(pk__in=ids, level=PlaceLevel.COMMUNITY).values_list("pk", flat=True))


def _delete_photos(names: list[str]) -> None:
    storage = CareVisit._meta.get_field("photo").storage  # type: ignore[union-attr]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # The rows are gone; a file left behind is logged by name (a path, not personal data) for cleanup.
            logger.exception("retention: could not delete visit photo %s", name)


def check_keep_years(years: Any) -> int:
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_KEEP_YEARS:
        raise ValidationError({"keep_years": [_("Between 1 and 100 years")]})
    return years


@transaction.atomic
def set_retention_rule(actor: Any, residency: str, years: int) -> RetentionRule:
    if not can_edit_retention_rules(actor):
        raise PermissionDenied(_("You may not change the retention rules"))
    if residency not in Residency.values:
        raise ValidationError({"residency": [_("Unknown residency type")]})
    check_keep_years(years)
    rule = RetentionRule.objects.select_for_update().filter(residency=residency).first()
    before = rule.keep_years if rule else None
    rule, _created = RetentionRule.objects.update_or_create(residency=residency, defaults={"keep_years": years})
    audit.record(
        AuditAction.RETENTION_RULE_SET,
        actor=actor,
        target=rule,
        data={"residency": residency, "before": before, "after": years},
    )
    return rule
