"""The service catalogue's part of the matrix world (issue 20): two kinds, offers at a community and a
street on side A and a community on side B, so that the offer rule's "every place under the community"
clause has rows on each side of it. Used by conftest's `matrix_world`."""

from __future__ import annotations

from typing import Any

from linli.services.models import ServiceKind, ServiceOffer


def make_services(world: Any) -> dict[str, Any]:
    p, u = world.places, world.units
    cleaning = ServiceKind.objects.create(code="MXJZ", name="矩阵家政")
    repair = ServiceKind.objects.create(code="MXWX", name="矩阵维修")
    rows = {
        "a_community": (u["provider_a"], cleaning, ["110101001001"], "矩阵甲社区价"),
        "a_street": (u["provider_a"], repair, ["110101001000"], "矩阵甲街道价"),
        "b_community": (u["provider_b"], cleaning, ["110101002001"], "矩阵乙社区价"),
        "a_and_b": (u["provider_b"], repair, ["110101001001", "110101002001"], "矩阵两社区价"),
    }
    made: dict[str, Any] = {"cleaning": cleaning, "repair": repair}
    for key, (unit, kind, codes, price) in rows.items():
        offer = ServiceOffer.objects.create(unit=unit, kind=kind, price=price)
        offer.places.set([p[c] for c in codes])
        made[key] = offer
    return made
