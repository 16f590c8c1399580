"""Every read of cases for the pages: the queues, the search, the case page's parts and the public board.

Each read starts from `Case.objects.restrict(user, action)` (or the restricted part models), except the
public board, whose one read is documented in `board_cases`. Lists are paged by keyset (`?after=<id>`,
newest first), never by OFFSET, so the thousandth page costs what the first does, and every list row is read
with its place, matter and lead unit joined in, so a page costs the same few queries for 3 rows or 30.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.membership import member_units
from linli.accounts.predicates import APPROVERS, DISPATCHERS, is_government_staff
from linli.accounts.scopes import restrict, scope_of
from linli.orgs.models import Unit
from linli.places.models import Place, subtree_q

from .choices import CLOCK_STATES, FINAL_STATES, ApprovalState, CaseState, ReviewOutcome
from .models import Case, CaseApproval, CaseEvent, CasePhoto, CaseReturn, WhistleCall
from .scoping import PLACE_ROLES

PAGE_SIZE = 30
# Fields no list shows: encrypted personal data (decrypting it per row costs CPU) and long texts.
LIST_DEFER = ("reporter_name", "reporter_phone", "body", "answer", "rating_comment")
ENDED = (*FINAL_STATES, CaseState.MERGED)


def cases_for(user: Any, action: str = "view") -> QuerySet[Case]:
    return Case.objects.restrict(user, action)


def for_list(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("place", "matter", "lead_unit").defer(*LIST_DEFER)


# --------------------------------------------------------------------------------------------------
# Keyset pages


@dataclass
class Page:
    rows: list[Any]
    after: int | None  # the id this page starts below (None: the first page)
    next_after: int | None  # the id the next page starts below (None: this is the last page)


def parse_after(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 18 else None


def keyset(qs: QuerySet[Any], after: str | None, size: int = PAGE_SIZE) -> Page:
    """Newest first, `size` rows below the id `after`; one query (one row more tells whether a next page exists)."""
    start = parse_after(after)
    if start is not None:
        qs = qs.filter(pk__lt=start)
    rows = list(qs.order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1]["pk"] if rows and isinstance(rows[-1], dict) else (rows[-1].pk if rows else None)
    return Page(rows=rows, after=start, next_after=last if more else None)


# --------------------------------------------------------------------------------------------------
# Queues


def my_units(user: Any) -> QuerySet[Unit] | None:
    """Subquery of the units the user works for (linli.accounts.membership.member_units), or None."""
    scope = scope_of(user)
    if scope.everything:
        return Unit.objects.all()
    condition = member_units(scope)
    return Unit.objects.filter(condition).values("pk") if condition is not None else None  # type: ignore[return-value]


def _work(user: Any) -> QuerySet[Case]:
    """The cases whose clocks the user watches: everything in reach for place staff (who oversee their
    place), only what their unit leads now for those who read cases through a unit (a department must not
    be shown the clock of a case that moved on to another unit)."""
    qs = cases_for(user)
    if scope_of(user).has(PLACE_ROLES):
        return qs
    units = my_units(user)
    return qs.filter(lead_unit__in=units) if units is not None else qs.none()


def _end_of_today() -> datetime.datetime:
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))


def _mine(user: Any) -> QuerySet[Case]:
    """Requests the user made: as the resident who asked, or as the worker who entered or found them."""
    return cases_for(user).filter(Q(reporter_id=user.pk) | Q(entered_by_id=user.pk))


def _unit(user: Any) -> QuerySet[Case]:
    units = my_units(user)
    return (
        cases_for(user).filter(lead_unit__in=units).exclude(state__in=ENDED)
        if units is not None
        else Case.objects.none()
    )


def _due_today(user: Any) -> QuerySet[Case]:
    now, end = timezone.now(), _end_of_today()
    handle = Q(handle_overdue=False, handle_due__gte=now, handle_due__lte=end)
    contact = Q(contacted_at__isnull=True, contact_overdue=False, contact_due__gte=now, contact_due__lte=end)
    return _work(user).filter(handle | contact, state__in=CLOCK_STATES)


def _overdue(user: Any) -> QuerySet[Case]:
    late = Q(handle_overdue=True) | Q(contact_overdue=True, contacted_at__isnull=True)
    return _work(user).filter(late, state__in=CLOCK_STATES)


def _returned(user: Any) -> QuerySet[Case]:
    pending = CaseReturn.objects.filter(outcome=ReviewOutcome.PENDING).values("case_id")
    return cases_for(user, "change").filter(state=CaseState.RETURNED, pk__in=pending)


def _dispatch(user: Any) -> QuerySet[Case]:
    return cases_for(user, "change").filter(state=CaseState.SUBMITTED)


def _whistles(user: Any) -> QuerySet[Case]:
    units = my_units(user)
    if units is None:
        return Case.objects.none()
    calls = WhistleCall.objects.filter(unit__in=units, reported_at__isnull=True).values("case_id")
    return cases_for(user).filter(pk__in=calls)


def _approvals(user: Any) -> QuerySet[Case]:
    pending = CaseApproval.objects.filter(state=ApprovalState.PENDING).values("case_id")
    qs = cases_for(user, "change").filter(pk__in=pending)
    units = my_units(user)
    if units is not None and not scope_of(user).everything:
        qs = qs.exclude(lead_unit__in=units)  # a unit never approves its own request (can_decide_approval)
    return qs


@dataclass(frozen=True)
class Queue:
    name: str
    label: Any
    build: Callable[[Any], QuerySet[Case]]
    shown: Callable[[Any], bool]


def _has_units(user: Any) -> bool:
    return my_units(user) is not None


QUEUES: tuple[Queue, ...] = (
    Queue("mine", _("My requests"), _mine, lambda u: True),
    Queue("unit", _("My unit's"), _unit, _has_units),
    Queue("due_today", _("Due today"), _due_today, lambda u: is_government_staff(u) or _has_units(u)),
    Queue("overdue", _("Overdue"), _overdue, lambda u: is_government_staff(u) or _has_units(u)),
    Queue("returned", _("Returned to me"), _returned, lambda u: scope_of(u).has(DISPATCHERS)),
    Queue("dispatch", _("To dispatch"), _dispatch, lambda u: scope_of(u).has(DISPATCHERS)),
    Queue("whistles", _("Whistles"), _whistles, _has_units),
    Queue("approvals", _("Awaiting my approval"), _approvals, lambda u: scope_of(u).has(APPROVERS)),
)
BY_NAME = {q.name: q for q in QUEUES}


def queues_for(user: Any) -> list[Queue]:
    return [q for q in QUEUES if q.shown(user)]


def default_queue(user: Any) -> str:
    """Where a person starts: the dispatchers' queue, their unit's cases, or their own requests."""
    shown = {q.name for q in queues_for(user)}
    for name in ("dispatch", "unit"):
        if name in shown:
            return name
    return "mine"


def queue_cases(user: Any, name: str) -> QuerySet[Case]:
    queue = BY_NAME.get(name)
    if queue is None or not queue.shown(user):
        return Case.objects.none()
    return for_list(queue.build(user))


# --------------------------------------------------------------------------------------------------
# Search


def search_cases(user: Any, filters: dict[str, Any], action: str = "view") -> QuerySet[Case]:
    """Cases in the user's scope matching the search form's cleaned filters (all optional)."""
    qs = cases_for(user, action)
    text = (filters.get("q") or "").strip()
    if text:
        by_number = Case.pk_from_number(text)
        qs = qs.filter(pk=by_number) if by_number else qs.filter(Q(title__icontains=text) | Q(body__icontains=text))
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("matter") is not None:
        qs = qs.filter(matter=filters["matter"])
    place: Place | None = filters.get("place")
    if place is not None:
        qs = qs.filter(subtree_q(place.path, field="place__path"))
    if filters.get("unit") is not None:
        qs = qs.filter(lead_unit=filters["unit"])
    tz = timezone.get_current_timezone()
    if filters.get("since"):
        qs = qs.filter(created_at__gte=datetime.datetime.combine(filters["since"], datetime.time.min, tz))
    if filters.get("until"):
        qs = qs.filter(created_at__lte=datetime.datetime.combine(filters["until"], datetime.time.max, tz))
    if filters.get("overdue"):
        qs = qs.filter(Q(handle_overdue=True) | Q(contact_overdue=True, contacted_at__isnull=True))
    return qs


# --------------------------------------------------------------------------------------------------
# The case page


def case_for_page(user: Any, pk: int) -> Case | None:
    return (
        cases_for(user)
        .select_related("place", "matter", "lead_unit", "accountable_unit", "decision", "merged_into")
        .filter(pk=pk)
        .first()
    )


def timeline(user: Any, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.restrict(user).filter(case=case).select_related("actor").order_by("seq")


def photos(user: Any, case: Case) -> QuerySet[CasePhoto]:
    return restrict(CasePhoto.objects.all(), user).filter(case=case).order_by("pk")


def photo_for(user: Any, pk: int) -> CasePhoto | None:
    return restrict(CasePhoto.objects.all(), user).filter(pk=pk).first()


def lineage(place: Place) -> list[str]:
    """The names from the district down to the case's place: read as the context of a case the user may
    read, names only (as the place page's crumbs are)."""
    names = (
        Place.objects.filter(pk__in=place.ancestor_ids, depth__gte=1).order_by("depth").values_list("name", flat=True)
    )
    return [*names, place.name]


def co_units(user: Any, case: Case) -> list[Unit]:
    from .models import CaseAssignment

    rows = restrict(CaseAssignment.objects.all(), user).filter(case=case, role="co", ended_at__isnull=True)
    return [a.unit for a in rows.select_related("unit").order_by("pk")]


def pending_returns(user: Any, case: Case) -> list[CaseReturn]:
    rows = restrict(CaseReturn.objects.all(), user).filter(case=case, outcome=ReviewOutcome.PENDING)
    return list(rows.select_related("unit", "suggested_unit"))


def returns(user: Any, case: Case) -> list[CaseReturn]:
    rows = restrict(CaseReturn.objects.all(), user).filter(case=case)
    return list(rows.select_related("unit", "suggested_unit", "final_unit").order_by("returned_at"))


def approvals(user: Any, case: Case) -> list[CaseApproval]:
    return list(
        restrict(CaseApproval.objects.all(), user).filter(case=case).select_related("unit").order_by("requested_at")
    )


def whistle_calls(user: Any, case: Case) -> list[WhistleCall]:
    return list(restrict(WhistleCall.objects.all(), user).filter(case=case).select_related("unit").order_by("pk"))


def duplicates_of(user: Any, case: Case) -> list[Case]:
    return list(for_list(cases_for(user).filter(merged_into=case)).order_by("pk"))


def merge_target(user: Any, text: str, exclude: int) -> Case | None:
    """A primary named by its number or id, among the cases the user may change."""
    text = (text or "").strip()
    pk = Case.pk_from_number(text) or (int(text) if text.isdigit() and len(text) < 12 else None)
    if pk is None or pk == exclude:
        return None
    return cases_for(user, "change").filter(pk=pk).first()


# --------------------------------------------------------------------------------------------------
# The public board


BOARD_STATES = (CaseState.RESOLVED, CaseState.VERIFIED, CaseState.CLOSED)
BOARD_FIELDS = (
    "pk",
    "title",
    "body",
    "answer",
    "state",
    "created_at",
    "resolved_at",
    "rating",
    "place__path",
    "place__name",
    "matter__name",
    "lead_unit__name",
)


def board_cases(place: Place | None = None, matter: Any = None) -> QuerySet[Any]:
    """The public board's one read, the documented exception to "every read starts from restrict": it is
    open to anyone, logged in or not (DESIGN §1: residents see public requests, masked), so there is no
    scope to start from. What keeps it safe is what it reads: answered cases only, as plain dicts of the
    fields in BOARD_FIELDS — never a reporter, a name, a phone, an address, a photo or a point — and the
    texts pass through linli.cases.presenting.mask_digits before they are shown."""
    qs = Case.objects.filter(state__in=BOARD_STATES, merged_into__isnull=True)
    if place is not None:
        qs = qs.filter(subtree_q(place.path, field="place__path"))
    if matter is not None:
        qs = qs.filter(matter=matter)
    return qs.values(*BOARD_FIELDS)


def board_lineage(rows: list[dict[str, Any]]) -> dict[int, str]:
    """Street and community names for board rows, in one query: the public level of detail of a place."""
    from linli.places.models import SEGMENT_WIDTH

    ids: set[int] = set()
    for row in rows:
        path = row["place__path"]
        ids.update(int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH))
    names = dict(Place.objects.filter(pk__in=ids, level__in=("street", "community")).values_list("pk", "name"))
    out: dict[int, str] = {}
    for row in rows:
        path = row["place__path"]
        chain = [int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH)]
        out[row["pk"]] = " · ".join(names[p] for p in chain if p in names)
    return out
