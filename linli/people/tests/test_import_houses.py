"""Importing houses and their owners: owners found by their number's digest, organisations by name, shares
never above the whole, every bad row named, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.people.actions import registry
from linli.people.imports_format import HOUSE_COLUMNS
from linli.people.models import House, Ownership

from .conftest import id_number
from .importing import run_file, workbook

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in HOUSE_COLUMNS]
OWNER = id_number("110101", "19450305", "124")
STRANGER = id_number("110101", "19600101", "235")


def house_row(**values: str) -> list[str]:
    return [values.get(c.field, "") for c in HOUSE_COLUMNS]


@pytest.fixture
def owner(world, houses, keeper):
    return registry.register_person(keeper, place=houses["a101"], name="王秀英", id_number=OWNER, residency="户籍")


def test_houses_and_owners_are_written(world, houses, keeper, owner):
    registry.update_house(keeper, houses["a102"], area="50", use="vacant")
    rows = [
        house_row(
            house=houses["a101"].code, area="89.5", use="自住", owner_name="王秀英", owner_id=OWNER.lower(), share="0.5"
        ),
        house_row(house=houses["a101"].code, owner_name="某置业有限公司", share="0.5", certificate="京(2020)第1号"),
        house_row(house=houses["a102"].code, area="60", use="出租"),
    ]
    job = run_file(keeper, workbook(HEADERS, rows), kind="houses")
    assert job.status == "done", job.errors
    assert job.created["houses"] == 1 and job.created["houses_updated"] == 1 and job.created["owners"] == 2
    assert House.objects.get(place=houses["a102"]).area == Decimal("60.00")
    assert House.objects.get(place=houses["a102"]).use == "rented"
    assert Ownership.objects.get(person=owner).share == Decimal("0.5")
    assert Ownership.objects.get(organisation="某置业有限公司").certificate == "京(2020)第1号"


BAD = {
    "unregistered owner": (dict(owner_name="路人", owner_id=STRANGER), 2, "register the owner first"),
    "name differs": (dict(owner_name="王秀", owner_id=OWNER), 2, "does not match the person"),
    "bad number": (dict(owner_name="王秀英", owner_id=OWNER[:-1] + "0"), 2, "not a valid identity number"),
    "share above one": (dict(owner_name="甲公司", share="1.5"), 2, "Out of range"),
    "share without owner": (dict(share="0.5"), 2, "Name the owner"),
    "unknown use": (dict(use="仓库"), 2, "not one of the allowed values"),
    "bad area": (dict(area="大"), 2, "is not a number"),
    "outside": (dict(house="110101002001001E01B01U1H101"), 2, "outside the places you may change"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_house_row_is_named(world, houses, keeper, owner, case):
    changes, number, reason = BAD[case]
    values = {"house": houses["a102"].code, **changes}
    rows = [house_row(**values), house_row(house=houses["a101"].code, area="70")]
    job = run_file(keeper, workbook(HEADERS, rows), kind="houses")
    assert job.status == "rejected" and job.error_count == 1
    assert job.errors[0][0] == number and reason in job.errors[0][1], job.errors
    assert not House.objects.exists() and not Ownership.objects.exists()


def test_shares_and_facts_of_one_house_agree(world, houses, keeper, owner):
    registry.add_owner(keeper, houses["a101"], organisation="开发商", share="0.6")
    code = houses["a101"].code
    rows = [
        house_row(house=code, area="80", owner_name="王秀英", owner_id=OWNER, share="0.5"),  # 0.6 + 0.5 > 1
        house_row(house=code, area="81"),
        house_row(house=code, owner_name="开发商", share="0.1"),  # already an owner
        house_row(house=houses["a102"].code, owner_name="乙公司", share="0.5"),
        house_row(house=houses["a102"].code, owner_name="乙公司", share="0.5"),
    ]
    job = run_file(keeper, workbook(HEADERS, rows), kind="houses")
    assert job.status == "rejected"
    reasons = dict(job.errors)
    assert "more than the whole house" in reasons[2]
    assert "different value for the same house in row 2" in reasons[3]
    assert "Already recorded as an owner" in reasons[4]
    assert "same owner of the same house as row 5" in reasons[6]
    assert job.error_count == 4
