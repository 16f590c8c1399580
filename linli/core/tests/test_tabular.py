from __future__ import annotations

import io

import pytest

from linli.core.tabular import ImportRejected, read_table, write_csv, write_xlsx


def test_csv_in_gb18030_is_read():
    data = "code,name\n1,东城区\n".encode("gb18030")
    table = read_table(io.BytesIO(data), "x.csv")
    assert table.rows == [(2, {"code": "1", "name": "东城区"})]


def test_xlsx_round_trip_keeps_codes_as_text():
    data = write_xlsx(["code", "name"], [[110101001000, "东华门街道"]])
    table = read_table(io.BytesIO(data), "x.xlsx")
    assert table.rows[0][1]["code"] == "110101001000"


def test_csv_written_with_bom_for_excel():
    assert write_csv(["a"], [["中"]]).startswith("\ufeff".encode())


def test_unknown_type_and_broken_excel_are_rejected_clearly():
    with pytest.raises(ImportRejected):
        read_table(io.BytesIO(b"x"), "x.pdf")
    with pytest.raises(ImportRejected):
        read_table(io.BytesIO(b"not a zip"), "x.xlsx")


def test_blank_rows_are_skipped_and_numbers_kept():
    table = read_table(io.BytesIO(b"code\n1\n\n3\n"), "x.csv")
    assert [n for n, _ in table.rows] == [2, 4]
