"""Freezing an owners' vote's roll from the registry at opening (DESIGN §8; the Supreme People's Court's
interpretation on building ownership, art. 8–9).

Which parts: every house (a leaf of the place tree, PlaceLevel.HOUSE, still active) under the vote's estate or
building. Which owners: the part's Ownership rows current at the opening day (`since` empty or not after it,
`until` empty or after it).

Area (by area) is the registered exclusive area: the sum of the current owners' `Ownership.area` when every
one of them has one (co-owners' rows each carry their share of the part, as the registry and the demo record
them), otherwise the house's own `House.area`. Heads (by head) follow the interpretation:
- one exclusive part counts as one voter, and its co-owners together as one (they choose who casts it);
- one owner of several parts counts once, with the sum of the parts' areas;
- parts owned by an organisation (the developer's unsold or undelivered parts) count as one voter per
  organisation, with the sum of their areas.
So a voter is an *owner set*: its `owner_key` is "p:" and the sorted person ids ("p:12,40"), "o:" and the
organisation's name ("o:某某置业"), both joined with ";" when persons and an organisation own together, and
"h:" with the key's SHA-256 when it would not fit in 200 characters. Parts with the same owner set are one
voter. (A person who owns one part alone and another with a spouse is two owner sets, hence two voters: the
registry records them as two different owners.)

Skipped, and reported to the person opening the vote (`FrozenRoll.skipped`): parts with no current owner
(nobody to vote for them) and parts with no registered area (they cannot be weighed; fix the registry and
open again — a draft can be opened only once, so the opener sees the list before deciding).

The roll digest (`Vote.roll_digest`, published as `roll.digest`) is the SHA-256, in lowercase hex, of the
UTF-8 text made of one line per entry, sorted by owner_key (code point order):
    <owner_key> TAB <area with two decimals> TAB <part place ids, ascending, joined by ","> LF
It commits to who is on the roll, by what weight, for which parts; anyone holding the roll (the staff's
export, an auditor) can recompute it, and it is what the published result names.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from linli.core.masking import mask_name
from linli.people.models import House, Ownership
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place, subtree_q

from .models_votes import RollEntry, RollOwner, Vote

KEY_LENGTH = 200
LABEL_LENGTH = 200
PARTS_IN_LABEL = 3
CENT = Decimal("0.01")


@dataclass
class Skipped:
    no_owner: list[str] = field(default_factory=list)
    no_area: list[str] = field(default_factory=list)


@dataclass
class FrozenRoll:
    owners: int
    area: Decimal
    digest: str
    skipped: Skipped


@dataclass
class _Voter:
    persons: dict[int, str] = field(default_factory=dict)  # id → name
    organisations: set[str] = field(default_factory=set)
    parts: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (place id, name, area)


def owner_key(person_ids: set[int], organisations: set[str]) -> str:
    pieces = []
    if person_ids:
        pieces.append("p:" + ",".join(str(pk) for pk in sorted(person_ids)))
    if organisations:
        pieces.append("o:" + "|".join(sorted(organisations)))
    key = ";".join(pieces)
    if len(key) > KEY_LENGTH:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def roll_line(key: str, area: Decimal, house_ids: list[int]) -> str:
    return f"{key}\t{area.quantize(CENT)}\t{','.join(str(pk) for pk in sorted(house_ids))}\n"


def roll_digest(lines: list[tuple[str, Decimal, list[int]]]) -> str:
    """The digest over (owner_key, area, part ids) rows, as the module's docstring defines it."""
    text = "".join(roll_line(key, area, ids) for key, area, ids in sorted(lines, key=lambda line: line[0]))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_digest(vote: Vote) -> str:
    """The digest recomputed from the stored roll (a check that the frozen roll was not changed)."""
    rows = vote.roll.values_list("owner_key", "area", "houses")
    return roll_digest([(key, area, [h["id"] for h in houses]) for key, area, houses in rows])


def _part_names(place: Place, houses: list[Place]) -> dict[int, str]:
    """Each house named from below the vote's place: "3号楼 2单元 301"."""
    between = dict(
        Place.objects.filter(subtree_q(place.path, include_self=False))
        .exclude(level=PlaceLevel.HOUSE)
        .values_list("pk", "name")
    )
    depth = len(place.path) // SEGMENT_WIDTH
    names = {}
    for house in houses:
        ids = [int(house.path[i : i + SEGMENT_WIDTH]) for i in range(0, len(house.path), SEGMENT_WIDTH)]
        names[house.pk] = " ".join([*(between.get(pk, "") for pk in ids[depth:-1]), house.name]).strip()
    return names


def _current(opening: date) -> Q:
    return (Q(since__isnull=True) | Q(since__lte=opening)) & (Q(until__isnull=True) | Q(until__gt=opening))


def collect(place: Place, opening: date) -> tuple[dict[str, _Voter], Skipped]:
    """The voters under `place` on `opening`, by owner key, and the parts left out."""
    houses = list(Place.objects.filter(subtree_q(place.path), level=PlaceLevel.HOUSE, is_active=True))
    names = _part_names(place, houses)
    house_area = dict(House.objects.filter(place__in=[h.pk for h in houses]).values_list("place_id", "area"))
    owners: dict[int, list[Ownership]] = defaultdict(list)
    rows = Ownership.objects.filter(_current(opening), house_id__in=[h.pk for h in houses]).select_related("person")
    for ownership in rows:
        owners[ownership.house_id].append(ownership)
    voters: dict[str, _Voter] = {}
    skipped = Skipped()
    for house in sorted(houses, key=lambda h: h.path):
        held = owners.get(house.pk, [])
        if not held:
            skipped.no_owner.append(names[house.pk])
            continue
        if all(o.area for o in held):
            area: Decimal | None = sum((o.area for o in held if o.area), Decimal(0))
        else:
            area = house_area.get(house.pk)
        if not area or area <= 0:
            skipped.no_area.append(names[house.pk])
            continue
        persons = {o.person_id: o.person.name for o in held if o.person_id and o.person}
        organisations = {o.organisation for o in held if not o.person_id and o.organisation}
        voter = voters.setdefault(owner_key(set(persons), organisations), _Voter())
        voter.persons.update(persons)
        voter.organisations |= organisations
        voter.parts.append((house.pk, names[house.pk], Decimal(area).quantize(CENT)))
    return voters, skipped


def label(voter: _Voter) -> str:
    parts = "、".join(name for _, name, _ in voter.parts[:PARTS_IN_LABEL])
    if len(voter.parts) > PARTS_IN_LABEL:
        parts += f" 等{len(voter.parts)}套"
    who = "、".join([*(mask_name(n) for _, n in sorted(voter.persons.items())), *sorted(voter.organisations)])
    text = f"{parts} · {who}" if who else parts
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def freeze_roll(vote: Vote, opening: date | None = None) -> FrozenRoll:
    """Write the vote's roll (RollEntry and RollOwner rows) and set its totals and digest (saved by the
    caller, open_vote, with the state). Call inside the opening's transaction, on a vote with no roll yet."""
    from django.utils import timezone

    if vote.roll.exists():
        raise ValueError(f"vote {vote.pk} already has a roll")
    voters, skipped = collect(vote.place, opening or timezone.localdate())
    entries = []
    for key, voter in voters.items():
        area = sum((a for _, _, a in voter.parts), Decimal(0))
        houses = [{"id": pk, "name": name} for pk, name, _ in sorted(voter.parts)]
        entries.append(RollEntry(vote=vote, owner_key=key, label=label(voter), area=area, houses=houses))
    RollEntry.objects.bulk_create(entries)
    entry_of = dict(vote.roll.values_list("owner_key", "pk"))
    owners: list[Any] = []
    for key, voter in voters.items():
        owners += [RollOwner(entry_id=entry_of[key], person_id=pk) for pk in sorted(voter.persons)]
        owners += [RollOwner(entry_id=entry_of[key], organisation=o) for o in sorted(voter.organisations)]
    RollOwner.objects.bulk_create(owners)
    vote.roll_owners = len(entries)
    vote.roll_area = sum((e.area for e in entries), Decimal("0.00"))
    vote.roll_digest = roll_digest([(e.owner_key, e.area, [h["id"] for h in e.houses]) for e in entries])
    return FrozenRoll(vote.roll_owners, vote.roll_area, vote.roll_digest, skipped)
