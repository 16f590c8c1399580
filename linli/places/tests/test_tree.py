from __future__ import annotations

import itertools
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.accounts.choices import Role
from linli.core.tabular import Table
from linli.places.actions import create_place, import_place_table, update_place
from linli.places.models import Place
from linli.places.queries import resolve_address, resolve_point

EXAMPLES = itertools.count()


def descendants_by_recursion(place: Place) -> set[int]:
    found: set[int] = {place.pk}
    frontier = [place.pk]
    while frontier:
        children = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.update(children)
        frontier = children
    return found


@pytest.mark.django_db
def test_under_is_the_subtree(world):
    street = world.place("110101001000")
    codes = set(Place.objects.under(street).values_list("code", flat=True))
    assert codes == {c for c in world.places if c.startswith("110101001")}
    assert set(Place.objects.under(street).values_list("pk", flat=True)) == descendants_by_recursion(street)
    assert street.pk not in set(Place.objects.under(street, include_self=False).values_list("pk", flat=True))


@pytest.mark.django_db
def test_ancestors_come_from_the_path(world):
    building = world.place("110101001001001E01B01")
    assert [p.code for p in building.ancestors()] == [
        "110000000000",
        "110101000000",
        "110101001000",
        "110101001001",
        "110101001001001",
        "110101001001001E01",
    ]
    assert building.ancestor_at("street").code == "110101001000"


@pytest.mark.django_db
def test_move_rewrites_the_whole_subtree(world):
    grid = world.place("110101001001002")
    estate = create_place(world.admin, code="110101001001002E01", name="新园", level="estate", parent=grid)
    create_place(world.admin, code="110101001001002E01B01", name="1号楼", level="building", parent=estate)
    target = world.place("110101002001")
    with pytest.raises(ValidationError):  # a grid code must extend its community's code
        update_place(world.admin, grid, parent=target)
    other_estate = world.place("110101002001001E01")
    grid_b = world.place("110101002001001")
    update_place(world.admin, estate, parent=grid_b)
    estate.refresh_from_db()
    assert estate.path.startswith(grid_b.path)
    assert {p.code for p in Place.objects.under(grid_b)} >= {
        "110101001001002E01",
        "110101001001002E01B01",
        other_estate.code,
    }
    for place in Place.objects.under(grid_b):
        assert place.depth == len(place.path) // 10 - 1
    with pytest.raises(ValidationError):
        update_place(world.admin, world.place("110101001000"), parent=world.place("110101001001"))


@pytest.mark.django_db
def test_create_checks_scope_level_and_code(world):
    community_worker = world.users[Role.COMMUNITY_WORKER]
    grid = world.place("110101001001001")
    create_place(community_worker, code="110101001001001E09", name="新建小区", level="estate", parent=grid)
    with pytest.raises(PermissionDenied):
        create_place(
            community_worker,
            code="110101002001001E09",
            name="越界",
            level="estate",
            parent=world.place("110101002001001"),
        )
    with pytest.raises(PermissionDenied):
        create_place(world.users[Role.GRID_WORKER], code="110101001001001E08", name="x", level="estate", parent=grid)
    with pytest.raises(ValidationError):
        create_place(world.admin, code="110101001001003", name="x", level="street", parent=world.place("110101001001"))
    with pytest.raises(ValidationError):
        create_place(
            world.admin, code="110101001001", name="dup", level="community", parent=world.place("110101001000")
        )


@pytest.mark.django_db
def test_point_resolves_to_the_grid(world):
    assert resolve_point(116.05, 39.9).code == "110101001001001"
    assert resolve_point(116.15, 39.9).code == "110101001001002"
    assert resolve_point(116.3, 39.9).code == "110101002001001"
    assert resolve_point(117.5, 39.9) is None


@pytest.mark.django_db
def test_address_resolves_by_names_and_numbers(world):
    match = resolve_address("北京市东城区甲街道甲一社区甲园小区1号楼")
    assert match is not None and match.place.code == "110101001001001E01B01"
    assert resolve_address("乙一社区乙园1号楼").place.code == "110101002001001E01B01"
    assert resolve_address("甲街道").place.code == "110101001000"
    assert resolve_address("completely unrelated") is None
    # Fuzzy: a typo in the estate name still lands in the right estate.
    fuzzy = resolve_address("乙一社区乙圆小区")
    assert fuzzy is not None and fuzzy.place.code.startswith("110101002001")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=40), st.randoms(use_true_random=False))
@pytest.mark.django_db
def test_under_matches_recursion_on_random_trees(admin_user_for_hypothesis, parents, rnd: random.Random):
    prefix = f"T{next(EXAMPLES)}x"  # each example writes its own tree; nothing is deleted between them
    root = f"{prefix}0"
    rows = [(2, {"code": root, "name": "根", "level": "province", "parent_code": ""})]
    levels = ["province", "city", "district", "street", "community"]
    depth = {root: 0}
    for i, pick in enumerate(parents, start=1):
        candidates = [c for c, d in depth.items() if d < 4]
        parent = candidates[pick % len(candidates)]
        code = f"{prefix}{i}"
        depth[code] = depth[parent] + 1
        rows.append((i + 2, {"code": code, "name": f"n{i}", "level": levels[depth[code]], "parent_code": parent}))
    rnd.shuffle(rows)  # parents may come after their children in a file
    table = Table(columns=["code", "name", "level", "parent_code"], rows=rows)
    import_place_table(admin_user_for_hypothesis, table)
    for place in Place.objects.filter(code__startswith=prefix):
        assert set(Place.objects.under(place).values_list("pk", flat=True)) == descendants_by_recursion(place)


@pytest.mark.django_db
def test_numbers_are_read_after_the_estate_and_long_texts_are_read_whole(world):
    estate = world.place("110101001001001E01")
    create_place(world.admin, code="110101001001001E01B02", name="2号楼", level="building", parent=estate)
    match = resolve_address("2号楼的邻居也反映过，地址：甲一社区甲园小区1号楼")
    assert match is not None and match.place.code == "110101001001001E01B01"
    long_message = "楼下噪音很大，" * 120 + "地址：甲街道甲一社区甲园小区2号楼"
    match = resolve_address(long_message)
    assert match is not None and match.place.code == "110101001001001E01B02"


@pytest.mark.django_db
def test_a_lone_everyday_word_does_not_place_a_message(world):
    create_place(
        world.admin, code="110101001001001E02", name="光明", level="estate", parent=world.place("110101001001001")
    )
    match = resolve_address("希望光明的未来早日到来")
    assert match is None or match.score < 80
