from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.accounts.choices import Role
from linli.core.tabular import ImportRejected, read_table
from linli.orgs.actions import MATTER_COLUMNS, export_matters, import_matters, record_admission
from linli.orgs.choices import DepartmentType
from linli.orgs.deadlines import parse_spec
from linli.orgs.models import Matter
from linli.orgs.queries import responsible_unit

MATTERS_CSV = Path(__file__).resolve().parents[1] / "data" / "matters.csv"


def admit(world, matter):
    return record_admission(
        world.admin,
        matter,
        approved_by="准入审核组",
        approved_on=datetime.date(2026, 1, 1),
        people="专职1名",
        powers="协调权",
        funds="每户补助",
    )


@pytest.mark.django_db
def test_district_matter_goes_to_the_department_of_its_type(world, matter):
    answer = responsible_unit(matter, world.place("110101001001001E01B01"))
    assert answer.unit == world.units["dept_a"] and not answer.fallback


@pytest.mark.django_db
def test_unlisted_and_disputed_matters_fall_to_the_street(world, matter):
    place = world.place("110101002001001")
    answer = responsible_unit(None, place)
    assert answer.unit == world.units["street_b"] and answer.fallback
    matter.is_disputed = True
    matter.save()
    assert responsible_unit(matter, place).unit == world.units["street_b"]


@pytest.mark.django_db
def test_department_missing_means_street(world):
    matter = Matter.objects.create(
        code="M9", name="无人承接", category="环境保护", owner_level="district", department_type=DepartmentType.WATER
    )
    answer = responsible_unit(matter, world.place("110101001001001"))
    assert answer.unit == world.units["street_a"] and answer.fallback


@pytest.mark.django_db
def test_community_matter_needs_admission(world):
    matter = Matter.objects.create(
        code="M8",
        name="楼道堆物",
        category="城乡建设",
        owner_level="community",
        department_type=DepartmentType.URBAN_MANAGEMENT,
    )
    place = world.place("110101001001001E01")
    before = responsible_unit(matter, place)
    assert before.unit == world.units["street_a"] and before.fallback
    admit(world, matter)
    after = responsible_unit(matter, place)
    assert after.unit == world.units["community_a"] and not after.fallback


@pytest.mark.django_db
def test_street_matter_goes_to_the_street_office(world):
    matter = Matter.objects.create(
        code="M7",
        name="占道经营",
        category="城乡建设",
        owner_level="street",
        department_type=DepartmentType.CITY_ENFORCEMENT,
    )
    assert responsible_unit(matter, world.place("110101002001001E01B01")).unit == world.units["street_b"]


@pytest.mark.django_db
def test_admission_requires_people_powers_and_funds_and_the_right_role(world):
    matter = Matter.objects.create(
        code="M6",
        name="邻里纠纷",
        category="城乡建设",
        owner_level="community",
        department_type=DepartmentType.CIVIL_AFFAIRS,
    )
    with pytest.raises(ValidationError):
        record_admission(
            world.admin,
            matter,
            approved_by="组",
            approved_on=datetime.date(2026, 1, 1),
            people="1人",
            powers="",
            funds="",
        )
    with pytest.raises(PermissionDenied):
        record_admission(
            world.users[Role.STREET_DISPATCHER],
            matter,
            approved_by="组",
            approved_on=datetime.date(2026, 1, 1),
            people="1",
            powers="1",
            funds="1",
        )
    assert not matter.admissions.exists()


def test_deadline_specs():
    assert parse_spec("30m").label == "30分钟"
    assert parse_spec("5wd").amount == 5
    for bad in ("", "0h", "5d", "h5", "五天"):
        with pytest.raises(ValidationError):
            parse_spec(bad)


@pytest.mark.django_db
def test_bundled_list_imports_and_round_trips_through_excel(world):
    with MATTERS_CSV.open("rb") as handle:
        result = import_matters(world.admin, handle, "matters.csv")
    assert result["created"] >= 150
    assert set(Matter.objects.values_list("category", flat=True).distinct()) == {
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    }
    assert Matter.objects.filter(source__startswith="dcms:").count() == 53
    exported = export_matters(world.admin, "xlsx")
    table = read_table(io.BytesIO(exported), "m.xlsx")
    assert table.columns == MATTER_COLUMNS
    again = import_matters(world.admin, io.BytesIO(exported), "m.xlsx")
    assert again == {"created": 0, "updated": result["created"]}


@pytest.mark.django_db
def test_bad_matter_rows_are_all_reported(world):
    header = ",".join(MATTER_COLUMNS)
    body = "\n".join(
        [
            "M1,甲,诉求,,,城乡建设,a|b,district,urban_management,1wd,2h,5wd,1wd,0,0,x",
            "M2,乙,诉求,,,不存在的类,a,district,urban_management,1wd,2h,5wd,1wd,0,0,x",
            "M3,丙,诉求,,,城乡建设,a,nowhere,urban_management,1wd,2h,5wd,1wd,0,0,x",
            "M4,丁,诉求,,,城乡建设,a,district,urban_management,5天,2h,5wd,1wd,0,0,x",
            "M1,戊,诉求,,,城乡建设,a,district,urban_management,1wd,2h,5wd,1wd,maybe,0,x",
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_matters(world.admin, io.BytesIO(f"{header}\n{body}\n".encode()), "m.csv")
    assert caught.value.bad_rows == [3, 4, 5, 6]
    assert not Matter.objects.exists()


@pytest.mark.django_db
def test_only_district_command_edits_the_list(world):
    with MATTERS_CSV.open("rb") as handle, pytest.raises(PermissionDenied):
        import_matters(world.users[Role.STREET_DISPATCHER], handle, "m.csv")
    with MATTERS_CSV.open("rb") as handle:
        assert import_matters(world.users[Role.DISTRICT_COMMAND], handle, "m.csv")["created"] > 0
