"""A person's annual statement and certificate of service, every figure read from the ledger's entries.

The statement lists each entry of the person's two accounts (minutes, points) in the year, with the opening
balance (every entry before the year) and the closing one (opening + the year's lines); the totals by source
are sums of those lines, a reversal counting under the source of what it reverses. The certificate states
the service hours of the year (service credits less their reversals) with a verification code: an HMAC of
person, year and minutes keyed by the project's secret, which the public verify page recomputes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.tabular import write_xlsx

from .choices import Currency, TransferKind
from .models import Entry

FONT = "STSong-Light"
# Sources a line counts under (its transfer's kind, or the reversed transfer's for a reversal).
EARNED, GIVEN, RECEIVED, AWARDED, REDEEMED = "service", "given", "received", "awarded", "redeemed"


@dataclass(frozen=True)
class Line:
    at: datetime
    currency: str
    kind: str
    source: str
    amount: int
    memo: str
    transfer_id: int


@dataclass
class Statement:
    person: Any
    year: int
    opening: dict[str, int] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def total(self, source: str) -> int:
        return sum(line.amount for line in self.lines if line.source == source)

    def closing(self, currency: str) -> int:
        return self.opening.get(currency, 0) + sum(x.amount for x in self.lines if x.currency == currency)

    @property
    def service_minutes(self) -> int:
        return self.total(EARNED)

    @property
    def figures(self) -> dict[str, int]:
        return {
            "opening_minutes": self.opening.get(Currency.MINUTES, 0),
            "closing_minutes": self.closing(Currency.MINUTES),
            "service": self.total(EARNED),
            "given": self.total(GIVEN),
            "received": -self.total(RECEIVED),
            "opening_points": self.opening.get(Currency.POINTS, 0),
            "closing_points": self.closing(Currency.POINTS),
            "awarded": self.total(AWARDED),
            "redeemed": -self.total(REDEEMED),
        }


def _source(kind: str, amount: int) -> str:
    if kind == TransferKind.SERVICE:
        return EARNED
    if kind == TransferKind.MUTUAL_AID:
        return GIVEN if amount > 0 else RECEIVED
    if kind == TransferKind.AWARD:
        return AWARDED
    return REDEEMED


def _bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(datetime(year, 1, 1), time.min), zone)
    end = timezone.make_aware(datetime.combine(datetime(year + 1, 1, 1), time.min), zone)
    return start, end


def statement(person: Any, year: int) -> Statement:
    """Three queries whatever the number of lines: the opening sums and the year's entries with their
    transfers (and the kind of what a reversal reverses)."""
    start, end = _bounds(year)
    mine = Entry.objects.filter(account__person=person, account__kind="person")
    result = Statement(person=person, year=year)
    for currency, total in (
        mine.filter(transfer__created_at__lt=start).values_list("account__currency").annotate(s=Sum("amount"))
    ):
        result.opening[currency] = total or 0
    rows = (
        mine.filter(transfer__created_at__gte=start, transfer__created_at__lt=end)
        .order_by("transfer__created_at", "pk")
        .values_list(
            "transfer__created_at",
            "account__currency",
            "transfer__kind",
            "transfer__reverses__kind",
            "amount",
            "transfer__memo",
            "transfer_id",
        )
    )
    for at, currency, kind, reversed_kind, amount, memo, transfer_id in rows:
        # A reversal undoes its original under the original's source (a reversed exchange given: -given).
        source = _source(reversed_kind, -amount) if kind == TransferKind.REVERSAL else _source(kind, amount)
        result.lines.append(Line(at, currency, kind, source, amount, memo, transfer_id))
    return result


def hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


# ---- the certificate's code


def certificate_code(person_id: int, year: int, minutes: int) -> str:
    message = f"linli-timebank-certificate:{person_id}:{year}:{minutes}".encode()
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20]
    return f"{person_id}-{year}-{minutes}-{mac}"


def read_code(code: str) -> tuple[int, int, int] | None:
    """(person, year, minutes) of a genuine code, None for anything else (altered, made up, malformed)."""
    parts = code.split("-")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]) or len(parts[0]) > 12 or len(parts[1]) != 4:
        return None
    person_id, year, minutes = (int(p) for p in parts[:3])
    if not hmac.compare_digest(certificate_code(person_id, year, minutes), code):
        return None
    return person_id, year, minutes


# ---- files


def statement_xlsx(st: Statement, name: str) -> bytes:
    columns = [_("Date"), _("Unit"), _("Source"), _("Amount"), _("Memo"), _("Transfer")]
    head = [
        (_("Person"), name, "", "", "", ""),
        (_("Year"), st.year, "", "", "", ""),
        *((label, value, "", "", "", "") for label, value in figure_rows(st)),
        ("", "", "", "", "", ""),
        tuple(columns),
    ]
    lines = [
        (
            timezone.localtime(x.at).strftime("%Y-%m-%d %H:%M"),
            str(Currency(x.currency).label),
            source_label(x.source),
            x.amount,
            x.memo,
            x.transfer_id,
        )
        for x in st.lines
    ]
    return write_xlsx([_("Annual statement"), "", "", "", "", ""], [*head, *lines], title=_("Statement"))


def source_label(source: str) -> str:
    return {
        EARNED: _("Service hours"),
        GIVEN: _("Help given"),
        RECEIVED: _("Help received"),
        AWARDED: _("Points awarded"),
        REDEEMED: _("Points redeemed"),
    }[source]


def figure_rows(st: Statement) -> list[tuple[str, int]]:
    f = st.figures
    return [
        (_("Minutes at the start of the year"), f["opening_minutes"]),
        (_("Minutes of service recorded"), f["service"]),
        (_("Minutes given in mutual aid"), f["given"]),
        (_("Minutes received in mutual aid"), f["received"]),
        (_("Minutes at the end of the year"), f["closing_minutes"]),
        (_("Points at the start of the year"), f["opening_points"]),
        (_("Points awarded"), f["awarded"]),
        (_("Points redeemed"), f["redeemed"]),
        (_("Points at the end of the year"), f["closing_points"]),
    ]


def certificate_pdf(*, name: str, community: str, year: int, minutes: int, code: str, verify_url: str) -> bytes:
    """One A4 page drawn with canvas.drawString: stored text is drawn as text, never parsed as markup."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setTitle(_("Certificate of service"))
    page.setFont(FONT, 26)
    page.drawCentredString(width / 2, height - 50 * mm, _("Certificate of service"))
    page.setFont(FONT, 14)
    y = height - 80 * mm
    for text in (
        _("This certifies that %(name)s") % {"name": name},
        _("of %(community)s") % {"community": community},
        _("gave %(hours)s hours of volunteer service in %(year)s.") % {"hours": hours(minutes), "year": year},
    ):
        page.drawCentredString(width / 2, y, text)
        y -= 12 * mm
    page.setFont(FONT, 10)
    page.drawString(25 * mm, 40 * mm, _("Verification code: %(code)s") % {"code": code})
    page.drawString(25 * mm, 33 * mm, _("Check it at %(url)s") % {"url": verify_url})
    page.drawString(25 * mm, 26 * mm, _("Issued %(date)s") % {"date": timezone.localdate().isoformat()})
    page.showPage()
    page.save()
    return buffer.getvalue()
