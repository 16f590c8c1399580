from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from linli.accounts.choices import Role
from linli.core.datafiles import open_binary
from linli.core.tabular import ImportRejected, read_table, write_xlsx
from linli.places.actions import export_places, import_places
from linli.places.models import Place

BEIJING = Path(settings.BASE_DIR) / "linli" / "places" / "data" / "beijing.csv.xz"
COLUMNS = ["code", "name", "level", "parent_code", "geometry", "households", "contact_phone"]
GOOD_POLYGON = json.dumps(
    {"type": "Polygon", "coordinates": [[[116.0, 40.0], [116.05, 40.0], [116.05, 39.95], [116.0, 40.0]]]}
)
BOWTIE = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})


def csv_bytes(rows: list[list[str]]) -> io.BytesIO:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode())


@pytest.mark.django_db
def test_bad_rows_are_all_reported_and_nothing_is_imported(world):
    before = Place.objects.count()
    upload = csv_bytes(
        [
            [
                "110101001001003",
                "甲一第3网格",
                "grid",
                "110101001001",
                GOOD_POLYGON,
                "300",
                "13912345678",
            ],  # row 2 good
            ["110101001001004", "孤儿网格", "grid", "110101009999", "", "", ""],  # row 3 unknown parent
            ["110101001001003", "重复网格", "grid", "110101001001", "", "", ""],  # row 4 duplicate in file
            ["110101001001", "已存在", "community", "110101001000", "", "", ""],  # row 5 duplicate of the database
            ["110101001001005", "坏几何", "grid", "110101001001", BOWTIE, "", ""],  # row 6 bad geometry
            ["110101001001006", "坏几何2", "grid", "110101001001", "{not json", "", ""],  # row 7 bad geometry
            ["110101001001007", "坏电话", "grid", "110101001001", "", "", "12345"],  # row 8 bad phone
            ["110101001001008", "好网格", "grid", "110101001001", "", "200", "010-65123456"],  # row 9 good
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_places(world.admin, upload, "bad.csv")
    assert caught.value.bad_rows == [3, 4, 5, 6, 7, 8]
    messages = {e.row: (e.column, e.message) for e in caught.value.errors}
    assert messages[3][0] == "parent_code"
    assert messages[4][0] == "code" and messages[5][0] == "code"
    assert messages[6][0] == "geometry" and messages[7][0] == "geometry"
    assert messages[8][0] == "contact_phone"
    assert Place.objects.count() == before


@pytest.mark.django_db
def test_error_messages_are_in_chinese_by_default(world):
    from django.utils import translation

    upload = csv_bytes([["110101001001004", "孤儿", "grid", "110101009999", "", "", ""]])
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as caught:
        import_places(world.admin, upload, "bad.csv")
    assert "上级" in caught.value.errors[0].message


@pytest.mark.django_db
def test_good_file_imports_in_any_order_with_parents_in_file(world):
    upload = csv_bytes(
        [
            ["110101001001003E01B01", "1号楼", "building", "110101001001003E01", "", "", ""],
            ["110101001001003E01", "新园", "estate", "110101001001003", "", "", ""],
            ["110101001001003", "甲一第3网格", "grid", "110101001001", GOOD_POLYGON, "300", "13912345678"],
        ]
    )
    result = import_places(world.admin, upload, "good.csv")
    assert result.created == 3
    grid = Place.objects.get(code="110101001001003")
    assert grid.contact_phone == "13912345678" and grid.households == 300 and grid.min_lon == 116.0
    building = Place.objects.get(code="110101001001003E01B01")
    assert building.path.startswith(grid.path) and building.depth == grid.depth + 2


@pytest.mark.django_db
def test_import_is_limited_to_the_importers_scope(world):
    worker = world.users[Role.COMMUNITY_WORKER]
    upload = csv_bytes([["110101002001002", "越界网格", "grid", "110101002001", "", "", ""]])
    with pytest.raises(ImportRejected) as caught:
        import_places(worker, upload, "x.csv")
    assert caught.value.errors[0].column == "parent_code"
    with pytest.raises(PermissionDenied):
        import_places(world.users[Role.GRID_WORKER], csv_bytes([]), "x.csv")


@pytest.mark.django_db
def test_export_re_imports(world):
    data = export_places(world.admin, world.place("110101001001"), "xlsx")
    table = read_table(io.BytesIO(data), "x.xlsx")
    codes = [row["code"] for _, row in table.rows]
    assert codes[0] == "110101001001" and "110101001001001E01B01" in codes
    assert not any(c.startswith("110101002") for c in codes)
    Place.objects.filter(code__startswith="110101001001").exclude(code="110101001001").order_by("-depth")
    # Re-import the rows under a renamed root into an empty scope: the same file format works both ways.
    renamed = [
        [
            r["code"].replace("110101001001", "110101001002", 1),
            r["name"],
            r["level"],
            r["parent_code"].replace("110101001001", "110101001002", 1)
            if r["parent_code"] != "110101001000"
            else "110101001000",
            r["geometry"],
            r["households"],
            "",
        ]
        for _, r in table.rows
    ]
    result = import_places(world.admin, io.BytesIO(write_xlsx(COLUMNS, renamed)), "again.xlsx")
    assert result.created == len(renamed)


@pytest.mark.django_db
def test_all_of_beijing_imports_through_the_same_import(db):
    from linli.accounts.actions import create_user

    admin = create_user(None, username="bj", role=Role.PLATFORM_ADMIN, superuser=True)
    with open_binary(BEIJING) as handle:
        result = import_places(admin, handle, "beijing.csv")
    assert result.created == 7902
    assert result.levels == {"province": 1, "city": 1, "district": 16, "street": 349, "community": 7535}
    dongcheng = Place.objects.get(code="110101000000")
    assert Place.objects.under(dongcheng).filter(level="community").count() == 169


@pytest.mark.django_db
@pytest.mark.parametrize("root", ["abc", "1e5", "-1", "１２", "99999999999999999999999"])
def test_export_with_a_root_that_is_no_place_id_is_not_found(client, world, root):
    client.force_login(world.users[Role.STREET_DISPATCHER])
    assert client.get(reverse("places:export"), {"root": root}).status_code == 404
