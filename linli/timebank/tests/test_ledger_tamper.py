"""A row altered in the database is caught by `manage.py ledger_check`, naming the first broken transfer or
account, and by tools/ledger_probe.py — kept outside the project, importing nothing from it — run as a
subprocess against the test database (a file copy of SQLite's in-memory one, or PostgreSQL itself): the two
agree on a clean ledger and on every altered one."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from linli.timebank.actions import award_points, credit_service_hours, reverse_transfer
from linli.timebank.actions_exchange import record_exchange

ROOT = Path(__file__).resolve().parents[3]
PROBE = ROOT / "tools" / "ledger_probe.py"


def probe(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        target = str(tmp_path / "ledger.sqlite3")
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        connection.connection.backup(copy)
        copy.close()
    else:
        auth = quote(settings["USER"] or "") + (f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else "")
        target = f"postgresql://{auth}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    command = [sys.executable, str(PROBE), target]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603 - our probe


def check() -> str | None:
    try:
        call_command("ledger_check")
    except CommandError as exc:
        return str(exc)
    return None


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def make_ledger(bank: Any) -> dict[str, Any]:
    t1 = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=120)
    t2 = credit_service_hours(bank.worker, community=bank.a, person=bank.bob, minutes=60)
    x = record_exchange(bank.worker, giver=bank.ann, receiver=bank.bob, minutes=30, memo="买菜")
    t4 = award_points(bank.worker, community=bank.a, person=bank.cat, points=15)
    t5 = reverse_transfer(bank.worker, t4, "记错了人")
    last = credit_service_hours(bank.worker, community=bank.a, person=bank.cat, minutes=10)
    return {"t1": t1, "t2": t2, "x": x.transfer, "t4": t4, "t5": t5, "last": last}


def tamper(case: str, t: dict[str, Any]) -> str:
    """Alter the rows; return the start of the problem that must come first."""
    t2 = t["t2"]
    legs = list(t2.entries.order_by("pk").values_list("pk", "account_id"))
    if case == "amount":  # both legs, so that the sum stays zero: only the hash can tell
        sql("UPDATE timebank_entry SET amount = amount * 2 WHERE transfer_id = %s", t2.pk)
        return f"transfer #{t2.pk}: its content does not match its hash"
    if case == "amount_one_leg":
        sql("UPDATE timebank_entry SET amount = amount + 7 WHERE id = %s", legs[0][0])
        return f"transfer #{t2.pk}: its legs sum to 7"
    if case == "account":  # the credit lands on another person's account
        other = t["t1"].entries.exclude(account_id__in=[a for _, a in legs]).values_list("account_id", flat=True)[0]
        sql("UPDATE timebank_entry SET account_id = %s WHERE id = %s", other, legs[1][0])
        return f"transfer #{t2.pk}: its content does not match its hash"
    if case == "kind":
        sql("UPDATE timebank_transfer SET kind = 'award' WHERE id = %s", t2.pk)
        return f"transfer #{t2.pk}: its content does not match its hash"
    if case == "deleted":
        sql("DELETE FROM timebank_entry WHERE transfer_id = %s", t2.pk)
        sql("DELETE FROM timebank_transfer WHERE id = %s", t2.pk)
        return f"transfer #{t['x'].pk}: the chain is broken before it, after #{t['t1'].pk}"
    if case == "deleted_last":
        sql("DELETE FROM timebank_entry WHERE transfer_id = %s", t["last"].pk)
        sql("DELETE FROM timebank_transfer WHERE id = %s", t["last"].pk)
        return "the chain's head does not match the last transfer"
    if case == "balance":
        account = t2.entries.order_by("pk").last().account_id
        sql("UPDATE timebank_account SET balance = balance + 60 WHERE id = %s", account)
        return f"account #{account}: balance"
    raise AssertionError(case)


@pytest.mark.django_db(transaction=True)
def test_clean_ledger_passes_both(bank: Any, tmp_path: Path) -> None:
    make_ledger(bank)
    assert check() is None
    out = probe(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("OK: 6 transfers")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", ["amount", "amount_one_leg", "account", "kind", "deleted", "deleted_last", "balance"])
def test_altered_row_is_caught_by_both(bank: Any, tmp_path: Path, case: str) -> None:
    expected = tamper(case, make_ledger(bank))
    found = check()
    assert found is not None and found.startswith(expected), found
    out = probe(tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.splitlines()[0] == found
