"""The scope matrix's checks for the registry's read paths (the REST API under /api/v1/persons, households,
houses): lists show every row in reach and no other, a record out of reach is a 404, a record's nested parts
(members, owners, tenants, care tags) follow their own rule, and no answer holds a clear identity number or
phone, or a sensitive person's full name. Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from linli.api.pagination import MAX_LIMIT

from .matrix_checks import DENIED, HIDDEN, Probe, _detail, _leaks, _pk_map, _sample, _xlsx_leaks


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


def page(probe: Probe, label: str, u: Callable[..., str]) -> None:
    """A registry page of one record: 404 out of reach; in reach, no outside marker and nothing in the clear."""
    _detail(probe, label, _by_pk(u))
    objects = _pk_map(label)
    for pk in sorted(_sample(probe, probe.want(label)[0], probe.per_side)):
        url = u(pk=objects[pk].pk)
        _leaks(probe, url)
        response = probe.client.get(url)
        if response.status_code == 200:
            _masked(probe, url, response.content.decode())


def visit_form(probe: Probe, u: Callable[..., str]) -> None:
    """The visit form: out of reach 404; in reach 200, or 403 for a role that does not visit, or 404 for a
    person who has left (nobody is visited after moving away)."""
    must, never = probe.want("people.person")
    persons = _pk_map("people.person")
    for pk in sorted(_sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)):
        status = probe.client.get(u(pk=pk)).status_code
        if pk in never:
            probe.check(status in HIDDEN | DENIED, f"GET {u(pk=pk)} (person#{pk} outside) → {status}")
        else:
            allowed = {200} | DENIED | (HIDDEN if persons[pk].left_on else set())
            probe.check(status in allowed, f"GET {u(pk=pk)} (person#{pk} inside) → {status}")


def visit_photo(probe: Probe, u: Callable[..., str]) -> None:
    """A visit's photo: out of reach always 404; in reach 200, or 404 when the visit has no photo."""
    must, never = probe.want("people.carevisit")
    visits = _pk_map("people.carevisit")
    for pk in sorted(_sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)):
        status = probe.client.get(u(pk=pk)).status_code
        if pk in never:
            probe.check(status in HIDDEN | DENIED, f"GET {u(pk=pk)} (visit#{pk} outside) → {status}")
        else:
            ok = status == 200 if visits[pk].photo else status in HIDDEN | DENIED | {200}
            probe.check(ok, f"GET {u(pk=pk)} (visit#{pk} inside) → {status}")


def listing(probe: Probe, url: str, **params: str) -> None:
    _leaks(probe, url, params)
    response = probe.client.get(url, params)
    if response.status_code == 200:
        _masked(probe, url, response.content.decode())


def own_import(probe: Probe, u: Callable[..., str]) -> None:
    """An import's column mapping or preview: never another's (out of reach: 404); one's own may answer, or
    send the uploader on when the job is past that step."""
    must, never = probe.want("people.registryimport")
    for pk in sorted(_sample(probe, must, probe.per_side) | _sample(probe, never, probe.per_side)):
        status = probe.client.get(u(pk=pk)).status_code
        if pk in never:
            probe.check(status in HIDDEN | DENIED, f"GET {u(pk=pk)} (import#{pk} outside) → {status}")
        else:
            probe.check(status in {200, 302} | HIDDEN | DENIED, f"GET {u(pk=pk)} (import#{pk} inside) → {status}")


def export(probe: Probe, url: str) -> None:
    """A registry export: no outside marker, and masked (the viewer did not ask for the clear file)."""
    from openpyxl import load_workbook

    _xlsx_leaks(probe, url)
    response = probe.client.get(url)
    if response.status_code == 200:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        text = "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
        _masked(probe, url, text)


def listings(probe: Probe, url: str, *queries: dict[str, str]) -> None:
    for params in queries:
        listing(probe, url, **params)


PEOPLE_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "people:search": lambda p, u: listings(p, u(), {}, {"q": "矩阵"}, {"q": "矩阵", "status": "all"}),
    "people:person": lambda p, u: page(p, "people.person", u),
    "people:household": lambda p, u: page(p, "people.household", u),
    "people:house": lambda p, u: page(p, "people.house", u),
    "people:statistics": lambda p, u: listing(p, u()),
    "people:statistics_export": lambda p, u: _xlsx_leaks(p, u()),
    "people:care_list": lambda p, u: listings(p, u(), {}, {"due": "overdue"}),
    "people:care_map": lambda p, u: listing(p, u()),
    "people:care_rules": lambda p, u: listing(p, u()),
    "people:care_visit": visit_form,
    "people:care_history": lambda p, u: page(p, "people.person", u),
    "people:care_photo": visit_photo,
    "people:transfer": lambda p, u: listing(p, u()),
    "people:transfer_job": lambda p, u: page(p, "people.registryimport", u),
    "people:transfer_progress": lambda p, u: page(p, "people.registryimport", u),
    "people:transfer_mapping": own_import,
    "people:transfer_preview": own_import,
    "people:transfer_export_persons": lambda p, u: export(p, u()),
    "people:transfer_export_houses": lambda p, u: export(p, u()),
    "places:add_child": lambda p, u: _detail(p, "places.place", _by_pk(u)),
    "places:edit": lambda p, u: _detail(p, "places.place", _by_pk(u)),
    "api:person-list": lambda p, u: _list(p, "people.person", u()),
    "api:person-detail": person_detail,
    "api:person-care-tags": person_care_tags,
    "api:household-list": lambda p, u: _list(p, "people.household", u()),
    "api:household-detail": household_detail,
    "api:house-list": lambda p, u: _list(p, "people.house", u()),
    "api:house-detail": house_detail,
}
