"""Reading and writing the tables people keep in Excel: CSV or .xlsx in, CSV or .xlsx out.

Imports are all-or-nothing: a reader yields every row with its number as the person sees it in Excel
(the header is row 1), validators collect every problem, and only a file without problems is written.

Exports are inert in a spreadsheet: every text cell starting with = + - @ tab or CR is written with a
leading single quote (`neutralise_cell`), in CSV and .xlsx alike; numbers stay numbers. Re-importing an
exported file removes exactly that quote again (`restore_cell`), so "=1+1" exported as "'=1+1" comes back
as "=1+1", and a stored "'=1+1" (exported as "''=1+1") comes back as "'=1+1". A quote a person types in
front of such text in their own file is removed the same way. A name that then holds markup is still
refused by the import's own checks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "-",
            "message": self.message,
        }


class ImportRejected(Exception):
    """The file had problems; nothing was written. `errors` lists every one of them."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__("; ".join(str(e) for e in self.errors[:20]))

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


MAX_ROWS = 200_000


def read_table(fileobj: IO[bytes], filename: str) -> Table:
    name = filename.lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return _read_xlsx(fileobj)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(fileobj)
    raise ImportRejected([RowError(0, "", _("Unsupported file type: use .xlsx or .csv"))])


# A spreadsheet reads a cell starting with one of these as a formula (=, +, -, @) or, after a tab or carriage
# return, as a formula again once the whitespace is trimmed: the OWASP "CSV injection" list.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _quoted_trigger(text: str) -> bool:
    return text.startswith(QUOTE) and text.lstrip(QUOTE).startswith(FORMULA_TRIGGERS)


def neutralise_cell(value: Any) -> Any:
    """What an export writes for one cell: text that a spreadsheet would run as a formula gets a leading
    single quote, so that Excel, WPS and LibreOffice show it as text. Numbers, dates and None pass
    untouched. Text that already starts with quotes before a trigger gets one more, so that
    `restore_cell` undoes exactly one and a round trip gives back the stored text whatever it was."""
    if isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or _quoted_trigger(value)):
        return QUOTE + value
    return value


def restore_cell(text: str) -> str:
    """The inverse of `neutralise_cell` on import: a re-imported export keeps its text as stored."""
    return text[1:] if _quoted_trigger(text) else text


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores a typed-in code as a number: 110101001000 must not become "110101001000.0".
        return str(int(value))
    return restore_cell(str(value).strip())


def _read_csv(fileobj: IO[bytes]) -> Table:
    raw = fileobj.read()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GB18030
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([RowError(0, "", _("The file is neither UTF-8 nor GB18030 text"))])
    reader = csv.reader(io.StringIO(text))
    return _build(reader)


def _read_xlsx(fileobj: IO[bytes]) -> Table:
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportRejected([RowError(0, "", _("The Excel file could not be read: %s") % exc)]) from exc
    sheet = workbook.worksheets[0]
    return _build(sheet.iter_rows(values_only=True))


def _build(rows: Iterable[Sequence[Any]]) -> Table:
    iterator: Iterator[Sequence[Any]] = iter(rows)
    try:
        header = [_clean(c) for c in next(iterator)]
    except StopIteration:
        raise ImportRejected([RowError(1, "", _("The file is empty"))]) from None
    table = Table(columns=header)
    for number, values in enumerate(iterator, start=2):
        cells = [_clean(c) for c in values]
        if not any(cells):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise ImportRejected([RowError(number, "", _("Too many rows (at most %d)") % MAX_ROWS)])
        table.rows.append((number, {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header)}))
    return table


def row_checker(number: int, errors: list[RowError]) -> Callable[..., Any]:
    """Runs a validator for one cell and files its messages under the row instead of raising, so that
    one pass over a file reports every problem."""

    def attempt(column: str, check: Callable[..., Any], *args: Any) -> Any:
        try:
            return check(*args)
        except ValidationError as exc:
            errors.extend(RowError(number, column, m) for m in exc.messages)
            return None

    return attempt


def require_columns(table: Table, required: Iterable[str]) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ImportRejected([RowError(1, c, _("Required column is missing")) for c in missing])


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else neutralise_cell(v) for v in row])
    # BOM so that Excel on Windows opens Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(columns))
    for row in rows:
        # The quote matters here too: openpyxl itself stores any text starting with "=" as a formula.
        sheet.append(["" if v is None else neutralise_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
