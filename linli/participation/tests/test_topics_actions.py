"""The deliberation actions: each transition, each refusal, the timeline they write, follow-up cases and the
vote's hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.cases.choices import CaseState
from linli.cases.models import Case
from linli.notices.models import Notice
from linli.participation.actions import discussion, follow_up, topics
from linli.participation.choices import DecisionKind, TopicState, VoteState
from linli.participation.models import Topic, TopicCase, TopicEvent

from .topics_world import BUILDING_A, BUILDING_B, COMMUNITY_A, ESTATE_A, TopicWorld, result_file, tw_fixture  # noqa: F401

S = TopicState
pytestmark = pytest.mark.django_db(transaction=False)


def kinds(topic: Topic) -> list[tuple[str, str, str]]:
    return list(TopicEvent.objects.filter(topic=topic).order_by("pk").values_list("kind", "old_state", "new_state"))


def test_committee_path_from_raising_to_done(tw: TopicWorld, django_capture_on_commit_callbacks: Any) -> None:
    topic = tw.raise_one()
    assert topic.state == S.RAISED and topic.raised_by == tw.resident
    with django_capture_on_commit_callbacks(execute=True):
        topics.open_discussion(tw.worker, topic)
    assert Notice.objects.filter(recipient=tw.resident).count() == 1  # the raiser hears it is taken up
    discussion.comment(tw.resident, topic, "支持！")
    topics.draft_proposal(tw.worker, topic, "每层加装扶手。")
    topics.decide_by_committee(tw.worker, topic, "adopted", "同意加装。", "第3次会议纪要")
    topics.publish_result(tw.worker, topic)
    link = follow_up.open_follow_up_case(tw.worker, topic, "请物业在一个月内加装扶手。", place=tw.house)
    topic.refresh_from_db()
    assert topic.state == S.FOLLOWING_UP and topic.decision_kind == DecisionKind.COMMITTEE
    case = Case.objects.get(pk=link.case_id)
    assert case.place == tw.house and case.channel == "grid" and TopicCase.objects.filter(topic=topic).count() == 1
    with pytest.raises(ValidationError, match="not finished"):
        follow_up.mark_done(tw.worker, topic)
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    follow_up.mark_done(tw.worker, topic)
    topic.refresh_from_db()
    assert topic.state == S.DONE and topic.done_at is not None
    assert kinds(topic) == [
        ("raised", "", S.RAISED),
        ("discussion_opened", S.RAISED, S.DISCUSSING),
        ("commented", S.DISCUSSING, S.DISCUSSING),
        ("proposal_drafted", S.DISCUSSING, S.PROPOSED),
        ("decided", S.PROPOSED, S.DECIDED),
        ("published", S.DECIDED, S.DECIDED),
        ("case_opened", S.DECIDED, S.FOLLOWING_UP),
        ("done", S.FOLLOWING_UP, S.DONE),
    ]


def test_the_last_case_closing_makes_the_topic_done(tw: TopicWorld) -> None:
    from linli.cases import timeline
    from linli.cases.actions.base import lock

    topic = tw.decided()
    first = follow_up.open_follow_up_case(tw.worker, topic, "加装扶手。")
    second = follow_up.open_follow_up_case(tw.worker, topic, "粉刷楼道。")
    for n, link in enumerate((first, second)):
        case = lock(link.case_id)
        old, case.state = case.state, CaseState.CLOSED
        timeline.append(case, "closed", old_state=old, new_state=CaseState.CLOSED)
        case.save()
        topic.refresh_from_db()
        assert topic.state == (S.FOLLOWING_UP if n == 0 else S.DONE)
    assert kinds(topic)[-1] == ("done", S.FOLLOWING_UP, S.DONE)


def test_who_may_raise_where(tw: TopicWorld) -> None:
    estate, community = tw.place(ESTATE_A), tw.place(COMMUNITY_A)
    assert tw.raise_one(place=estate).place == estate  # the estate above their home
    assert tw.raise_one(place=community).place == community
    with pytest.raises(PermissionDenied):
        tw.raise_one(place=tw.place(BUILDING_B))  # not where they live
    with pytest.raises(PermissionDenied):
        tw.raise_one(place=tw.place("110101001000"))  # a street is not a topic's place
    with pytest.raises(PermissionDenied):
        topics.raise_topic(tw.outsider, place=tw.place(BUILDING_A), title="t", body="b")
    assert topics.raise_topic(tw.grid, place=community, title="网格议题", body="b").place == community
    assert topics.raise_topic(tw.worker, place=estate, title="社区议题", body="b").raised_by == tw.worker
    with pytest.raises(PermissionDenied):
        topics.raise_topic(tw.worker_b, place=estate, title="t", body="b")
    with pytest.raises(ValidationError):
        tw.raise_one(title="  ")
    with pytest.raises(ValidationError):
        tw.raise_one(title="<script>alert(1)</script>")


def test_each_step_refuses_the_wrong_person_and_the_wrong_state(tw: TopicWorld) -> None:
    topic = tw.raise_one()
    with pytest.raises(PermissionDenied):
        topics.open_discussion(tw.resident, topic)
    with pytest.raises(PermissionDenied):
        topics.open_discussion(tw.worker_b, topic)
    with pytest.raises(PermissionDenied):
        topics.open_discussion(tw.grid, topic)  # grid workers raise and read; the committee steers
    with pytest.raises(ValidationError, match="cannot be"):
        discussion.comment(tw.resident, topic, "太早了")
    with pytest.raises(ValidationError):
        topics.draft_proposal(tw.worker, topic, "x")
    with pytest.raises(ValidationError):
        topics.decide_by_committee(tw.worker, topic, "adopted", "d", "m")
    topics.open_discussion(tw.worker, topic)
    with pytest.raises(ValidationError):
        topics.open_discussion(tw.worker, topic)
    with pytest.raises(ValidationError):
        topics.decide_by_committee(tw.worker, topic, "adopted", "d", "m")
    topics.draft_proposal(tw.worker, topic, "方案")
    with pytest.raises(ValidationError):
        topics.decide_by_committee(tw.worker, topic, "maybe", "d", "m")
    with pytest.raises(ValidationError):
        topics.decide_by_committee(tw.worker, topic, "adopted", "d", "")  # minutes are required
    with pytest.raises(ValidationError):
        topics.publish_result(tw.worker, topic)
    topics.decide_by_committee(tw.worker, topic, "not_adopted", "不予采纳", "纪要")
    with pytest.raises(ValidationError):
        topics.reject_topic(tw.worker, topic, "已决定")  # only before a decision
    with pytest.raises(ValidationError, match="published"):
        follow_up.open_follow_up_case(tw.worker, topic, "x")
    topics.publish_result(tw.worker, topic)
    with pytest.raises(ValidationError):
        topics.publish_result(tw.worker, topic)
    with pytest.raises(ValidationError, match="adopted"):
        follow_up.open_follow_up_case(tw.worker, topic, "x")  # not adopted: nothing to carry out
    follow_up.mark_done(tw.worker, topic)  # a published decision needing no case is done at once
    assert Topic.objects.get(pk=topic.pk).state == S.DONE


def test_follow_up_case_place_must_be_under_the_topic(tw: TopicWorld) -> None:
    topic = tw.decided()
    with pytest.raises(ValidationError, match="under it"):
        follow_up.open_follow_up_case(tw.worker, topic, "x", place=tw.place(ESTATE_A))
    assert Case.objects.count() == 0


def test_reject_with_a_reason_from_each_state_before_a_decision(
    tw: TopicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    for walk in (tw.raise_one, lambda: topics.open_discussion(tw.worker, tw.raise_one()), tw.proposed):
        topic = walk()
        with pytest.raises(ValidationError):
            topics.reject_topic(tw.worker, topic, "")
        with django_capture_on_commit_callbacks(execute=True):
            topics.reject_topic(tw.worker, topic, "属于物业合同范围，请联系物业")
        topic.refresh_from_db()
        assert topic.state == S.REJECTED and topic.rejected_reason.startswith("属于")
    assert Notice.objects.filter(recipient=tw.resident, title__contains="").count() >= 3


def test_comments_replies_and_moderation(tw: TopicWorld) -> None:
    topic = tw.raise_one()
    topics.open_discussion(tw.worker, topic)
    first = discussion.comment(tw.resident, topic, "支持")
    reply = discussion.comment(tw.worker, topic, "收到", parent=first, name_masked=False)
    assert reply.parent == first
    other = tw.raise_one(title="另一个")
    topics.open_discussion(tw.worker, other)
    with pytest.raises(ValidationError):
        discussion.comment(tw.resident, other, "串题", parent=first)
    with pytest.raises(PermissionDenied):
        discussion.comment(tw.outsider, topic, "我不住这里")
    with pytest.raises(PermissionDenied):
        discussion.hide_comment(tw.resident, first, "我不喜欢")
    with pytest.raises(ValidationError):
        discussion.hide_comment(tw.worker, first, "")
    hidden = discussion.hide_comment(tw.worker, first, "含有人身攻击")
    assert hidden.hidden_at is not None and hidden.body == "支持" and hidden.hidden_by == tw.worker
    with pytest.raises(ValidationError):
        discussion.hide_comment(tw.worker, first, "again")
    with pytest.raises(ValidationError):
        discussion.comment(tw.resident, topic, "回复被隐藏的", parent=first)
    assert kinds(topic)[-1] == ("comment_hidden", S.DISCUSSING, S.DISCUSSING)


def test_put_to_vote_and_the_vote_settles_it(tw: TopicWorld) -> None:
    topic = tw.proposed()
    with pytest.raises(ValidationError):
        topics.put_to_vote(tw.worker, topic, tw.vote(state=VoteState.CLOSED))
    with pytest.raises(ValidationError, match="below"):
        topics.put_to_vote(tw.worker, topic, tw.vote(place=COMMUNITY_A))
    with pytest.raises(PermissionDenied):
        topics.put_to_vote(tw.resident, topic, tw.vote())
    vote = tw.vote(place=BUILDING_A)
    topics.put_to_vote(tw.worker, topic, vote)
    topic.refresh_from_db()
    assert topic.state == S.DECIDING and topic.vote == vote and topic.decision_kind == DecisionKind.VOTE
    second = tw.proposed(title="第二个")
    with pytest.raises(ValidationError, match="another topic"):
        topics.put_to_vote(tw.worker, second, vote)
    with pytest.raises(ValidationError):
        topics.reject_topic(tw.worker, topic, "表决中不能驳回")
    vote.state, vote.result = VoteState.CLOSED, result_file(vote, [True, True])
    vote.save()
    settled = topics.vote_closed(vote)
    assert settled is not None and settled.state == S.DECIDED and settled.outcome == "adopted"
    assert settled.published_at is not None
    assert kinds(topic)[-1] == ("decided", S.DECIDING, S.DECIDED)
    assert follow_up.open_follow_up_case(tw.worker, settled, "加装扶手").topic == settled


def test_a_vote_with_a_failed_question_does_not_adopt(tw: TopicWorld) -> None:
    topic = tw.proposed(place=tw.place(ESTATE_A))
    vote = tw.vote(state=VoteState.OPEN)
    topics.put_to_vote(tw.worker, topic, vote)
    vote.state, vote.result = VoteState.CLOSED, result_file(vote, [True, False])
    vote.save()
    assert topics.vote_closed(vote).outcome == "not_adopted"  # type: ignore[union-attr]
    assert topics.vote_closed(tw.vote()) is None  # a vote deciding no topic: nothing to settle


@pytest.mark.parametrize(
    ("result", "adopted"),
    [
        (None, False),
        ({}, False),
        ({"outcome": {}}, False),
        ({"outcome": {"1": {"passed": True}}}, True),
        ({"outcome": [{"passed": True}, {"passed": True}]}, True),
        ({"outcome": [{"passed": True}, {"passed": "yes"}]}, False),
    ],
)
def test_the_adoption_rule(result: Any, adopted: bool) -> None:
    assert topics.vote_adopted(result) is adopted
