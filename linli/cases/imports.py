"""Bulk import of a backlog of requests from Excel or CSV (DESIGN §4): every row or none.

Each row becomes one request through the same intake action as every other channel (channel "import", with
the time it was first received and the channel it first came in on), inside one transaction: one bad row
rolls all of them back, and the person is shown every bad row by its number with the reason. Rows are keyed
by the file's digest and their row number, so uploading the same file again creates nothing twice. The
import as a whole is one event on the audit chain.

Column headings are a file format (what an office's sheet says), not UI text; the cells have been unquoted
by linli.core.tabular.restore_cell as the reader takes them.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_import_cases
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.tabular import ImportRejected, RowError, read_table, require_columns, write_xlsx
from linli.dispatch.choices import Channel
from linli.orgs.models import Matter
from linli.places.models import Place
from linli.places.queries import resolve_address

from .actions.intake import ADDRESS_CUTOFF, Submission, submit_request
from .choices import Urgency

RECEIVED, CHANNEL, TITLE, BODY = "受理时间", "渠道", "标题", "内容"
ADDRESS, PLACE_CODE, NAME, PHONE, URGENCY, MATTER = "地址", "地点编码", "联系人", "联系电话", "紧急程度", "事项编码"
COLUMNS = (RECEIVED, CHANNEL, TITLE, BODY, ADDRESS, PLACE_CODE, NAME, PHONE, URGENCY, MATTER)
# One upload is one transaction and one HTTP request: a larger backlog goes in several files.
MAX_ROWS = 5000
EARLIEST = datetime.date(2000, 1, 1)
# A clock a few minutes fast on the office's computer is not a request from the future.
CLOCK_SKEW = datetime.timedelta(minutes=10)

CHANNEL_WORDS: dict[str, str] = {
    "": "",  # not known: the row says nothing about where it first came in
    "电话": Channel.HOTLINE,
    "热线": Channel.HOTLINE,
    "12345": Channel.HOTLINE,
    "网站": Channel.WEB,
    "网页": Channel.WEB,
    "微信": Channel.WEB,
    "app": Channel.WEB,
    "小程序": Channel.WEB,
    "网格": Channel.GRID,
    "巡查": Channel.GRID,
    "主动发现": Channel.GRID,
    "接口": Channel.API,
    **{c.value: c.value for c in Channel if c != Channel.IMPORT},
}
URGENCY_WORDS: dict[str, str] = {
    "": Urgency.NORMAL,
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
}
URGENCY_WORDS |= {u.value: u.value for u in Urgency}
# The intake action names the field it refuses; the person is told the column.
FIELD_COLUMNS = {
    "body": BODY,
    "title": TITLE,
    "reporter_name": NAME,
    "reporter_phone": PHONE,
    "urgency": URGENCY,
    "address": ADDRESS,
    "location": ADDRESS,
}
MOMENT_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    case_ids: list[int] = field(default_factory=list)


def template() -> bytes:
    return write_xlsx(COLUMNS, [], title="requests")


def parse_moment(text: str, now: datetime.datetime | None = None) -> datetime.datetime:
    match = MOMENT_RE.match((text or "").strip())
    try:
        if match is None:
            raise ValueError
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date and time: write it as 2026-03-01 09:30"), params={"value": text}
        ) from None
    aware = timezone.make_aware(moment, timezone.get_current_timezone())
    if aware > (now or timezone.now()) + CLOCK_SKEW:
        raise ValidationError(_("The time lies in the future"))
    if aware.date() < EARLIEST:
        raise ValidationError(_("The time lies before 2000"))
    return aware


@dataclass
class _Lookups:
    places: dict[str, Place]
    matters: dict[str, Matter]
    addresses: dict[str, Place | None] = field(default_factory=dict)


def _lookups(actor: Any, rows: list[tuple[int, dict[str, Any]]]) -> _Lookups:
    place_codes = {r.get(PLACE_CODE, "") for _n, r in rows} - {""}
    matter_codes = {r.get(MATTER, "") for _n, r in rows} - {""}
    places = Place.objects.restrict(actor, "view").filter(code__in=place_codes, is_active=True)
    matters = Matter.objects.restrict(actor, "view").filter(code__in=matter_codes, is_active=True)
    return _Lookups(places={p.code: p for p in places}, matters={m.code: m for m in matters})


def _place(actor: Any, row: dict[str, Any], look: _Lookups) -> tuple[Place, str]:
    """The row's place and the column it came from: a code is exact; an address is matched as the form does,
    and must then lie in the importer's area too."""
    code, address = row.get(PLACE_CODE, ""), row.get(ADDRESS, "")
    if code:
        if code not in look.places:
            raise ValidationError(_("Unknown place code, or a place outside your area"))
        return look.places[code], PLACE_CODE
    if not address:
        raise ValidationError(_("Give the address or the place code"))
    if address not in look.addresses:
        match = resolve_address(address)
        found = match.place if match is not None and match.score >= ADDRESS_CUTOFF else None
        if found is not None and not Place.objects.restrict(actor, "view").filter(pk=found.pk).exists():
            found = None
        look.addresses[address] = found
    if look.addresses[address] is None:
        raise ValidationError(_("No place in your area matches this address"))
    return look.addresses[address], ADDRESS  # type: ignore[return-value]


def _submission(
    actor: Any, number: int, row: dict[str, Any], look: _Lookups, key: str, errors: list[RowError]
) -> tuple[Submission | None, str]:
    before = len(errors)

    def attempt(column: str, check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except ValidationError as error:
            errors.extend(RowError(number, column, m) for m in error.messages)
            return None

    received = attempt(RECEIVED, parse_moment, row.get(RECEIVED, ""))
    origin = attempt(
        CHANNEL, _word, CHANNEL_WORDS, row.get(CHANNEL, ""), _("Unknown channel: write 电话, 网站, 微信 or 网格")
    )
    urgency = attempt(URGENCY, _word, URGENCY_WORDS, row.get(URGENCY, ""), _("Unknown urgency: write 一般 or 紧急"))
    placed = attempt(PLACE_CODE if row.get(PLACE_CODE) else ADDRESS, _place, actor, row, look)
    matter = None
    if row.get(MATTER):
        matter = look.matters.get(row[MATTER])
        if matter is None:
            errors.append(RowError(number, MATTER, _("Unknown matter code")))
    if len(errors) > before:
        return None, ""
    place, place_column = placed
    sub = Submission(
        channel=Channel.IMPORT,
        title=row.get(TITLE, ""),
        body=row.get(BODY, ""),
        place=place,
        address=row.get(ADDRESS, ""),
        reporter_name=row.get(NAME, ""),
        reporter_phone=row.get(PHONE, ""),
        urgency=urgency,
        matter=matter,
        idempotency_key=f"{key}:{number}",
        submitted_at=received,
        origin=origin or "",
    )
    return sub, place_column


def _word(words: dict[str, str], text: str, message: str) -> str:
    value = words.get((text or "").strip().lower())
    if value is None:
        raise ValidationError(message)
    return value


def _refusals(number: int, error: ValidationError, place_column: str) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(number, "", m) for m in error.messages]
    columns = {**FIELD_COLUMNS, "place": place_column}
    return [
        RowError(number, columns.get(f, ""), m)
        for f, e in error.error_dict.items()
        for m in ValidationError(e).messages
    ]


def import_cases(actor: Any, fileobj: IO[bytes], filename: str) -> ImportResult:
    if not can_import_cases(actor):
        raise PermissionDenied(_("You may not import requests"))
    raw = fileobj.read()
    sha = hashlib.sha256(raw).hexdigest()
    table = read_table(io.BytesIO(raw), filename)
    require_columns(table, (RECEIVED, BODY))
    if ADDRESS not in table.columns and PLACE_CODE not in table.columns:
        raise ImportRejected([RowError(1, ADDRESS, _("Give the column 地址 or the column 地点编码"))])
    if not table.rows:
        raise ImportRejected([RowError(2, "", _("The file has no rows to import"))])
    if len(table.rows) > MAX_ROWS:
        message = _("At most %(limit)d rows per file; this one has %(count)d: split it into several files")
        raise ImportRejected([RowError(0, "", message % {"limit": MAX_ROWS, "count": len(table.rows)})])
    look = _lookups(actor, table.rows)
    key = f"import:{sha[:32]}"
    errors: list[RowError] = []
    result = ImportResult()
    with transaction.atomic():
        for number, row in table.rows:
            sub, place_column = _submission(actor, number, row, look, key, errors)
            if sub is None:
                continue
            try:
                case, created = submit_request(actor, sub)
            except ValidationError as error:
                errors.extend(_refusals(number, error, place_column))
                continue
            result.case_ids.append(case.pk)
            result.created += created
            result.existing += not created
        if errors:
            raise ImportRejected(errors)  # leaves the transaction: nothing of the file is kept
        audit.record(
            AuditAction.CASES_IMPORTED,
            actor=actor,
            target_type="cases.case",
            target_repr=filename[:255],
            data={
                "file": filename[:200],
                "sha256": sha,
                "rows": len(table.rows),
                "created": result.created,
                "existing": result.existing,
                "first_case": min(result.case_ids),
                "last_case": max(result.case_ids),
            },
        )
    return result
