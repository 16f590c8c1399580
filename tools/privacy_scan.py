"""A privacy scan of a whole Linli database: every cell of every table, read through the database's own
catalogue (not the Django models, so a column no model declares, a leftover table or a third-party app's
table is read too), searched for personal numbers stored in the clear:

- mainland resident identity numbers: the GB 11643 shape (region, a plausible birth date, sequence) whose
  check digit is right, not adjacent to other digits;
- mainland mobile numbers: 1[3-9] and nine more digits (optionally +86 before, single spaces or dashes
  inside as people type them), not adjacent to other digits.

    .venv/bin/python tools/privacy_scan.py [--database-url URL]

The default database is DATABASE_URL, else the demo's SQLite file var/linli.sqlite3. Exits 1 listing
table.column.rowid of every hit, the value masked (the scan must not print what it looks for), 0 when clean;
prints how many cells it read either way.

What is stored encrypted or digested is not personal data in the clear, but its text can contain digit runs
by chance (a 64-hex digest holds an 11-digit run starting 13–19 every few hundred values), so such tokens are
cut out of each cell's text before the search, and the rest of the cell is still searched. No column is
skipped by its name or type:

- Fernet tokens (linli.core.crypto) are urlsafe base64 of version byte 0x80, an 8-byte timestamp, a 16-byte
  IV, whole 16-byte cipher blocks and a 32-byte HMAC, so they start "gAAAAA"; a run is cut only if it
  decodes to exactly that layout, so a number glued to a token is not hidden by it;
- JSON's \\uXXXX escapes are read as their characters first (an escape's last hex digits would otherwise
  touch a number that follows, and hide it);
- hex runs of 32 characters or more (keyed digests are 64, hash-chain links 64, TOTP keys 40, UUIDs 32), cut
  only when bounded by non-alphanumerics, so they are whole tokens and not a word's tail.

Standard library only for SQLite; psycopg (a Linli dependency) for PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

DEFAULT_SQLITE = Path(__file__).resolve().parent.parent / "var" / "linli.sqlite3"
FETCH = 5000

FERNET_RE = re.compile(r"gAAAAA[A-Za-z0-9_\-]{60,}={0,2}")
HEX_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,}(?![0-9A-Za-z])")
ID_RE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"
)
MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")
UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Hit:
    table: str
    column: str
    rowid: str
    kind: str  # "id_number" or "mobile"
    masked: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}.{self.rowid}: {self.kind} {self.masked}"


@dataclass
class Result:
    tables: int = 0
    columns: int = 0
    cells: int = 0
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.hits


def id_check_digit(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _is_fernet(token: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return False
    return raw[:1] == b"\x80" and len(raw) >= 73 and (len(raw) - 57) % 16 == 0


def unescaped(text: str) -> str:
    """JSON's \\uXXXX escapes read as the characters they stand for: JSON stored with ensure_ascii writes
    "拨打13912345678" as "\\u62e8\\u625313912345678", where the escape's last hex digits would hide the number."""
    return UNICODE_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text) if "\\u" in text else text


def without_tokens(text: str) -> str:
    """The text with ciphertexts and digests replaced by a space (so their neighbours stay apart)."""
    if "gAAAAA" in text:
        text = FERNET_RE.sub(lambda m: " " if _is_fernet(m.group()) else m.group(), text)
    return HEX_RE.sub(" ", text)


def mask(value: str) -> str:
    digits = re.sub(r"[^0-9Xx]", "", value)
    return digits[:3] + "*" * max(len(digits) - 5, 1) + digits[-2:]


def find(text: str) -> list[tuple[str, str]]:
    """The clear identity and mobile numbers in a text, as (kind, masked value)."""
    if not text or not any(c.isdigit() for c in text):
        return []
    text = without_tokens(unescaped(text))
    found: list[tuple[str, str]] = []
    for match in ID_RE.finditer(text):
        number = match.group().upper()
        if id_check_digit(number[:17]) == number[17]:
            found.append(("id_number", mask(number)))
    for match in MOBILE_RE.finditer(text):
        found.append(("mobile", mask(match.group())))
    return found


def as_text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------------------------------
# The catalogue: tables, their columns and what names a row, per database.


@dataclass
class Table:
    name: str  # as the output names it (schema-qualified on PostgreSQL outside "public")
    quoted: str  # as SQL names it
    columns: list[str]
    row_key: list[str]  # expressions naming a row: rowid, the primary key's columns, or ctid


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_tables(conn: Any) -> Iterator[Table]:
    cursor = conn.cursor()
    names = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name in names:
        info = list(cursor.execute(f"PRAGMA table_info({_quote(name)})"))
        columns = [r[1] for r in info]
        keys = [_quote(r[1]) for r in sorted(info, key=lambda r: r[5]) if r[5]]
        try:
            cursor.execute(f"SELECT rowid FROM {_quote(name)} LIMIT 0")  # noqa: S608 - quoted catalogue name
            row_key = ["rowid"]
        except sqlite3.DatabaseError:  # a WITHOUT ROWID table, or a virtual one
            row_key = keys
        yield Table(name, _quote(name), columns, row_key)


def postgres_tables(conn: Any) -> Iterator[Table]:
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
            ORDER BY n.nspname, c.relname
            """
        )
        relations = cursor.fetchall()
        for oid, schema, name in relations:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
                "ORDER BY attnum",
                (oid,),
            )
            columns = [r[0] for r in cursor.fetchall()]
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s AND i.indisprimary ORDER BY a.attnum",
                (oid,),
            )
            keys = [_quote(r[0]) for r in cursor.fetchall()]
            shown = name if schema == "public" else f"{schema}.{name}"
            yield Table(shown, f"{_quote(schema)}.{_quote(name)}", columns, keys or ["ctid"])


def _rows(conn: Any, vendor: str, table: Table) -> Iterator[tuple[Any, ...]]:
    keys = table.row_key or ["NULL"]
    select = ", ".join([*keys, *(_quote(c) for c in table.columns)])
    sql = f"SELECT {select} FROM {table.quoted}"  # noqa: S608 - names come from the catalogue, quoted
    if vendor == "postgresql":
        # A named (server-side) cursor streams a large table instead of loading it whole; it lives in a
        # transaction (a savepoint when the caller already has one open, as a test's connection does).
        with conn.transaction(), conn.cursor(name=f"privacy_scan_{id(table)}") as cursor:
            cursor.itersize = FETCH
            cursor.execute(sql)
            yield from cursor
    else:
        cursor = conn.cursor()
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            yield from batch


def scan(conn: Any, vendor: str) -> Result:
    """Read every cell of every table of an open DB-API connection (`vendor`: "sqlite" or "postgresql")."""
    started = time.monotonic()
    result = Result()
    tables = list(postgres_tables(conn) if vendor == "postgresql" else sqlite_tables(conn))
    for table in tables:
        result.tables += 1
        result.columns += len(table.columns)
        width = len(table.row_key) or 1
        for row in _rows(conn, vendor, table):
            rowid = "/".join(str(v) for v in row[:width])
            for column, value in zip(table.columns, row[width:], strict=True):
                if value is None:
                    continue
                result.cells += 1
                for kind, masked in find(as_text(value)):
                    result.hits.append(Hit(table.name, column, rowid, kind, masked))
    result.seconds = time.monotonic() - started
    return result


def connect(url: str) -> tuple[Any, str]:
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        path = unquote(parsed.path)
        path = path[1:]  # as dj-database-url reads it: sqlite:////abs/path, sqlite:///relative/path
        if not path or not Path(path).exists():
            raise SystemExit(f"no SQLite database at {path or url}")
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True), "sqlite"
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        import psycopg

        return psycopg.connect(url), "postgresql"
    raise SystemExit(f"unsupported database URL scheme: {parsed.scheme}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}",
        help="the database to scan (default: DATABASE_URL, else var/linli.sqlite3)",
    )
    args = parser.parse_args(argv)
    conn, vendor = connect(args.database_url)
    try:
        result = scan(conn, vendor)
    finally:
        conn.close()
    for hit in result.hits:
        print(f"CLEAR {hit}")
    print(
        f"Scanned {result.cells} cells in {result.columns} columns of {result.tables} tables "
        f"in {result.seconds:.1f} s: {len(result.hits)} personal numbers in the clear."
    )
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main())
