"""The monthly assessment report (page, Excel, PDF): its numbers are the indicators computed here from the same
day rows, its rank is among the unit's peers, its files open and keep hostile text inert, only the unit's
people and its district command read it, and every download is one audit event."""

from __future__ import annotations

import base64
import codecs
import datetime
import io
import re
import zlib
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.assessment.indicators import RATES, unit_figures
from linli.assessment.reports import month_end, month_report, peer_ids
from linli.cases import actions, sweep
from linli.cases.models import Case
from linli.cases.tests.conftest import submit
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db
HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture
def month_cases(world: Any, people: dict[str, Any]) -> dict[str, Case]:
    """Street A: one case handled and rated satisfied, one left overdue (with a hostile title); street B: one
    rated unsatisfied. All this month."""
    u, d = world.units, people["dispatcher"]
    good = actions.dispatch_case(d, submit(world, people["resident"]), unit=u["street_a"])
    good = actions.accept(d, good)
    good = actions.contact(d, good, note="已电话联系")
    good = actions.resolve(d, good, answer="已处理")
    good = actions.rate(people["resident"], good, rating="satisfied", resolved=True)
    late = submit(world, people["resident"], text="楼下路灯不亮已经很久了，请尽快修理", title=HOSTILE)
    late = actions.dispatch_case(d, late, unit=u["street_a"])
    late = Case.objects.get(pk=late.pk)
    assert late.handle_due is not None
    sweep.run(late.handle_due + datetime.timedelta(seconds=1))
    b = world.outsiders[Role.STREET_DISPATCHER]
    other = submit(
        world, people["resident"], text="小区绿化带杂草丛生无人修剪", place=world.places["110101002001001E01B01"]
    )
    other = actions.dispatch_case(b, other, unit=u["street_b"])
    other = Case.objects.get(pk=other.pk)
    other = actions.accept(b, other)
    other = actions.resolve(b, other, answer="已修剪")
    other = actions.rate(people["resident"], other, rating="unsatisfied", resolved=False)
    return {"good": good, "late": Case.objects.get(pk=late.pk), "other": other}


def _month() -> Any:
    return timezone.localdate().replace(day=1)


def _url(unit: Any, suffix: str = "") -> str:
    return f"/assessment/reports/{unit.pk}/{_month():%Y-%m}/{suffix}"


def test_the_report_holds_the_indicators_computed_here(
    world: Any, people: dict[str, Any], month_cases: dict[str, Case]
) -> None:
    street = world.units["street_a"]
    month, end = _month(), month_end(_month())
    expected = unit_figures([street.pk], month, end)[street.pk]
    report = month_report(people["dispatcher"], street, month)
    assert expected.counts["cases"] == 2 and expected.counts["overdue"] == 1
    for key, *_rest in RATES:
        mine, theirs = report.figures.rate(key), expected.rate(key)
        assert (mine.numerator, mine.denominator, mine.value) == (theirs.numerator, theirs.denominator, theirs.value)
    assert report.composite == pytest.approx(expected.composite)
    assert sorted(peer_ids(street)) == sorted([street.pk, world.units["street_b"].pk])  # not 丙街道 (other district)
    assert report.rank == 1 and report.peers == 2  # street B's only case was rated unsatisfied
    assert month_report(people["district"], world.units["street_b"], month).rank == 2
    assert [c.pk for c in report.overdue_cases] == [month_cases["late"].pk] and report.overdue_seen == 1
    assert (report.counts["overdue"], report.counts["returned"], report.counts["reopened"]) == (1, 0, 0)
    assert [p.month for p in report.trend][-1] == month and len(report.trend) == 6
    assert sum(p.figures.volume for p in report.trend) == 2
    assert sum(row.cases for row in report.classes) == 2
    # the overdue list goes through the reader's case scope: department A's handler sees none of them
    assert month_report(people["handler"], street, month).overdue_cases == []


def test_page_and_excel_show_the_same_numbers(
    client: Any, world: Any, people: dict[str, Any], month_cases: dict[str, Case]
) -> None:
    street = world.units["street_a"]
    expected = unit_figures([street.pk], _month(), month_end(_month()))[street.pk]
    client.force_login(people["dispatcher"])
    page = client.get(_url(street))
    assert page.status_code == 200
    html = page.content.decode()
    assert street.name in html and month_cases["late"].number in html
    assert "&#x27;/C calc&#x27;" in html or "&#x27; /C calc&#x27;" in html  # escaped on the page
    assert 'id="download-xlsx"' in html and 'id="download-pdf"' in html
    response = client.get(_url(street, "report.xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 6
    rates = list(book.worksheets[1].iter_rows(min_row=4, values_only=True))
    for (key, *_rest), row in zip(RATES, rates, strict=False):
        rate = expected.rate(key)
        assert row[1] == (None if rate.value is None else round(rate.value, 4)), key
        assert (float(row[2]), float(row[3])) == (rate.numerator, rate.denominator), key
    overdue = list(book.worksheets[5].iter_rows(min_row=4, values_only=True))
    assert overdue[0] == (month_cases["late"].number, "'" + HOSTILE)  # quoted: a spreadsheet shows it as text
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED, target_id=str(street.pk)).count() == 1


def _pdf_text(data: bytes) -> str:
    """The text drawn in a reportlab PDF: its content streams (ASCII85 + Flate) decoded, its string operands
    read as UTF-16 (the CID font's UniGB-UCS2-H encoding)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = raw.strip()
        try:
            content = zlib.decompress(base64.a85decode(body[:-2] if body.endswith(b"~>") else body))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\((.*?)(?<!\\)\) Tj", content, re.S):
            text = codecs.escape_decode(literal.replace(rb"\(", b"(").replace(rb"\)", b")"))[0]
            out.append(text.decode("utf-16-be", errors="replace") if len(text) % 2 == 0 else text.decode("latin-1"))
    return "".join(out)


def test_pdf_opens_and_holds_the_unit(
    client: Any, world: Any, people: dict[str, Any], month_cases: dict[str, Case]
) -> None:
    street = world.units["street_a"]
    client.force_login(people["district"])
    response = client.get(_url(street, "report.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") and len(data) > 5000
    assert len(re.findall(rb"/Type /Page\b", data)) >= 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4
    text = _pdf_text(data)
    assert street.name in text.replace(" ", "") and month_cases["late"].number in text.replace(" ", "")
    assert "calc" in text
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.REPORT_EXPORTED)
    assert event.actor == people["district"] and event.data == {"month": f"{_month():%Y-%m}", "format": "pdf"}


def test_who_reads_which_report(client: Any, world: Any, people: dict[str, Any]) -> None:
    u = world.units
    allowed = [
        (people["dispatcher"], u["street_a"]),
        (people["district"], u["street_a"]),
        (people["district"], u["dept_b"]),
        (people["handler"], u["dept_a"]),
        (world.outsiders[Role.DEPARTMENT_HANDLER], u["dept_b"]),
        (world.admin, u["street_b"]),
    ]
    refused = [
        (people["dispatcher"], u["dept_a"]),
        (people["dispatcher"], u["street_b"]),
        (people["handler"], u["street_a"]),
        (people["handler"], u["dept_b"]),
        (world.outsiders[Role.STREET_DISPATCHER], u["street_a"]),
        (world.outsiders[Role.DISTRICT_COMMAND], u["street_a"]),
        (world.outsiders[Role.DISTRICT_COMMAND], u["dept_a"]),
        (people["secretary"], u["street_a"]),
        (people["grid"], u["street_a"]),
        (people["resident"], u["street_a"]),
        (world.users[Role.AUDITOR], u["street_a"]),
        (people["district"], u["community_a"]),  # no report for a community committee
        (people["district"], u["street_x"]),
    ]
    for user, unit in allowed:
        client.force_login(user)
        assert client.get(_url(unit)).status_code == 200, (user, unit)
    for user, unit in refused:
        client.force_login(user)
        for suffix in ("", "report.xlsx", "report.pdf"):
            assert client.get(_url(unit, suffix)).status_code == 404, (user, unit, suffix)
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORTED).exists()
    client.force_login(people["dispatcher"])
    assert client.get(f"/assessment/reports/{u['street_a'].pk}/2026-13/").status_code == 404
    assert client.get(f"/assessment/reports/{u['street_a'].pk}/latest/").status_code == 404
    index = client.get("/assessment/reports/")
    assert index.status_code == 200 and u["street_a"].name in index.content.decode()
    assert u["street_b"].name not in index.content.decode()
    client.force_login(people["district"])
    listed = client.get("/assessment/reports/").content.decode()
    assert all(u[k].name in listed for k in ("street_a", "street_b", "dept_a", "dept_b"))
    assert u["street_x"].name not in listed
    client.force_login(people["resident"])
    assert client.get("/assessment/reports/").status_code == 403
    client.logout()
    assert client.get(_url(u["street_a"])).status_code == 302
