"""The project packages' part of the matrix world: projects in every kind of state on each side, made through
linli.projects' actions, so that every clause of the projects' scope rules has rows on both sides of it.

| key         | at                 | state and what else                                                      |
|-------------|--------------------|--------------------------------------------------------------------------|
| a_draft     | A grid 1           | draft, by community worker A: read by A's place roles only               |
| b_draft     | B estate           | draft, by community worker B                                             |
| x_cancelled | X grid (西城区)     | a draft cancelled before it was published: stays with X's place roles   |
| a_call      | A grid 2           | open call, claimed by service provider A and volunteer A                 |
| b_call      | B grid 1           | open call, claimed by service provider B and the two-hat user (volunteer)|
| a_assigned  | A estate           | assigned to service provider A (组织委派)                                 |
| b_progress  | B grid 1           | published, claimed by provider B, chosen, started, a report with a photo |
| a_closed    | A grid 1           | assigned to volunteer A, done, rated by resident A (a registry record in house A), closed |

Places are grids and estates, whose names no unit shares, so that a page naming a project's place names no
unit. The notices the actions send are removed: their titles repeat across inboxes, and the inbox probe tells
notices apart by title (linli/projects/tests pin who is told what).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.notices.models import Notice
from linli.people.actions import registry
from linli.projects import actions
from linli.projects.tests.conftest import jpeg

GRID_A1, GRID_A2, ESTATE_A = "110101001001001", "110101001001002", "110101001001001E01"
GRID_B1, ESTATE_B, GRID_X = "110101002001001", "110101002001001E01", "110102001001001"


def make_projects(world: Any) -> dict[str, Any]:
    users, outsiders, p = world.users, world.outsiders, world.places
    worker_a, worker_b = users[Role.COMMUNITY_WORKER], outsiders[Role.COMMUNITY_WORKER]
    provider_a, provider_b = users[Role.SERVICE_PROVIDER], outsiders[Role.SERVICE_PROVIDER]
    volunteer_a, multi, resident_a = users[Role.VOLUNTEER], world.extras["multi"], users[Role.RESIDENT]
    deadline = timezone.localdate() + datetime.timedelta(days=30)

    def new(actor: Any, key: str, place: str) -> Any:
        return actions.create_project(
            actor, title=f"矩阵项目{key}", goal=f"矩阵目标{key}", place=p[place], deadline=deadline, budget="9000"
        )

    def claim(user: Any, project: Any, key: str) -> Any:
        return actions.submit_claim(
            user, project, organisation=f"矩阵团队{key}", proposal=f"矩阵方案{key}", requested_budget="8000"
        )

    made: dict[str, Any] = {
        "a_draft": new(worker_a, "甲草", GRID_A1),
        "b_draft": new(worker_b, "乙草", ESTATE_B),
        "x_cancelled": new(outsiders[Role.DISTRICT_COMMAND], "丙撤", GRID_X),
    }
    actions.cancel(outsiders[Role.DISTRICT_COMMAND], made["x_cancelled"], reason="矩阵撤销")

    made["a_call"] = actions.publish_call(worker_a, new(worker_a, "甲榜", GRID_A2))
    made["a_claim_provider"] = claim(provider_a, made["a_call"], "甲商")
    made["a_claim_volunteer"] = claim(volunteer_a, made["a_call"], "甲志")
    made["b_call"] = actions.publish_call(worker_b, new(worker_b, "乙榜", GRID_B1))
    made["b_claim_provider"] = claim(provider_b, made["b_call"], "乙商")
    made["b_claim_multi"] = claim(multi, made["b_call"], "多帽")

    made["a_assigned"] = actions.assign_project(worker_a, new(worker_a, "甲派", ESTATE_A), provider_a, "矩阵甲家政")

    progress = actions.publish_call(worker_b, new(worker_b, "乙进", GRID_B1))
    made["b_progress_claim"] = claim(provider_b, progress, "乙进商")
    actions.choose_claim(worker_b, made["b_progress_claim"])
    actions.start(provider_b, progress)
    made["b_report"] = actions.report_progress(provider_b, progress, text="矩阵进展乙", photos=[jpeg("m.jpg")])
    made["b_progress"] = progress

    # Resident A lives in house A (under grid 1): a registry record with their verified phone.
    registry.register_person(
        worker_a, place=world.people.houses["a"], name="矩阵甲评分人", phone=resident_a.phone, residency="常住"
    )
    closed = actions.assign_project(worker_a, new(worker_a, "甲结", GRID_A1), volunteer_a, "矩阵甲志愿队")
    actions.start(volunteer_a, closed)
    actions.report_done(volunteer_a, closed, text="矩阵完工甲")
    made["a_rating"] = actions.rate(resident_a, closed, score=4, comment="矩阵评价甲")
    made["a_closed"] = actions.close(worker_a, closed)

    Notice.objects.filter(link__startswith="/projects/").delete()
    return made
