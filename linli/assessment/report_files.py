"""The monthly report as files: Excel (one sheet per section) and PDF (A4, a table per section), both written
from the same `sections`, so the page, the workbook and the PDF cannot disagree.

Every text cell of the workbook goes through linli.core.tabular.neutralise_cell (a case title such as
"=cmd|' /C calc'!A0" stays text); every text in the PDF is escaped before reportlab's paragraph markup reads
it. The PDF prints Chinese with reportlab's built-in CID font STSong-Light: no font file to ship.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from linli.core.tabular import neutralise_cell

from .reports import MonthReport, number, percent
from .reverse import EXCHANGE_FORMULA, SURVEY_FORMULA

FONT = "STSong-Light"


@dataclass(frozen=True)
class Pct:
    """A rate 0–1 (or None): a percentage cell in Excel, "81.2%" in the PDF."""

    value: float | None

    def __str__(self) -> str:
        return percent(self.value)


@dataclass
class Section:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


def _composite_formula(report: MonthReport) -> str:
    w = report.figures.weights
    return _("%(a)s × response + %(b)s × resolution + %(c)s × satisfaction (weights of the rates present)") % {
        "a": w.response,
        "b": w.resolution,
        "c": w.satisfaction,
    }


def sections(report: MonthReport) -> list[Section]:
    c, rev = report.counts, report.reverse
    rank = (
        _("%(rank)d of %(n)d %(peers)s") % {"rank": report.rank, "n": report.peers, "peers": report.peer_label}
        if report.rank is not None
        else _("not ranked (no cases)")
    )
    summary = Section(
        "summary",
        _("Summary"),
        [_("Item"), _("Result")],
        [
            [_("Unit"), report.unit.name],
            [_("Month"), f"{report.month:%Y-%m} ({report.month:%m-%d} – {report.end:%m-%d})"],
            [_("Generated at"), date_format(report.generated_at, "Y-m-d H:i")],
            [_("Cases dispatched"), c["cases"]],
            [_("Composite score"), Pct(report.composite)],
            [_("Rank"), rank],
            [_("Overdue cases"), c["overdue"]],
            [_("Returned cases"), c["returned"]],
            [_("Reopened cases"), c["reopened"]],
            [_("Survey score (0–100)"), "—" if rev.survey_score is None else rev.survey_score],
            [_("Exchange satisfaction"), Pct(rev.satisfaction)],
        ],
    )
    rates = Section(
        "rates",
        _("Indicators"),
        [_("Indicator"), _("Result"), _("Numerator"), _("Denominator"), _("Formula")],
        [[str(r.label), Pct(r.value), number(r.numerator), number(r.denominator), str(r.formula)] for r in report.rates]
        + [[_("Composite score"), Pct(report.composite), "", "", _composite_formula(report)]],
        note=_("k (basically satisfied counts as) = %(k)s") % {"k": report.figures.weights.basic},
    )
    trend = Section(
        "trend",
        _("Last six months"),
        [
            _("Month"),
            _("Cases dispatched"),
            _("Response rate"),
            _("Resolution rate"),
            _("Satisfaction rate"),
            _("Composite score"),
        ],
        [
            [
                f"{p.month:%Y-%m}",
                p.figures.volume,
                Pct(p.figures.rate("response").value),
                Pct(p.figures.rate("resolution").value),
                Pct(p.figures.rate("satisfaction").value),
                Pct(p.figures.composite),
            ]
            for p in report.trend
        ],
    )
    classes = Section(
        "classes",
        _("Classes with most cases"),
        [_("Class"), _("Cases dispatched")],
        [[row.label, row.cases] for row in report.classes],
    )
    reverse = Section(
        "reverse",
        _("Reverse assessment"),
        [_("Measure"), _("Result"), _("Count"), _("Formula")],
        [
            [
                _("Survey score (0–100)"),
                "—" if rev.survey_score is None else rev.survey_score,
                rev.answers,
                str(SURVEY_FORMULA),
            ],
            [_("Exchange satisfaction"), Pct(rev.satisfaction), rev.rated, str(EXCHANGE_FORMULA)],
            [_("Satisfied"), rev.satisfied, "", ""],
            [_("Basically satisfied"), rev.basic, "", ""],
            [_("Unsatisfied"), rev.unsatisfied, "", ""],
        ],
    )
    more = report.overdue_seen - len(report.overdue_cases)
    overdue = Section(
        "overdue",
        _("Overdue cases of the month"),
        [_("Number"), _("Title")],
        [[case.number, case.title] for case in report.overdue_cases],
        note=_("… and %(n)d more") % {"n": more} if more > 0 else "",
    )
    return [summary, rates, trend, classes, reverse, overdue]


# --------------------------------------------------------------------------------------------------
# Excel


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, Pct):
        cell = WriteOnlyCell(sheet, value=None if value.value is None else round(value.value, 4))
        cell.number_format = "0.0%"
        return cell
    return WriteOnlyCell(sheet, value=neutralise_cell("" if value is None else value))


def report_xlsx(report: MonthReport) -> bytes:
    workbook = Workbook(write_only=True)
    for section in sections(report):
        sheet = workbook.create_sheet(title=section.title[:31])
        sheet.append([_xlsx_cell(sheet, report.title)])
        sheet.append([])
        sheet.append([_xlsx_cell(sheet, h) for h in section.header])
        for row in section.rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
        if section.note:
            sheet.append([_xlsx_cell(sheet, section.note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# PDF


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def report_pdf(report: MonthReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=14, leading=20, spaceAfter=4)
    sub = ParagraphStyle("sub", parent=body, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)

    def para(value: Any, style: ParagraphStyle = body) -> Any:
        return Paragraph(escape(_text(value)), style)  # user text never reaches reportlab's markup unescaped

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        author="Linli",
    )
    story: list[Any] = [
        para(report.title, head),
        para(
            _("Generated at %(at)s from the case timelines; nothing in it was typed.")
            % {"at": date_format(report.generated_at, "Y-m-d H:i")}
        ),
    ]
    for section in sections(report):
        story += [para(section.title, sub)]
        rows = [[para(h) for h in section.header]] + [[para(v) for v in row] for row in section.rows]
        if len(rows) == 1:
            rows.append([para(_("None")), *[para("") for _h in section.header[1:]]])
        widths = _widths(section, doc.width)
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        if section.note:
            story.append(para(section.note))
        story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()


def _widths(section: Section, total: float) -> list[float]:
    """Formulas and titles take the room; numbers are narrow."""
    shares = {
        "summary": [0.4, 0.6],
        "rates": [0.17, 0.1, 0.1, 0.1, 0.53],
        "trend": [0.15, 0.17, 0.17, 0.17, 0.17, 0.17],
        "classes": [0.7, 0.3],
        "reverse": [0.22, 0.13, 0.1, 0.55],
        "overdue": [0.32, 0.68],
    }[section.key]
    return [total * s for s in shares]
