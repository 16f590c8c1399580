"""Deliberation's part of the matrix world: topics on each side and at each level, with their comments,
meetings, attendees, follow-up links and timelines, made through linli.participation.actions where a path
exists (the far-away raiser's topic and the follow-up link to an existing case are written as rows).

| key         | place               | raised by                 | what else                                          |
|-------------|---------------------|---------------------------|----------------------------------------------------|
| a_building  | building A          | resident A (lives in A)   | discussed; a comment, a hidden one; a meeting with an invitee |
| a_community | community A         | grid worker A             | linked to the case a_found                          |
| b_estate    | estate B            | community worker B        | discussed; a comment by B                           |
| x_building  | building X (西城区)  | district command X        | raised only                                         |
| far_own     | building A          | resident B (no home on record) | seen by resident B only as their own; a comment |

Resident A is registered at house A (linli/tests/matrix_people.py) with their account's phone, so their home
is found the way the topic scope finds it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.participation.actions import discussion, meetings, topics
from linli.participation.models import Comment, Topic, TopicCase, TopicEvent
from linli.people.actions import registry

BUILDING_A = "110101001001001E01B01"
COMMUNITY_A = "110101001001"
ESTATE_B = "110101002001001E01"
BUILDING_X = "110102001001001E01B01"


def make_topics(world: Any) -> dict[str, Topic]:
    users, outsiders, p = world.users, world.outsiders, world.places
    resident_a, resident_b = users[Role.RESIDENT], outsiders[Role.RESIDENT]
    worker_a, worker_b = users[Role.COMMUNITY_WORKER], outsiders[Role.COMMUNITY_WORKER]
    registry.register_person(
        worker_a,
        place=world.people.houses["a"],
        name="矩阵议题居民",
        phone=resident_a.phone,
        residency="户籍",
        birth_date="1975-06-07",
    )
    made: dict[str, Topic] = {}
    made["a_building"] = topics.raise_topic(resident_a, place=p[BUILDING_A], title="矩阵议题甲楼", body="加装扶手")
    topics.open_discussion(worker_a, made["a_building"])
    discussion.comment(resident_a, made["a_building"], "矩阵评论甲")
    rude = discussion.comment(worker_a, made["a_building"], "矩阵评论甲二")
    discussion.hide_comment(worker_a, rude, "重复")
    meetings.schedule_meeting(
        worker_a,
        made["a_building"],
        kind="offline",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        location="甲社区活动室",
        invitees=[{"name": "矩阵代表", "capacity": "居民代表"}],
    )
    made["a_community"] = topics.raise_topic(
        users[Role.GRID_WORKER], place=p[COMMUNITY_A], title="矩阵议题甲社区", body="停车难"
    )
    TopicCase.objects.create(topic=made["a_community"], case=world.cases["a_found"])
    made["b_estate"] = topics.raise_topic(worker_b, place=p[ESTATE_B], title="矩阵议题乙园", body="垃圾分类")
    topics.open_discussion(worker_b, made["b_estate"])
    discussion.comment(worker_b, made["b_estate"], "矩阵评论乙")
    made["x_building"] = topics.raise_topic(
        outsiders[Role.DISTRICT_COMMAND], place=p[BUILDING_X], title="矩阵议题丙楼", body="屋顶漏水"
    )
    # Raised by resident B before they moved away (no home on record now): theirs to read, nobody's nearby.
    far = Topic.objects.create(
        place=p[BUILDING_A], raised_by=resident_b, title="矩阵议题远方", body="旧事", state="discussing"
    )
    TopicEvent.objects.create(topic=far, kind="raised", actor=resident_b, new_state="discussing")
    Comment.objects.create(topic=far, author=resident_b, body="矩阵评论远方")
    made["far_own"] = far
    return made
