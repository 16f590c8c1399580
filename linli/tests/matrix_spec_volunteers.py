"""The data-scope spec for volunteers and activities (DESIGN §1 "sees", §9), over the fixture world's
volunteers (linli/tests/matrix_volunteers.py).

Written from the rules, not from linli.volunteers.scoping, and deciding in Python over rows read once:
- a volunteer's record, certificates and sign-ups are read by the place roles (community staff, street
  dispatcher, district command; grid workers where the community lies under their grid) under whose places
  the volunteer's community lies — the activity's community for a sign-up — and by the volunteer whose
  account the record names (§1 "own records"); changed by the community's keepers (community worker,
  secretary, district command) there, never through the scope by the volunteer;
- an activity or standing post is read by the place roles above or below its community (a grid worker reads
  its community's activities: they are the community's notice board), by residents and volunteers whose
  registry record (by the verified phone) or volunteer grant lies in that community, and by the volunteer
  whose record is of that community; changed by the keepers under the community;
- the skills catalogue: read by every grant holder, changed by district command;
- platform admins reach everything; exporting is reading; "pick" is left open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.people.models import Person
from linli.volunteers.models import Activity, Certificate, Post, Signup, Skill, Volunteer

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
TAKING_PART = {Role.RESIDENT, Role.VOLUNTEER}

VOLUNTEER_MODELS: dict[str, type[Any]] = {
    "volunteers.skill": Skill,
    "volunteers.volunteer": Volunteer,
    "volunteers.certificate": Certificate,
    "volunteers.post": Post,
    "volunteers.activity": Activity,
    "volunteers.signup": Signup,
}
CATALOGUES = {"volunteers.skill": "skills"}


class VolunteerFacts:
    """The world's volunteers, read once per matrix run: each row's community path and owning account."""

    def __init__(self) -> None:
        self.skills = set(Skill.objects.values_list("pk", flat=True))
        # label → pk → (community path, owning user id or None)
        self.rows: dict[str, dict[int, tuple[str, int | None]]] = {
            "volunteers.volunteer": {
                pk: (path, user) for pk, path, user in Volunteer.objects.values_list("pk", "community__path", "user_id")
            },
            "volunteers.certificate": {
                pk: (path, user)
                for pk, path, user in Certificate.objects.values_list(
                    "pk", "volunteer__community__path", "volunteer__user_id"
                )
            },
            "volunteers.signup": {
                pk: (path, user)
                for pk, path, user in Signup.objects.values_list(
                    "pk", "activity__community__path", "volunteer__user_id"
                )
            },
            "volunteers.activity": {
                pk: (path, None) for pk, path in Activity.objects.values_list("pk", "community__path")
            },
            "volunteers.post": {pk: (path, None) for pk, path in Post.objects.values_list("pk", "community__path")},
        }
        self.volunteer_communities: dict[int, set[str]] = {}
        for user, path in Volunteer.objects.filter(user__isnull=False).values_list("user_id", "community__path"):
            self.volunteer_communities.setdefault(user, set()).add(path)
        self.homes: dict[str, set[str]] = {}
        for digest, path in Person.objects.filter(left_on__isnull=True, phone_digest__isnull=False).values_list(
            "phone_digest", "place__path"
        ):
            self.homes.setdefault(digest or "", set()).add(path)


def _activity_reach(facts: VolunteerFacts, user: Any, hats: list[Any], path: str) -> bool:
    staff = [h.path for h in hats if h.role in READERS and h.path]
    if any(path.startswith(p) or p.startswith(path) for p in staff):
        return True
    if not any(h.role in TAKING_PART for h in hats):
        return False
    homes = set(facts.homes.get(user.phone_digest or "", set()))
    homes |= {h.path for h in hats if h.role in TAKING_PART and h.path}
    homes |= facts.volunteer_communities.get(user.pk, set())
    return any(home.startswith(path) for home in homes)


def volunteer_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: VolunteerFacts = snap.volunteer_facts
        rows = facts.rows[label]
        if action == "pick":
            return set(), set(rows)
        if not hats:
            return set(), set()
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return set(rows), set()
        if action == "change":
            paths = [h.path for h in hats if h.role in KEEPERS and h.path]
            return {pk for pk, (path, _) in rows.items() if any(path.startswith(p) for p in paths)}, set()
        if label in ("volunteers.activity", "volunteers.post"):
            return {pk for pk, (path, _) in rows.items() if _activity_reach(facts, user, hats, path)}, set()
        paths = [h.path for h in hats if h.role in READERS and h.path]
        return {
            pk for pk, (path, owner) in rows.items() if owner == user.pk or any(path.startswith(p) for p in paths)
        }, set()

    return rule
