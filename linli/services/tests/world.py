"""A service catalogue on the test world (conftest's `world`): a service matter, two kinds, offers at
community, street and district level, and a provider working district-wide (like the demo's) that no
street dispatcher reaches by jurisdiction, only through its offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conftest import PASSWORD
from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.cases.actions import Submission, submit_request
from linli.cases.models import Case
from linli.orgs.choices import UnitKind
from linli.orgs.models import Matter, Unit
from linli.services.models import ServiceKind, ServiceOffer

GRID_A1 = "110101001001001"
COMMUNITY_A = "110101001001"
STREET_A = "110101001000"
COMMUNITY_B = "110101002001"
BUILDING_B = "110101002001001E01B01"


@dataclass
class Catalogue:
    matter: Matter
    other_matter: Matter
    cleaning: ServiceKind
    repair: ServiceKind
    wide: Unit
    near: ServiceOffer
    street: ServiceOffer
    far: ServiceOffer
    wide_offer: ServiceOffer
    wide_user: Any


def make_catalogue(world: Any) -> Catalogue:
    p, u = world.places, world.units
    matter = Matter.objects.create(
        code="MS001", name="家政服务需求", category="城乡建设", owner_level="community", department_type="civil_affairs"
    )
    other = Matter.objects.create(
        code="MS002", name="路灯不亮", category="城乡建设", owner_level="street", department_type="urban_management"
    )
    cleaning = ServiceKind.objects.create(code="JZ", name="家政")
    cleaning.matters.set([matter])
    repair = ServiceKind.objects.create(code="WX", name="维修")
    wide = Unit.objects.create(code="PW", name="全区养老驿站", kind=UnitKind.SERVICE_PROVIDER)
    wide.jurisdiction.set([p["110101000000"]])

    def offer(unit: Unit, kind: ServiceKind, codes: list[str], price: str = "", accepting: bool = True) -> Any:
        o = ServiceOffer.objects.create(unit=unit, kind=kind, price=price, accepting=accepting)
        o.places.set([p[c] for c in codes])
        return o

    near = offer(u["provider_a"], cleaning, [COMMUNITY_A], "每小时50元")
    street = offer(wide, cleaning, [STREET_A], "每小时45元")
    far = offer(u["provider_b"], cleaning, [COMMUNITY_B], "每小时40元")
    offer(u["provider_b"], repair, [STREET_A])  # another kind: never matched to a cleaning request
    wide_offer = street
    from linli.accounts.actions import create_user

    wide_user = create_user(
        world.admin, username="wide_provider", role=Role.SERVICE_PROVIDER, password=PASSWORD, units=[wide]
    )
    assert Grant.objects.filter(user=wide_user, unit=wide).exists()
    return Catalogue(matter, other, cleaning, repair, wide, near, street, far, wide_offer, wide_user)


def service_case(world: Any, matter: Matter, code: str = GRID_A1, title: str = "家里需要保洁") -> Case:
    resident = world.users[Role.RESIDENT]
    sub = Submission(channel="web", title=title, body=f"{title}，老人行动不便", place=world.places[code])
    sub.consent = True
    case, _ = submit_request(resident, sub)
    Case.objects.filter(pk=case.pk).update(matter=matter)
    return Case.objects.select_related("place", "matter", "lead_unit").get(pk=case.pk)
