#!/usr/bin/env python3
"""Check Linli's time bank ledger from outside the project (docs/timebank-ledger.md is its only source).

    python tools/ledger_probe.py path/to/linli.sqlite3
    python tools/ledger_probe.py postgres://user@host:5432/dbname     (needs psycopg)

Exits 0 printing "OK: N transfers", or 1 printing every problem found, the first broken row first. Imports
nothing from Linli: standard library (sqlite3) plus psycopg for PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def connect(target: str) -> Any:
    if target.startswith(("postgres://", "postgresql://")):
        import psycopg

        return psycopg.connect(target)
    return sqlite3.connect(f"file:{target}?mode=ro", uri=True)


def as_utc(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite: naive UTC text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def digest(previous: str, kind: str, ref: str, reverses: int | None, at: datetime, legs: list[list[int]]) -> str:
    body = {
        "previous": previous,
        "kind": kind,
        "ref": ref,
        "reverses": reverses,
        "at": at.isoformat(timespec="microseconds"),
        "legs": sorted([int(a), int(n)] for a, n in legs),
    }
    return hashlib.sha256(json.dumps(body, separators=(",", ":"), sort_keys=True).encode()).hexdigest()


def problems(db: Any) -> list[str]:
    cur = db.cursor()
    found: list[str] = []
    legs: dict[int, list[list[int]]] = defaultdict(list)
    cur.execute("SELECT transfer_id, account_id, amount FROM timebank_entry ORDER BY transfer_id, id")
    for transfer_id, account_id, amount in cur.fetchall():
        legs[transfer_id].append([account_id, amount])
    cur.execute("SELECT id, kind, ref, reverses_id, created_at, previous_hash, hash FROM timebank_transfer ORDER BY id")
    previous, last, count = GENESIS, 0, 0
    for pk, kind, ref, reverses, at, previous_hash, hash_ in cur.fetchall():
        count += 1
        mine = legs.pop(pk, [])
        total = sum(n for _, n in mine)
        if total != 0:
            found.append(f"transfer #{pk}: its legs sum to {total}, not zero")
        if previous_hash != previous:
            after = f"after #{last}" if last else "at the start"
            found.append(f"transfer #{pk}: the chain is broken before it, {after} (a transfer was removed or altered)")
        if digest(previous_hash, kind, ref, reverses, as_utc(at), mine) != hash_:
            found.append(f"transfer #{pk}: its content does not match its hash (altered)")
        previous, last = hash_, pk
    for transfer_id in sorted(legs):
        found.append(f"entry of transfer #{transfer_id}: its transfer is missing")
    cur.execute("SELECT last_hash, count FROM timebank_ledgerhead WHERE id = 1")
    head = cur.fetchone()
    if head is not None and (head[0] != previous or head[1] != count):
        found.append("the chain's head does not match the last transfer (a transfer was removed or added by hand)")
    cur.execute("SELECT account_id, SUM(amount) FROM timebank_entry GROUP BY account_id")
    moved = {a: int(s or 0) for a, s in cur.fetchall()}
    cur.execute("SELECT id, balance FROM timebank_account ORDER BY id")
    for pk, balance in cur.fetchall():
        if balance != moved.get(pk, 0):
            found.append(f"account #{pk}: balance {balance} but its entries sum to {moved.get(pk, 0)}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    db = connect(argv[1])
    try:
        found = problems(db)
        if found:
            for line in found:
                print(line)
            return 1
        cur = db.cursor()
        cur.execute("SELECT COUNT(*) FROM timebank_transfer")
        print(f"OK: {cur.fetchone()[0]} transfers")
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
