"""Reading GeoReport v2 query arguments: W3C datetimes, comma lists, the 90-day window and the 1000 cap.

An optional argument passed empty means the same as not passed (the spec's "Optional Arguments" rule).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .formats import Open311Error

WINDOW = datetime.timedelta(days=90)  # "may not span more than 90 days"; the default is the latest 90 days
MAX_REQUESTS = 1000  # "first 1000 requests returned"
# A "+hh:mm" offset put into a URL without encoding arrives as a space: read it as the plus it was.
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def optional(query: Mapping[str, str], name: str) -> str:
    return (query.get(name) or "").strip()


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def w3(moment: datetime.datetime | None) -> str | None:
    """A datetime as the spec writes it: local time with its offset, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


_BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_when(name: str, text: str, *, end: bool = False) -> datetime.datetime:
    """A W3C datetime (an offset or Z is expected; without one, local time); a bare date is that whole day
    (its start for start_date, its end for end_date)."""
    text = _SPACED_OFFSET.sub(r"+\1", text)
    try:
        # A bare date first: parse_datetime reads "2026-08-24" as that day's midnight (fromisoformat does), which
        # made an end_date stop at the start of its day instead of running through it.
        day = parse_date(text) if _BARE_DATE.fullmatch(text.strip()) else None
        moment = None if day else parse_datetime(text)
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime.datetime.combine(day + datetime.timedelta(days=1 if end else 0), datetime.time())
    if moment is None:
        raise Open311Error(400, _("%(name)s must be a W3C datetime such as 2026-11-01T00:00:00+08:00") % {"name": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def window(
    query: Mapping[str, str], now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The [start, end] range of a search: given, half given (the other end 90 days away) or the latest 90
    days; refused when it is backwards or wider than 90 days."""
    now = now or timezone.now()
    start_text, end_text = optional(query, "start_date"), optional(query, "end_date")
    start = parse_when("start_date", start_text) if start_text else None
    end = parse_when("end_date", end_text, end=True) if end_text else None
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is earlier than start_date"))
    if end - start > WINDOW:
        raise Open311Error(400, _("A search may not span more than 90 days: narrow start_date and end_date"))
    return start, end


def statuses(query: Mapping[str, str]) -> set[str]:
    wanted = {s.lower() for s in split_list(optional(query, "status"))}
    if wanted - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both, comma separated"))
    return wanted


def paging(query: Mapping[str, str]) -> tuple[int, int]:
    """(offset, size) from the page and page_size extension most servers implement; 1000 at most."""
    size, page = MAX_REQUESTS, 1
    for name in ("page_size", "page"):
        text = optional(query, name)
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= (MAX_REQUESTS if name == "page_size" else 10**6):
            raise Open311Error(
                400,
                _("%(name)s must be a whole number from 1 to %(max)d")
                % {"name": name, "max": MAX_REQUESTS if name == "page_size" else 10**6},
            )
        if name == "page_size":
            size = int(text)
        else:
            page = int(text)
    return (page - 1) * size, size


def flag(query: Mapping[str, str], name: str) -> bool:
    return optional(query, name).lower() in {"true", "1", "yes"}
