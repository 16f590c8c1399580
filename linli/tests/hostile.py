"""Hostile text in every free-text field a person can store today, for the tests that prove it stays inert.

Names with markup are refused at the door (core.validation.check_name), so the names here are written
straight into the database as legacy or hand-edited data would be: the pages must stay safe without
relying on that check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core import audit
from linli.core.choices import AuditAction
from linli.orgs.models import Matter, Unit
from linli.places.models import Place

# Breaks out of an attribute and of an element, tries a script element and a template expression.
HOSTILE = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>{{7*7}}'
# The same as a link target: harmless as text, dangerous only if a page ever used it as an href.
HOSTILE_URL = "javascript:window.__pwned=1//</title><svg onload=window.__pwned=1>"
# For fields of 64 characters (display names, matter classes).
HOSTILE_SHORT = '"><img src=x onerror="window.__pwned=1">{{7*7}}'


def hostile(tag: str, short: bool = False) -> str:
    """A hostile string made unique by its tag, so that each field can be found on the page."""
    return f"{tag}{HOSTILE_SHORT if short else HOSTILE}"


@dataclass
class Planted:
    texts: dict[str, str]  # field → the exact hostile text stored in it

    def __getitem__(self, key: str) -> str:
        return self.texts[key]


def plant(world: Any, matter: Matter) -> Planted:
    texts = {
        "street": hostile("S"),
        "community": hostile("C"),
        "grid1": hostile("G1"),
        "grid2": "G2" + HOSTILE_URL,
        "estate": hostile("E"),
        "unit_dept": hostile("UD"),
        "unit_street": "US" + HOSTILE_URL,
        "matter": hostile("M"),
        "keyword": hostile("K"),
        "major_class": hostile("MC", short=True),
        "display_district": hostile("DN", short=True),
        "display_dispatcher": hostile("DS", short=True),
        "display_resident": hostile("DR", short=True),
        "display_admin": hostile("DA", short=True),
    }
    for key, code in [
        ("street", "110101001000"),
        ("community", "110101001001"),
        ("grid1", "110101001001001"),
        ("grid2", "110101001001002"),
        ("estate", "110101001001001E01"),
    ]:
        Place.objects.filter(code=code).update(name=texts[key])
    Unit.objects.filter(pk=world.units["dept_a"].pk).update(name=texts["unit_dept"])
    Unit.objects.filter(pk=world.units["street_a"].pk).update(name=texts["unit_street"])
    Matter.objects.filter(pk=matter.pk).update(
        name=texts["matter"], keywords=[texts["keyword"], "路面脏"], major_class=texts["major_class"]
    )
    for key, user in [
        ("display_district", world.users[Role.DISTRICT_COMMAND]),
        ("display_dispatcher", world.users[Role.STREET_DISPATCHER]),
        ("display_resident", world.users[Role.RESIDENT]),
        ("display_admin", world.admin),
    ]:
        User.objects.filter(pk=user.pk).update(display_name=texts[key])
    # The audit timeline shows each event's target as text: one event names the hostile grid.
    audit.record(
        AuditAction.PLACE_UPDATED,
        actor=User.objects.get(pk=world.admin.pk),
        target=Place.objects.get(code="110101001001001"),
        data={"note": texts["grid1"]},
    )
    return Planted(texts)


def store_decision(actor: Any, title: str, body: str, address: str) -> Any:
    """A stored dispatch decision whose inputs are hostile, the way the API's decide endpoint stores one."""
    from linli.dispatch import actions, engine

    decision = engine.decide(title, body, address=address)
    return actions.record_decision(actor, decision, title=title, body=body, address=address)
