"""The privacy scan (tools/privacy_scan.py) on the built demo (called by linli/core/tests/test_demo.py, whose
one build of the city serves both): the city, its people and its history hold no identity number or mobile
in the clear, though every table is read; a number planted in clear text, in JSON or beside a ciphertext is
found, and the scan prints it masked. Also: the history's requests are linked to the registered people."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from django.db import connection

from linli.cases.models import Case
from linli.core.audit import record
from linli.core.choices import AuditAction
from linli.core.crypto import digest, encrypt
from linli.people.models import Person

from .conftest import id_number

TOOL = Path(__file__).resolve().parents[3] / "tools" / "privacy_scan.py"


def load_tool() -> Any:
    spec = importlib.util.spec_from_file_location("privacy_scan", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["privacy_scan"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def scan(tool: Any) -> Any:
    connection.ensure_connection()
    return tool.scan(connection.connection, connection.vendor)


def test_the_finder_reads_numbers_as_people_write_them() -> None:
    tool = load_tool()
    valid = id_number("110105", "19800101", "123")
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    found = tool.find(f"身份证{valid}，电话 139 1234 5678，座机010-65123456，错号{wrong}，订单号213912345678")
    assert [kind for kind, _masked in found] == ["id_number", "mobile"]
    assert all(valid not in masked and "12345678" not in masked for _kind, masked in found)
    token, hexed = encrypt("13912345678"), digest("13912345678")
    assert tool.find(f"{token} {hexed} 13800000000000") == []
    # A number glued to a ciphertext is not hidden by it: the token no longer decodes as one.
    assert tool.find(f"{token}13912345678")
    assert tool.find('{"phone": "+86 13912345678"}') and tool.find("+8613912345678")
    assert tool.find(json.dumps({"said": "请拨打13912345678"}))  # "\u6253" before the number: read as 打


def check_built_demo() -> None:
    """Called by linli/core/tests/test_demo.py on the demo it builds (one build of the city serves both):
    the history's reporters include registered people, the demo resident's own requests link to her, no
    table holds a number in the clear, and numbers planted in clear text, in JSON or beside a ciphertext
    are found and printed masked."""
    assert Case.objects.filter(reporter_person__isnull=False).exists()
    mine = Case.objects.filter(reporter__username="resident")
    assert mine.exists() and not mine.filter(reporter_person__isnull=True).exists()

    tool = load_tool()
    result = scan(tool)
    assert result.clean, [str(hit) for hit in result.hits]
    assert result.tables > 50 and result.cells > 100_000

    # Planted: a phone in a request's answer, an identity number in a person's note, a phone in audit JSON.
    case = Case.objects.order_by("pk").first()
    person = Person.objects.order_by("pk").first()
    assert case is not None and person is not None
    Case.objects.filter(pk=case.pk).update(answer="已电话联系居民，回访电话 139-1234-5678。")
    Person.objects.filter(pk=person.pk).update(note=f"证件 {person.id_number}")
    event = record(AuditAction.PERSON_UPDATED, data={"said": "请拨打13987654321"})
    hits = {(h.table, h.column, h.rowid, h.kind) for h in scan(tool).hits}
    assert hits == {
        ("cases_case", "answer", str(case.pk), "mobile"),
        ("people_person", "note", str(person.pk), "id_number"),
        ("core_auditevent", "data", str(event.pk), "mobile"),
    }
    printed = "\n".join(str(h) for h in scan(tool).hits)
    assert "1234-5678" not in printed and person.id_number not in printed and "13987654321" not in printed
