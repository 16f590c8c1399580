"""The demo's service catalogue (issue 20 deliverable 8): six kinds, each answering one service matter of
the responsibility list (added here: the seed list has no service matters), offered by the demo's three
providers across the district's streets and communities with prices, a few not accepting now.
Idempotent: run again, it changes nothing."""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction

from linli.orgs.choices import DepartmentType, MatterClass, OwnerLevel, UnitKind
from linli.orgs.models import Matter, Unit
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .models import ServiceKind, ServiceOffer

# code, kind, matter, keywords, price
KINDS = [
    ("JZ", "家政", "家政服务需求", ["家政", "保洁", "擦玻璃", "做饭"], "每小时45元起"),
    ("ZC", "养老助餐", "老年助餐服务", ["助餐", "送餐", "老年餐"], "每餐12元，高龄老人补贴后8元"),
    ("WX", "维修", "居家维修服务", ["家电维修", "水管", "换灯", "修门锁"], "上门费20元，材料另计"),
    ("XL", "心理疏导", "心理疏导服务", ["心理疏导", "心理咨询", "情绪"], "社区居民免费"),
    ("ZY", "助浴", "老年助浴服务", ["助浴", "洗澡"], "每次60元"),
    ("DG", "代购", "代购代办服务", ["代购", "买菜", "代办"], "每次5元"),
]
# provider (by order of code) → the kinds it offers
OFFERS = {0: ["JZ", "DG", "ZY"], 1: ["WX", "JZ"], 2: ["ZC", "XL", "ZY"]}


@transaction.atomic
def build_catalogue(seed: int = 20261201) -> int:
    rng = random.Random(seed)
    kinds: dict[str, ServiceKind] = {}
    for n, (code, name, matter_name, keywords, _price) in enumerate(KINDS, start=1):
        matter, _ = Matter.objects.get_or_create(
            code=f"MSV{n:02d}",
            defaults={
                "name": matter_name,
                "case_type": "诉求",
                "major_class": "社区服务",
                "minor_class": name,
                "category": MatterClass.LABOUR_SOCIAL_SECURITY,
                "keywords": keywords,
                "owner_level": OwnerLevel.COMMUNITY,
                "department_type": DepartmentType.CIVIL_AFFAIRS,
                "source": "demo service catalogue",
            },
        )
        kind, _ = ServiceKind.objects.get_or_create(code=code, defaults={"name": name})
        kind.matters.add(matter)
        kinds[code] = kind
    providers = list(Unit.objects.filter(kind=UnitKind.SERVICE_PROVIDER).order_by("code"))
    streets = list(Place.objects.filter(level=PlaceLevel.STREET).order_by("path"))
    communities = list(Place.objects.filter(level=PlaceLevel.COMMUNITY).order_by("path"))
    made = 0
    prices = {code: price for code, *_rest, price in KINDS}
    for index, unit in enumerate(providers[:3]):
        for code in OFFERS.get(index, []):
            if ServiceOffer.objects.filter(unit=unit, kind=kinds[code]).exists():
                continue
            served: list[Any] = rng.sample(streets, k=min(len(streets), 3)) if streets else []
            served += rng.sample(communities, k=min(len(communities), 4)) if communities else []
            offer = ServiceOffer.objects.create(
                unit=unit, kind=kinds[code], price=prices[code], accepting=rng.random() > 0.15
            )
            offer.places.set(served)
            made += 1
    return made
