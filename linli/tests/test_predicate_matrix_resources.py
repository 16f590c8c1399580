"""The generated predicate matrix for the resource library and venue bookings (issue 20): every viewer of the
matrix world × every library predicate of linli.accounts.predicates × every entry or booking of the world,
against a table written from DESIGN §1 and §9 (and the library's scope spec, matrix_spec_resources), never
from the code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import STAFF_ROLES, Role
from linli.resources.models import Booking, Resource

from .matrix_checks import Result
from .matrix_spec_resources import KEEPERS, READERS, ResourceFacts, _entries
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat, Snapshot

BOOKERS = STAFF_ROLES | {Role.VOLUNTEER}


def _admin(hats: list[Hat]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def _reads(facts: ResourceFacts, user: Any, hats: list[Hat], entry: Resource) -> bool:
    return _admin(hats) or entry.pk in _entries(facts, user, hats, "view")


def _keeps(facts: ResourceFacts, user: Any, hats: list[Hat], entry: Resource) -> bool:
    return _admin(hats) or entry.pk in _entries(facts, user, hats, "change")


def _roles(hats: list[Hat], roles: Any) -> bool:
    return _admin(hats) or any(h.role in roles for h in hats)


# name → (objects: "role" | "entry" | "booking", who may)
TABLE: dict[str, tuple[str, Callable[..., bool]]] = {
    # §1 community staff keep the community's lists; district command its district's.
    "can_add_resource": ("role", lambda f, u, h, o: _roles(h, KEEPERS)),
    "can_export_resources": ("role", lambda f, u, h, o: _roles(h, READERS)),
    # Community staff of the entry's place, and the entry's steward (§9 "each item's steward keeps it current").
    "can_edit_resource": ("entry", lambda f, u, h, o: bool(h) and _keeps(f, u, h, o)),
    # §7 personal data in the clear only where the role needs it: staff who read the entry, and its steward.
    "can_see_resource_contact": (
        "entry",
        lambda f, u, h, o: bool(h) and (o.steward_id == u.pk or (_roles(h, STAFF_ROLES) and _reads(f, u, h, o))),
    ),
    # Venues only, while in the library; staff and volunteers (organisers) who read it, its steward, and the
    # contact of a resident unit.
    "can_book_venue": (
        "entry",
        lambda f, u, h, o: (
            bool(h)
            and o.kind == "venue"
            and o.retired_at is None
            and _reads(f, u, h, o)
            and (
                _roles(h, BOOKERS)
                or o.steward_id == u.pk
                or Resource.objects.filter(kind="resident_unit", retired_at__isnull=True, contact_user=u).exists()
            )
        ),
    ),
    "can_decide_booking": ("booking", lambda f, u, h, o: bool(h) and _keeps(f, u, h, o.resource)),
    "can_cancel_booking": (
        "booking",
        lambda f, u, h, o: bool(h) and (o.booked_by_id == u.pk or _keeps(f, u, h, o.resource)),
    ),
    "can_see_booking_details": (
        "booking",
        lambda f, u, h, o: (
            bool(h)
            and (
                o.booked_by_id == u.pk
                or _keeps(f, u, h, o.resource)
                or (_roles(h, STAFF_ROLES) and _reads(f, u, h, o.resource))
            )
        ),
    ),
}


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    snap = Snapshot()
    facts = snap.resource_facts
    objects = {
        "role": [("-", None)],
        "entry": [(f"entry#{r.pk}({r.name})", r) for r in Resource.objects.order_by("pk")],
        "booking": [(f"booking#{b.pk}", b) for b in Booking.objects.select_related("resource").order_by("pk")],
    }
    for viewer in viewers(matrix_world):
        for name, (reach, rule) in TABLE.items():
            if names is not None and name not in names:
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in objects[reach]:
                user = viewer.fresh()
                hats = snap.hats(user, viewer.only)
                want = user.is_active and rule(facts, user, hats, obj)
                try:
                    got = bool(predicate(user) if reach == "role" else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_library_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 500, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_library_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Resource and expert library") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
def test_a_broken_predicate_fails_the_matrix(matrix_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not predicate_probes(matrix_world, {"can_see_resource_contact"}).failures
    monkeypatch.setattr(predicates, "can_see_resource_contact", lambda user, entry: True)
    assert predicate_probes(matrix_world, {"can_see_resource_contact"}).failures
