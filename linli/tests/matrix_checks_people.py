"""The scope matrix's checks for the registry's read paths (the REST API under /api/v1/persons, households,
houses): lists show every row in reach and no other, a record out of reach is a 404, a record's nested parts
(members, owners, tenants, care tags) follow their own rule, and no answer holds a clear identity number or
phone, or a sensitive person's full name. Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.api.pagination import MAX_LIMIT

from .matrix_checks import DENIED, Probe, _detail, _pk_map, _sample


def _clear_texts() -> list[tuple[str, str]]:
    """(what, text) that no registry answer may hold: numbers in the clear, sensitive persons' full names."""
    out = []
    for person in _pk_map("people.person").values():
        out += [(f"person#{person.pk} {field}", getattr(person, field)) for field in ("id_number", "phone")]
        if person.is_sensitive:
            out.append((f"person#{person.pk} full name", person.name))
    return [(what, text) for what, text in out if text]


def _masked(probe: Probe, url: str, body: str) -> None:
    for what, text in _clear_texts():
        probe.check(text not in body, f"GET {url} shows {what} in the clear")


def _list(probe: Probe, label: str, url: str) -> None:
    """A registry list: every row in reach is listed by id, no row out of reach is, nothing in the clear."""
    must, never = probe.want(label)
    response = probe.client.get(url, {"limit": MAX_LIMIT})
    if response.status_code != 200:
        probe.check(response.status_code in DENIED and not must, f"GET {url} → {response.status_code}")
        return
    listed = {row["id"] for row in response.json()["results"]}
    for pk in must:
        probe.check(pk in listed, f"GET {url}: {label}#{pk} inside, not listed")
    for pk in never:
        probe.check(pk not in listed, f"GET {url}: {label}#{pk} outside, listed")
    _masked(probe, url, response.content.decode())


def _parts(
    probe: Probe,
    parent_label: str,
    url_of: Callable[[Any], str],
    part_label: str,
    parent_of: Callable[[Any], int],
    key: str | None,
) -> None:
    """For records in reach, their detail lists each of their parts in reach and none out of reach."""
    must = probe.want(parent_label)[0]
    part_must, part_never = probe.want(part_label)
    parents, parts = _pk_map(parent_label), _pk_map(part_label)
    for pk in sorted(_sample(probe, must, probe.per_side)):
        url = url_of(parents[pk])
        response = probe.client.get(url)
        if response.status_code != 200:
            probe.check(
                response.status_code in DENIED, f"GET {url} ({parent_label}#{pk} inside) → {response.status_code}"
            )
            continue
        body = response.json()
        listed = {row["id"] for row in (body if key is None else body[key])}
        own = {part_pk for part_pk, part in parts.items() if parent_of(part) == pk}
        for part_pk in sorted(own & part_must):
            probe.check(part_pk in listed, f"GET {url}: {part_label}#{part_pk} inside, not listed")
        for part_pk in sorted(own & part_never):
            probe.check(part_pk not in listed, f"GET {url}: {part_label}#{part_pk} outside, listed")
        probe.check(listed <= own, f"GET {url}: lists {part_label} {sorted(listed - own)} of another record")
        _masked(probe, url, response.content.decode())


def _by_pk(u: Callable[..., str]) -> Callable[[Any], str]:
    return lambda obj: u(pk=obj.pk)


def person_detail(probe: Probe, u: Callable[..., str]) -> None:
    _detail(probe, "people.person", _by_pk(u))
    _parts(probe, "people.person", _by_pk(u), "people.householdmember", lambda m: m.person_id, "households")


def person_care_tags(probe: Probe, u: Callable[..., str]) -> None:
    _detail(probe, "people.person", _by_pk(u))
    _parts(probe, "people.person", _by_pk(u), "people.caretag", lambda t: t.person_id, None)


def household_detail(probe: Probe, u: Callable[..., str]) -> None:
    _detail(probe, "people.household", _by_pk(u))
    _parts(probe, "people.household", _by_pk(u), "people.householdmember", lambda m: m.household_id, "members")


def house_detail(probe: Probe, u: Callable[..., str]) -> None:
    _detail(probe, "people.house", _by_pk(u))
    _parts(probe, "people.house", _by_pk(u), "people.ownership", lambda o: o.house_id, "owners")
    _parts(probe, "people.house", _by_pk(u), "people.tenancy", lambda t: t.house_id, "tenants")
    _parts(probe, "people.house", _by_pk(u), "people.household", lambda h: h.house_id, "households")


PEOPLE_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "api:person-list": lambda p, u: _list(p, "people.person", u()),
    "api:person-detail": person_detail,
    "api:person-care-tags": person_care_tags,
    "api:household-list": lambda p, u: _list(p, "people.household", u()),
    "api:household-detail": household_detail,
    "api:house-list": lambda p, u: _list(p, "people.house", u()),
    "api:house-detail": house_detail,
}
