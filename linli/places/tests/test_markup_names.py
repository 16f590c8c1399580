"""Names are plain text: markup in a place, unit or matter name is refused per row, and nothing is written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from linli.core.tabular import ImportRejected
from linli.orgs.actions import MATTER_COLUMNS, create_unit, import_matters, import_units
from linli.orgs.choices import UnitKind
from linli.orgs.models import Matter, Unit
from linli.places.actions import create_place, import_places, update_place
from linli.places.models import Place

HOSTILE = ['"><img src=x onerror=alert(1)>', "甲<script>", "乙>", "丙\x00丁"]


def _csv(header: str, lines: list[str]) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *lines]) + "\n").encode())


@pytest.mark.django_db
def test_place_import_refuses_every_row_with_markup_and_writes_nothing(world):
    before = Place.objects.count()
    rows = [
        f'110101001001{n:03d},"{name.replace(chr(34), chr(34) * 2)}",grid,110101001001'
        for n, name in enumerate(HOSTILE, start=3)
    ]
    rows.append("110101001001009,好网格,grid,110101001001")
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as caught:
        import_places(world.admin, _csv("code,name,level,parent_code", rows), "bad.csv")
    assert caught.value.bad_rows == [2, 3, 4, 5]
    assert {e.column for e in caught.value.errors} == {"name"}
    assert all("“<”" in e.message for e in caught.value.errors)
    assert Place.objects.count() == before


@pytest.mark.django_db
def test_place_actions_refuse_markup(world):
    grid = world.places["110101001001001"]
    with pytest.raises(ValidationError):
        create_place(world.admin, code="110101001001009", name="<b>x</b>", level="grid", parent=grid.parent)
    with pytest.raises(ValidationError):
        update_place(world.admin, grid, name="网格<img src=x>")
    grid.refresh_from_db()
    assert "<" not in grid.name
    assert update_place(world.admin, grid, name="  甲一第1网格（新）  ").name == "甲一第1网格（新）"


@pytest.mark.django_db
def test_unit_import_and_action_refuse_markup(world):
    before = Unit.objects.count()
    rows = ["U1,<i>城管</i>,street_office,110101001000", "U2,正常单位,street_office,110101001000"]
    with pytest.raises(ImportRejected) as caught:
        import_units(world.admin, _csv("code,name,kind,jurisdiction_codes", rows), "u.csv")
    assert caught.value.bad_rows == [2]
    with pytest.raises(ValidationError):
        create_unit(world.admin, code="U3", name="a>b", kind=UnitKind.STREET_OFFICE, jurisdiction=[])
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_matter_import_refuses_markup_in_names_and_keywords(world):
    header = ",".join(MATTER_COLUMNS)
    rows = [
        "M1,<svg onload=alert(1)>,诉求,,,城乡建设,a,district,urban_management,1wd,2h,5wd,1wd,0,0,x",
        "M2,正常事项,诉求,,,城乡建设,a|<b>,district,urban_management,1wd,2h,5wd,1wd,0,0,x",
        "M3,另一事项,诉求,,,城乡建设,a|b,district,urban_management,1wd,2h,5wd,1wd,0,0,x",
    ]
    with pytest.raises(ImportRejected) as caught:
        import_matters(world.admin, _csv(header, rows), "m.csv")
    assert caught.value.bad_rows == [2, 3]
    assert {(e.row, e.column) for e in caught.value.errors} == {(2, "name"), (3, "keywords")}
    assert not Matter.objects.exists()
