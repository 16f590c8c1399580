"""Freezing the roll by the judicial interpretation: co-owners count once, one owner of several parts once
with the sum of areas, the developer's unsold parts once, parts with no owner or area left out and reported."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest

from linli.participation.actions import votes
from linli.participation.models_votes import RollEntry, RollOwner
from linli.participation.roll import entry_digest, owner_key

from .votes import make_vote

pytestmark = pytest.mark.django_db


def _open(runner: Any, estate: Any) -> Any:
    vote = make_vote(runner, estate.building)
    frozen = votes.open_vote(runner, vote)
    vote.refresh_from_db()
    return vote, frozen


def test_voters_by_head_and_area(runner: Any, estate: Any) -> None:
    vote, frozen = _open(runner, estate)
    entries = {e.owner_key: e for e in RollEntry.objects.filter(vote=vote)}
    p = estate.persons
    wang = entries[f"p:{p['wang'].pk}"]
    # One owner of two parts: one head, 90 (the house's area) + 60 (his registered area).
    assert wang.area == Decimal("150.00")
    assert [h["name"] for h in wang.houses] == ["1单元 101室", "1单元 201室"]
    # Co-owners of one part: one head, the sum of their registered shares of it.
    couple = entries[owner_key({p["li"].pk, p["han"].pk}, set())]
    assert couple.area == Decimal("80.00")
    assert set(RollOwner.objects.filter(entry=couple).values_list("person_id", flat=True)) == {
        p["li"].pk,
        p["han"].pk,
    }
    # The developer's unsold parts: one head, 100 (the house's) + 70 (registered).
    developer = entries["o:某某置业"]
    assert developer.area == Decimal("170.00")
    assert list(RollOwner.objects.filter(entry=developer).values_list("organisation", flat=True)) == ["某某置业"]
    assert len(entries) == 3
    assert (vote.roll_owners, vote.roll_area) == (3, Decimal("400.00"))
    assert frozen.skipped.no_owner == ["1单元 302室", "1单元 402室"]  # 402's owner sold last year
    assert frozen.skipped.no_area == ["1单元 401室"]


def test_labels_mask_names_and_name_the_parts(runner: Any, estate: Any) -> None:
    vote, _ = _open(runner, estate)
    labels = set(RollEntry.objects.filter(vote=vote).values_list("label", flat=True))
    assert "1单元 101室、1单元 201室 · 王**" in labels
    assert "1单元 102室 · 李*、韩**" in labels or "1单元 102室 · 韩**、李*" in labels
    assert "1单元 202室、1单元 301室 · 某某置业" in labels
    assert not any("小明" in label or "梅梅" in label for label in labels)


def test_the_digest_is_the_documented_one(runner: Any, estate: Any) -> None:
    vote, _ = _open(runner, estate)
    lines = sorted(
        f"{key}\t{area}\t{','.join(str(h['id']) for h in sorted(houses, key=lambda h: h['id']))}\n"
        for key, area, houses in RollEntry.objects.filter(vote=vote).values_list("owner_key", "area", "houses")
    )
    assert vote.roll_digest == hashlib.sha256("".join(lines).encode()).hexdigest() == entry_digest(vote)


def test_a_building_vote_takes_only_its_building(runner: Any, estate: Any, world: Any) -> None:
    from linli.people.models import Ownership

    from .conftest import BUILDING_B, add_house, person

    other = add_house(world.admin, world.places[BUILDING_B], "901", "99.00")
    Ownership.objects.create(house=other, person=person("钱七", other))
    vote, _ = _open(runner, estate)
    assert all(h["id"] != other.pk for e in RollEntry.objects.filter(vote=vote) for h in e.houses)


def test_an_estate_vote_takes_its_buildings(runner: Any, estate: Any, world: Any) -> None:
    from .conftest import ESTATE_A

    vote = make_vote(runner, world.places[ESTATE_A])
    votes.open_vote(runner, vote)
    vote.refresh_from_db()
    assert vote.roll_owners == 3
    names = {h["name"] for e in RollEntry.objects.filter(vote=vote) for h in e.houses}
    assert f"{estate.building.name} 1单元 101室" in names


def test_owner_keys() -> None:
    assert owner_key({40, 12}, set()) == "p:12,40"
    assert owner_key(set(), {"某某置业"}) == "o:某某置业"
    assert owner_key({3}, {"某某置业"}) == "p:3;o:某某置业"
    assert owner_key(set(range(100)), set()).startswith("h:")
