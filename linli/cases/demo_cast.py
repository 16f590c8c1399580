"""Who and where for the demo history: the places requests come from, the units that hold them, and the
people who act on them, all read once so that simulating twenty thousand cases asks the database nothing.

Every unit that handles cases gets a person to act for it: an existing account holding the right grant
where there is one (the demo city's named accounts first), else a new staff account made through
`create_user`, with no password (nobody logs in as them; they are the names on the timelines). Residents
are made the same way, through sign-up's own action.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.orgs.choices import OwnerLevel, UnitKind
from linli.orgs.models import Matter, MatterAdmission, Unit
from linli.orgs.queries import responsible_unit
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place
from linli.worktime.clock import WorkCalendar

from .actions.routing import level_above
from .deadlines import Deadlines, deadlines_for
from .models import Case

SPOT_LEVELS = (PlaceLevel.BUILDING, PlaceLevel.ESTATE)
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "187", "188", "189")
REGISTRY_CALLERS = 1500  # registered people's numbers the hotline callers draw from
REGISTRY_CALLER_SHARE = 0.15
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"


@dataclass(frozen=True)
class Spot:
    """A place requests come from (a building or an estate) and the places above it."""

    place_id: int
    district_id: int | None
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    longitude: float | None
    latitude: float | None
    address: str


def _ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH)]


class Cast:
    def __init__(self, rng: random.Random, residents: int) -> None:
        self.rng = rng
        self.calendar = WorkCalendar()
        self._load_places()
        self._load_units()
        self.matters = {m.pk: m for m in Matter.objects.filter(is_active=True)}
        self.admitted = set(MatterAdmission.objects.values_list("matter_id", flat=True))
        self._specs: dict[tuple[Any, ...], Deadlines] = {}
        self._owner: dict[tuple[Any, ...], Unit | None] = {}
        self._above: dict[tuple[Any, ...], Unit | None] = {}
        self._place_cache: dict[int, Place] = {}
        self._jurisdiction: dict[int, set[int]] = {}
        self._staff()
        self._residents(residents)

    # ----------------------------------------------------------------------------------------------
    # places and units

    def _load_places(self) -> None:
        rows = Place.objects.filter(is_active=True).exclude(level__in=[PlaceLevel.HOUSE, PlaceLevel.BUILDING_UNIT])
        info = {
            pk: (level, path, name, lon, lat)
            for pk, level, path, name, lon, lat in rows.values_list(
                "pk", "level", "path", "name", "longitude", "latitude"
            )
        }
        self.spots: list[Spot] = []
        for pk, (level, path, _name, _lon, _lat) in info.items():
            if level not in SPOT_LEVELS:
                continue
            above = {info[i][0]: i for i in _ids(path) if i in info}
            if PlaceLevel.STREET not in above:
                continue
            estate = above.get(PlaceLevel.ESTATE)
            lon, lat = (info[estate][3], info[estate][4]) if estate else (None, None)
            names = [info[i][2] for i in _ids(path)[-2:] if i in info and info[i][0] in SPOT_LEVELS]
            self.spots.append(
                Spot(
                    pk,
                    above.get(PlaceLevel.DISTRICT),
                    above[PlaceLevel.STREET],
                    above.get(PlaceLevel.COMMUNITY),
                    above.get(PlaceLevel.GRID),
                    lon,
                    lat,
                    "".join(names)[:300],
                )
            )
        if not self.spots:
            raise RuntimeError("No buildings or estates under a street: build the demo city first")
        self.spots.sort(key=lambda s: s.place_id)

    def _load_units(self) -> None:
        units = {u.pk: u for u in Unit.objects.filter(is_active=True)}
        self.units = units
        by_place: dict[tuple[str, int], Unit] = {}
        links = Unit.jurisdiction.through.objects.filter(unit_id__in=units).values_list("unit_id", "place_id")
        for unit_id, place_id in links.order_by("unit_id"):
            by_place.setdefault((units[unit_id].kind, place_id), units[unit_id])
        self.street_office = {p: u for (k, p), u in by_place.items() if k == UnitKind.STREET_OFFICE}
        self.committee = {p: u for (k, p), u in by_place.items() if k == UnitKind.COMMUNITY_COMMITTEE}
        self.command = {p: u for (k, p), u in by_place.items() if k == UnitKind.COMMAND_CENTRE}
        self.departments = [u for u in units.values() if u.kind == UnitKind.DISTRICT_DEPARTMENT and u.department_type]

    def place(self, pk: int) -> Place:
        if pk not in self._place_cache:
            self._place_cache[pk] = Place.objects.get(pk=pk)
        return self._place_cache[pk]

    def owner(self, matter: Matter | None, spot: Spot) -> Unit | None:
        """The responsibility list's answer (orgs.queries.responsible_unit), asked once for each kind of
        answer it can give: its unit depends on the matter only through these parts, and on the place
        only through its community (admitted community matters) or its street (everything else)."""
        if matter is None or not matter.is_active or matter.is_disputed:
            key: tuple[Any, ...] = ("street fallback", spot.street_id)
        elif matter.owner_level == OwnerLevel.COMMUNITY:
            admitted = matter.pk in self.admitted
            key = ("community", admitted, spot.community_id if admitted else spot.street_id)
        elif matter.owner_level == OwnerLevel.STREET:
            key = ("street", spot.street_id)
        else:
            key = ("district", matter.department_type, spot.street_id)
        if key not in self._owner:
            self._owner[key] = responsible_unit(matter, self.place(spot.place_id)).unit
        return self._owner[key]

    def above(self, case: Case, spot: Spot) -> Unit | None:
        """The level above the case's lead unit (routing.level_above), asked once per unit kind and street."""
        key = (case.lead_unit.kind if case.lead_unit else "", spot.street_id)
        if key not in self._above:
            probe = Case(place=self.place(spot.place_id), lead_unit=case.lead_unit)
            self._above[key] = level_above(probe)
        return self._above[key]

    def department(self, spot: Spot, *types: str) -> Unit | None:
        """A district department of one of `types` whose jurisdiction covers the spot's district."""
        for dtype in types:
            for unit in self.departments:
                if unit.department_type == dtype and self._covers(unit, spot):
                    return unit
        return None

    def _covers(self, unit: Unit, spot: Spot) -> bool:
        if unit.pk not in self._jurisdiction:
            self._jurisdiction[unit.pk] = set(unit.jurisdiction.values_list("pk", flat=True))
        lineage = {spot.district_id, spot.street_id, spot.community_id, spot.grid_id, spot.place_id}
        return bool(self._jurisdiction[unit.pk] & lineage)

    def specs(self, matter: Matter | None, urgency: str, unit: Unit | None) -> Deadlines:
        key = (getattr(matter, "pk", None), urgency, getattr(unit, "kind", ""))
        if key not in self._specs:
            self._specs[key] = deadlines_for(matter, urgency, unit)
        return self._specs[key]

    # ----------------------------------------------------------------------------------------------
    # people

    def _holder(self, role: str, **target: Any) -> User | None:
        grant = (
            Grant.objects.active()
            .filter(role=role, user__is_active=True, **target)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        return grant.user if grant else None

    def _person(self, role: str, username: str, display: str, **target: Any) -> User:
        found = self._holder(role, **target)
        if found is not None:
            return found
        places = [target["place"]] if "place" in target else []
        units = [target["unit"]] if "unit" in target else []
        return create_user(None, username=username, role=role, display_name=display, places=places, units=units)

    def _staff(self) -> None:
        places = Place.objects.in_bulk(
            [*self.street_office, *self.committee, *self.command, *{s.grid_id for s in self.spots if s.grid_id}]
        )
        self.dispatcher = {
            pk: self._person(
                Role.STREET_DISPATCHER, f"dispatch-{places[pk].code}", f"{places[pk].name}派单员", place=places[pk]
            )
            for pk in self.street_office
        }
        self.commander = {
            pk: self._person(
                Role.DISTRICT_COMMAND,
                f"command-{places[pk].code}",
                f"{places[pk].name}指挥中心值班员",
                place=places[pk],
            )
            for pk in self.command
        }
        self.handler_of = {
            u.pk: self._person(Role.DEPARTMENT_HANDLER, f"handler-{u.code}", f"{u.name}承办人", unit=u)
            for u in self.departments
        }
        self.worker = {}
        for pk in self.committee:
            found = self._holder(Role.COMMUNITY_WORKER, place=places[pk]) or self._holder(
                Role.COMMUNITY_SECRETARY, place=places[pk]
            )
            self.worker[pk] = found or create_user(
                None,
                username=f"worker-{places[pk].code}",
                role=Role.COMMUNITY_WORKER,
                display_name=f"{places[pk].name}社区工作者",
                places=[places[pk]],
            )
        # Who acts for each unit that holds cases: the person working at its place, or its handler.
        self.acting: dict[int, User] = dict(self.handler_of)
        for people, units in (
            (self.dispatcher, self.street_office),
            (self.worker, self.committee),
            (self.commander, self.command),
        ):
            for place_id, unit in units.items():
                self.acting.setdefault(unit.pk, people[place_id])
        grid_ids = sorted({s.grid_id for s in self.spots if s.grid_id})
        held = Grant.objects.active().filter(role=Role.GRID_WORKER, place_id__in=grid_ids, user__is_active=True)
        self.grid_worker: dict[int, User] = {
            int(g.place_id or 0): g.user for g in held.select_related("user").order_by("-user_id")
        }
        # The demo's own accounts work in the first grid that has a grid worker: the showcase cases go there.
        self.focus_grid = min(self.grid_worker) if self.grid_worker else None
        # The 12345 operators sit in the command centre of the district with most places.
        main = max(self.command, key=lambda pk: sum(s.district_id == pk for s in self.spots), default=None)
        self.operators: list[User] = []
        if main is not None:
            district = places[main]
            self.operators = [self.commander[main]] + [
                self._person_named(f"hotline-{district.code}-{n}", f"12345热线接线员{n}号", district) for n in (1, 2)
            ]

    def _person_named(self, username: str, display: str, district: Place) -> User:
        found = User.objects.filter(username=username).first()
        role = Role.DISTRICT_COMMAND
        return found or create_user(None, username=username, role=role, display_name=display, places=[district])

    def _residents(self, wanted: int) -> None:
        from linli.people.demo import registry_phones

        held = Grant.objects.active().filter(role=Role.RESIDENT, user__is_active=True).order_by("user_id")
        self.residents = [g.user for g in held.select_related("user")]
        self.demo_resident = next((u for u in self.residents if u.has_usable_password()), None)
        taken = set(User.objects.filter(Q(username__startswith="resident-")).values_list("username", flat=True))
        # Some reporters are people of the demo's registry (none without one): every sixth new resident
        # account, and some hotline callers (`caller_phone`), so that requests link to registered people.
        known = registry_phones(self.rng, REGISTRY_CALLERS + max(0, wanted - len(self.residents)) // 6)
        self.callers, known = known[:REGISTRY_CALLERS], known[REGISTRY_CALLERS:]
        n = 0
        while len(self.residents) < wanted:
            n += 1
            username = f"resident-{n:05d}"
            if username in taken:
                continue
            surname = SURNAMES[self.rng.randrange(len(SURNAMES))]
            title = "先生" if self.rng.random() < 0.5 else "女士"
            self.residents.append(
                create_user(
                    None,
                    username=username,
                    role=Role.RESIDENT,
                    display_name=f"{surname}{title}",
                    phone=known.pop() if known and n % 6 == 0 else mobile(self.rng),
                )
            )

    def caller_phone(self, rng: random.Random) -> str:
        """A hotline caller's number: now and then a registered person's, else a made-up one."""
        if self.callers and rng.random() < REGISTRY_CALLER_SHARE:
            return rng.choice(self.callers)
        return mobile(rng)

    def handler(self, unit: Unit | None, spot: Spot) -> User | None:
        """Who acts as `unit` (None: nobody works for it)."""
        return self.acting.get(unit.pk) if unit is not None else None

    def dispatcher_at(self, spot: Spot) -> User | None:
        return self.dispatcher.get(spot.street_id or -1) or self.commander.get(spot.district_id or -1)

    def field_worker(self, spot: Spot) -> User | None:
        return self.grid_worker.get(spot.grid_id or -1) or self.worker.get(spot.community_id or -1)


def mobile(rng: random.Random) -> str:
    """A made-up mobile number of a valid Chinese mobile range."""
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
