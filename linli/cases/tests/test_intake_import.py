"""Bulk import of a backlog: every row or none, each bad row named by number with its reason, one audit event,
and the same file twice adds nothing."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import load_workbook

from linli.cases import imports
from linli.cases.models import Case, CaseEvent
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.core.tabular import ImportRejected, write_xlsx

from .conftest import BUILDING_A

pytestmark = pytest.mark.django_db
HEADER = list(imports.COLUMNS)


def row(**cells: str) -> list[str]:
    base = {
        "受理时间": "2026-03-02 09:30",
        "渠道": "电话",
        "标题": "",
        "内容": "小区门口路面脏乱，垃圾堆放多日无人清理",
        "地址": "",
        "地点编码": BUILDING_A,
        "联系人": "李四",
        "联系电话": "13900004444",
        "紧急程度": "一般",
        "事项编码": "",
    }
    base.update(cells)
    return [base[c] for c in HEADER]


def csv_file(rows: list[list[str]], name: str = "backlog.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_template_has_the_columns(client: Any, people: dict) -> None:
    client.force_login(people["dispatcher"])
    response = client.get("/report/import/template/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == HEADER


def test_a_good_file_imports_every_row_once(client: Any, world: Any, people: dict, matter: Any) -> None:
    client.force_login(people["dispatcher"])
    rows = [
        row(),
        row(**{"地点编码": "", "地址": "甲一社区甲园小区1号楼", "渠道": "微信", "紧急程度": "紧急", "联系电话": ""}),
        row(**{"受理时间": "2026年3月4日 14:05", "事项编码": matter.code, "标题": "路面脏", "渠道": ""}),
    ]
    data = csv_file(rows).read()
    response = client.post("/report/import/", {"file": SimpleUploadedFile("b.csv", data)})
    assert response.status_code == 302
    cases = list(Case.objects.order_by("id"))
    assert len(cases) == 3 and {c.channel for c in cases} == {"import"}
    assert cases[0].created_at == timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))
    assert cases[0].number.startswith("20260302") and cases[0].entered_by == people["dispatcher"]
    assert cases[1].urgency == "urgent" and cases[1].place.code == BUILDING_A and cases[1].address
    assert cases[2].matter == matter and cases[2].title == "路面脏" and cases[0].reporter_phone == "13900004444"
    origins = [CaseEvent.objects.get(case=c, seq=1).payload.get("origin") for c in cases]
    assert origins == ["hotline", "web", None]
    audit = AuditEvent.objects.get(action=AuditAction.CASES_IMPORTED)
    assert audit.data["created"] == 3 and audit.data["rows"] == 3

    again = client.post("/report/import/", {"file": SimpleUploadedFile("b.csv", data)}, follow=True)
    assert Case.objects.count() == 3, "the same file again adds nothing"
    with override("zh-hans"):
        expected = _("Imported %(created)d requests; %(existing)d were imported before") % {
            "created": 0,
            "existing": 3,
        }
    assert expected in again.content.decode()


def test_exported_formula_cells_come_back_as_typed(world: Any, people: dict) -> None:
    data = write_xlsx(HEADER, [row(**{"内容": "=1+1 路灯不亮", "标题": "-路灯"})])
    imports.import_cases(people["dispatcher"], io.BytesIO(data), "backlog.xlsx")
    case = Case.objects.get()
    assert case.body == "=1+1 路灯不亮" and case.title == "-路灯"


def test_every_bad_row_is_named_and_nothing_is_kept(client: Any, world: Any, people: dict) -> None:
    bad = {
        3: row(**{"受理时间": "昨天"}),
        4: row(**{"受理时间": "2099-01-01 08:00"}),
        5: row(**{"地点编码": "999999"}),
        6: row(**{"地点编码": "110102001001001E01B01"}),  # 西城区: outside the street dispatcher's area
        7: row(**{"内容": "<script>alert(1)</script>"}),
        8: row(**{"内容": "长" * 10_000}),
        9: row(**{"联系电话": "12345"}),
        10: row(**{"事项编码": "NOPE"}),
        11: row(**{"紧急程度": "特急"}),
        12: row(**{"渠道": "飞鸽传书"}),
        13: row(**{"内容": ""}),
        14: row(**{"地点编码": "", "地址": "不存在的地方"}),
        15: row(**{"地点编码": "110101000000"}),  # a district: coarser than a street
    }
    rows = [row(), *bad.values(), row()]
    client.force_login(people["dispatcher"])
    response = client.post("/report/import/", {"file": csv_file(rows)})
    assert response.status_code == 200 and Case.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.CASES_IMPORTED).exists()
    page = response.content.decode()
    assert 'id="import-errors"' in page
    with pytest.raises(ImportRejected) as caught:
        imports.import_cases(people["dispatcher"], csv_file(rows), "backlog.csv")
    assert caught.value.bad_rows == sorted(bad)
    for error in caught.value.errors:
        assert f"<td>{error.row}</td>" in page


def test_too_many_rows_is_refused_with_the_limit(world: Any, people: dict, settings: Any) -> None:
    rows = [row() for _ in range(imports.MAX_ROWS + 1)]
    with pytest.raises(ImportRejected) as caught:
        imports.import_cases(people["dispatcher"], csv_file(rows), "big.csv")
    assert str(imports.MAX_ROWS) in caught.value.errors[0].message and Case.objects.count() == 0


def test_missing_columns_and_non_importers(client: Any, world: Any, people: dict) -> None:
    empty = SimpleUploadedFile("x.csv", "内容,地址\n路灯坏了,甲园小区\n".encode())
    with pytest.raises(ImportRejected) as caught:
        imports.import_cases(people["dispatcher"], empty, "x.csv")
    assert caught.value.errors[0].column == "受理时间"
    client.force_login(people["resident"])
    assert client.get("/report/import/").status_code == 403
    assert client.get("/report/import/template/").status_code == 403
    assert client.post("/report/import/", {"file": csv_file([row()])}).status_code == 403
    client.force_login(people["district"])
    assert client.get("/report/import/").status_code == 200
    assert Case.objects.count() == 0
