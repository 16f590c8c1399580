"""Care tags and visits (关爱走访). A tag in force with a visit rule puts the person on a visit clock: the
shortest interval among their tags, counted from the last visit (or from the day the first tag applied).
`next_visit_due` is an indexed column, so "overdue in my grid" is one range query, never a per-person timer.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_care_rules, can_edit_person, can_log_visit
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from ..choices import DEFAULT_VISIT_DAYS, CareTagKind, TagSource, VisitOutcome
from ..models import CareRule, CareTag, CareVisit, Person
from ..validation import parse_date

MAX_VISIT_DAYS = 366


def rule_days() -> dict[str, int | None]:
    """Days between visits per tag: the rules table, falling back to the defaults for a tag it lacks."""
    days: dict[str, int | None] = {str(k): v for k, v in DEFAULT_VISIT_DAYS.items()}
    days.update(dict(CareRule.objects.values_list("tag", "visit_every_days")))
    return days


def visit_clock(
    person: Person, tags: list[CareTag], rules: dict[str, int | None], today: datetime.date
) -> tuple[int | None, datetime.date | None]:
    """(days between visits, next visit due) from the tags in force and the last visit: the one rule, also
    used by the demo population (linli.people.demo_care), which writes its people in bulk."""
    in_force = [t for t in tags if t.in_force(today)]
    every = min((d for d in (rules.get(t.tag) for t in in_force) if d), default=None)
    if every is None or person.left_on is not None:
        return None, None
    start = (
        timezone.localdate(person.last_visited_at) if person.last_visited_at else min(t.valid_from for t in in_force)
    )
    return every, start + datetime.timedelta(days=every)


def refresh_visit_clock(person: Person, rules: dict[str, int | None] | None = None) -> None:
    """Recompute `visit_every_days` and `next_visit_due` from the tags in force and the last visit."""
    rules = rules if rules is not None else rule_days()
    person.visit_every_days, person.next_visit_due = visit_clock(
        person, list(person.care_tags.all()), rules, timezone.localdate()
    )
    Person.objects.filter(pk=person.pk).update(
        visit_every_days=person.visit_every_days, next_visit_due=person.next_visit_due
    )


@transaction.atomic
def add_tag(
    actor: Any,
    person: Person,
    *,
    tag: str,
    source: str,
    source_note: str = "",
    valid_from: Any = None,
    valid_to: Any = None,
) -> CareTag:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    if tag not in CareTagKind.values:
        raise ValidationError({"tag": [_("Unknown care tag")]})
    if source not in TagSource.values:
        raise ValidationError({"source": [_("Say where the tag comes from")]})
    start = parse_date(valid_from) or timezone.localdate()
    end = parse_date(valid_to)
    if end is not None and end < start:
        raise ValidationError({"valid_to": [_("The tag cannot end before it starts")]})
    if person.left_on is not None:
        raise ValidationError(_("This person has left"))
    if any(t.tag == tag and t.valid_to is None for t in person.care_tags.all()):
        raise ValidationError({"tag": [_("This tag is already in force")]})
    care_tag = CareTag.objects.create(
        person=person,
        tag=tag,
        source=source,
        source_note=check_plain_text(source_note.strip())[:200],
        valid_from=start,
        valid_to=end,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    refresh_visit_clock(person)
    audit.record(AuditAction.CARE_TAG_ADDED, actor=actor, target=person, data={"tag": tag, "source": source})
    return care_tag


@transaction.atomic
def end_tag(actor: Any, care_tag: CareTag, *, on: Any = None) -> CareTag:
    person = Person.objects.select_for_update().get(pk=care_tag.person_id)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    care_tag = CareTag.objects.get(pk=care_tag.pk)
    if care_tag.valid_to is not None and care_tag.valid_to <= timezone.localdate():
        raise ValidationError(_("This tag has already ended"))
    day = parse_date(on) or timezone.localdate()
    care_tag.valid_to = max(day, care_tag.valid_from)
    care_tag.save(update_fields=["valid_to"])
    refresh_visit_clock(person)
    audit.record(AuditAction.CARE_TAG_ENDED, actor=actor, target=person, data={"tag": care_tag.tag})
    return care_tag


@transaction.atomic
def log_visit(
    actor: Any,
    person: Person,
    *,
    outcome: str = VisitOutcome.WELL,
    note: str = "",
    photo: IO[bytes] | None = None,
    visited_at: datetime.datetime | None = None,
) -> CareVisit:
    """Record a visit; the clock restarts from it. A photo is checked and stripped like a request's."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_log_visit(actor, person):
        raise PermissionDenied(_("You may not visit this person"))
    if outcome not in VisitOutcome.values:
        raise ValidationError({"outcome": [_("Pick how the visit went")]})
    note = check_plain_text((note or "").strip())
    if len(note) > 2000:
        raise ValidationError({"note": [_("A note has at most 2,000 characters")]})
    moment = visited_at or timezone.now()
    if moment > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"visited_at": [_("A visit cannot be in the future")]})
    visit = CareVisit(
        person=person,
        visitor=actor if getattr(actor, "pk", None) else None,
        visited_at=moment,
        outcome=outcome,
        note=note,
        was_due=person.next_visit_due,
    )
    if photo is not None:
        from linli.core.photos import check_photos

        cleaned = check_photos([photo])[0]
        visit.photo.save(f"visit{cleaned.extension}", ContentFile(cleaned.content), save=False)
    visit.save()
    if person.last_visited_at is None or moment > person.last_visited_at:
        person.last_visited_at = moment
        Person.objects.filter(pk=person.pk).update(last_visited_at=moment)
    refresh_visit_clock(person)
    audit.record(
        AuditAction.CARE_VISIT_LOGGED,
        actor=actor,
        target=person,
        data={"visit": visit.pk, "outcome": outcome, "late": visit.late},
    )
    return visit


@transaction.atomic
def set_care_rule(actor: Any, tag: str, visit_every_days: int | None) -> CareRule:
    """Change how often a tag is visited; everyone carrying it gets their clock recomputed."""
    if not can_edit_care_rules(actor):
        raise PermissionDenied(_("You may not change the visit rules"))
    if tag not in CareTagKind.values:
        raise ValidationError(_("Unknown care tag"))
    if visit_every_days is not None and not 1 <= visit_every_days <= MAX_VISIT_DAYS:
        raise ValidationError(_("Between 1 and 366 days, or none"))
    rule, _created = CareRule.objects.update_or_create(tag=tag, defaults={"visit_every_days": visit_every_days})
    rules = rule_days()
    carriers = Person.objects.filter(care_tags__tag=tag, left_on__isnull=True).distinct()
    for person in carriers.prefetch_related("care_tags").iterator(chunk_size=500):
        refresh_visit_clock(person, rules)
    audit.record(AuditAction.CARE_RULE_SET, actor=actor, data={"tag": tag, "days": visit_every_days})
    return rule


def refresh_lapsed_clocks(today: datetime.date | None = None) -> int:
    """A tag that ends on its planned date changes nobody's row that day; the daily job recomputes the clocks of
    people with a tag that ended in the last week (a missed day or two is caught up). Returns how many."""
    today = today or timezone.localdate()
    lapsed = Person.objects.filter(
        next_visit_due__isnull=False,
        care_tags__valid_to__lt=today,
        care_tags__valid_to__gte=today - datetime.timedelta(days=7),
    ).distinct()
    rules = rule_days()
    count = 0
    for person in lapsed.prefetch_related("care_tags").iterator(chunk_size=500):
        refresh_visit_clock(person, rules)
        count += 1
    return count
