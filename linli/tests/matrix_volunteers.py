"""The volunteers' part of the matrix world (issue 20), made through the volunteers' actions after the
registry's people (linli/tests/matrix_people.py), so that every clause of the volunteers' scope has rows on
both sides of it. Used by conftest's `matrix_world`.

| key     | person / account                         | community | what else                                       |
|---------|------------------------------------------|-----------|-------------------------------------------------|
| a       | a_adult, account a_volunteer             | A         | confirmed on activity A; a first-aid certificate |
| b       | b_adult, account b_volunteer             | B         | confirmed on activity B; a first-aid certificate |
| x       | x_adult, no account                      | X (西城区) | signed up on activity X by hand; a certificate   |
| pending | none yet; account multi_worker (two hats) | B         | a resident's sign-up waiting for community B     |

Activities and standing posts: one of each in communities A, B and X, published by each side's keeper.
No grant is added: the volunteers' accounts keep the grants the world gave them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.volunteers.actions.activities import publish_activity, publish_post
from linli.volunteers.actions.attendance import sign_up
from linli.volunteers.actions.volunteers import record_certificate, register_volunteer, sign_up_volunteer
from linli.volunteers.choices import SignupState
from linli.volunteers.models import Activity, Post, Signup, Volunteer

COMMUNITIES = {"a": "110101001001", "b": "110101002001", "x": "110102001001"}
MARKS = {"a": "甲", "b": "乙", "x": "丙"}


@dataclass
class Volunteers:
    volunteers: dict[str, Volunteer] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    signups: dict[str, Signup] = field(default_factory=dict)


def make_volunteers(world: Any) -> Volunteers:
    users, outsiders, people = world.users, world.outsiders, world.people
    keepers = {
        "a": users[Role.COMMUNITY_WORKER],
        "b": outsiders[Role.COMMUNITY_WORKER],
        "x": outsiders[Role.DISTRICT_COMMAND],
    }
    accounts = {"a": users[Role.VOLUNTEER], "b": outsiders[Role.VOLUNTEER], "x": None}
    made = Volunteers()
    begins = timezone.now() + datetime.timedelta(days=3)
    for side, keeper in keepers.items():
        community = world.places[COMMUNITIES[side]]
        volunteer = register_volunteer(keeper, people[f"{side}_adult"], roles=["mediator"])
        if accounts[side] is not None:
            Volunteer.objects.filter(pk=volunteer.pk).update(user=accounts[side])
            volunteer.refresh_from_db()
        made.volunteers[side] = volunteer
        record_certificate(keeper, volunteer, kind="first_aid", number=f"矩阵证{MARKS[side]}")
        made.activities[side] = publish_activity(
            keeper,
            community=community,
            title=f"矩阵活动{MARKS[side]}",
            starts_at=begins,
            ends_at=begins + datetime.timedelta(hours=2),
            needed=5,
            auto_confirm=True,
        )
        made.posts[side] = publish_post(
            keeper,
            community=community,
            title=f"矩阵岗位{MARKS[side]}",
            pattern=[{"weekday": 2, "start": "08:00", "end": "10:00"}],
        )
        if accounts[side] is not None:
            made.signups[side] = sign_up(accounts[side], made.activities[side])
        else:
            made.signups[side] = Signup.objects.create(
                activity=made.activities[side], volunteer=volunteer, state=SignupState.CONFIRMED
            )
    multi = world.extras["multi"]
    made.volunteers["pending"] = sign_up_volunteer(
        multi, name="矩阵待审人", community=world.places[COMMUNITIES["b"]], roles=["civility_model"]
    )
    return made
