"""The deliberation pages: who sees what, the thread with masked names and moderation, inert text, the
decision with a vote's tally, follow-up cases with their states, meetings, and the query counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from linli.cases.choices import CaseState
from linli.cases.models import Case
from linli.participation.actions import discussion, follow_up, meetings, topics
from linli.participation.choices import TopicState, VoteState
from linli.participation.models import Comment, Meeting, Topic, TopicCase

from .topics_world import ESTATE_A, TopicWorld, result_file, tw_fixture  # noqa: F401

S = TopicState


def page(client: Any, user: Any, name: str, *args: Any, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(f"participation:{name}", args=args), params)


def text_of(response: Any) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_residents_outside_the_place_neither_see_nor_take_part(tw: TopicWorld, client: Any) -> None:
    topic = tw.raise_one()
    topics.open_discussion(tw.worker, topic)
    assert f'data-topic="{topic.pk}"' in text_of(page(client, tw.resident, "topic_list"))
    assert f'data-topic="{topic.pk}"' in text_of(page(client, tw.grid, "topic_list"))
    assert f'data-topic="{topic.pk}"' not in text_of(page(client, tw.outsider, "topic_list"))
    assert f'data-topic="{topic.pk}"' not in text_of(page(client, tw.worker_b, "topic_list"))
    assert page(client, tw.outsider, "topic_detail", topic.pk).status_code == 404
    response = client.post(reverse("participation:topic_comment", args=[topic.pk]), {"body": "路过"})
    assert response.status_code == 404 and not Comment.objects.exists()


@pytest.mark.django_db
def test_list_filters_by_state_and_place(tw: TopicWorld, client: Any) -> None:
    raised = tw.raise_one(title="甲")
    opened = tw.raise_one(title="乙", place=tw.place(ESTATE_A))
    topics.open_discussion(tw.worker, opened)
    body = text_of(page(client, tw.worker, "topic_list", state=S.DISCUSSING))
    assert f'data-topic="{opened.pk}"' in body and f'data-topic="{raised.pk}"' not in body
    body = text_of(page(client, tw.resident, "topic_list", place=raised.place_id))
    assert f'data-topic="{raised.pk}"' in body and f'data-topic="{opened.pk}"' not in body


@pytest.mark.django_db
def test_raising_on_the_page(tw: TopicWorld, client: Any) -> None:
    response = page(client, tw.resident, "topic_new")
    assert response.status_code == 200
    url = reverse("participation:topic_new")
    bad = client.post(url, {"place": tw.place("110101002001001E01B01").pk, "title": "t", "body": "b"})
    assert bad.status_code == 400  # a place not offered
    ok = client.post(
        url, {"place": tw.house.parent.parent.pk, "title": "电梯维修", "body": "电梯常坏", "name_masked": "on"}
    )
    topic = Topic.objects.get(title="电梯维修")
    assert ok.status_code == 302 and topic.raised_by == tw.resident and topic.name_masked
    assert page(client, tw.outsider, "topic_new").status_code == 403


@pytest.mark.django_db
def test_thread_masks_names_by_choice_and_shows_the_reason_in_place_of_a_hidden_comment(
    tw: TopicWorld, client: Any
) -> None:
    topic = tw.raise_one()
    topics.open_discussion(tw.worker, topic)
    masked = discussion.comment(tw.resident, topic, "第一条：支持")
    shown = discussion.comment(tw.resident, topic, "第二条：我实名支持", name_masked=False, parent=masked)
    staff = discussion.comment(tw.worker, topic, "第三条：已记录", parent=shown)
    rude = discussion.comment(tw.resident, topic, "粗话粗话")
    discussion.hide_comment(tw.worker, rude, "含有不文明用语")
    body = text_of(page(client, tw.grid, "topic_detail", topic.pk))
    assert 'id="topic-raiser">王**<' in body
    assert f'data-comment="{masked.pk}" data-depth="0"' in body
    assert f'data-comment="{shown.pk}" data-depth="1"' in body and f'data-comment="{staff.pk}" data-depth="2"' in body
    chunk = body.split(f'id="comment-{masked.pk}"')[1].split("</li>")[0]
    assert "王**" in chunk and "王小明" not in chunk
    assert "王小明" in body.split(f'id="comment-{shown.pk}"')[1].split("</li>")[0]
    assert "王" not in body.split(f'id="comment-{staff.pk}"')[1].split("</li>")[0].split("·")[0]
    hidden = body.split(f'id="comment-{rude.pk}"')[1].split("</li>")[0]
    assert "含有不文明用语" in hidden and "粗话" not in hidden
    assert Comment.objects.filter(pk=rude.pk, body="粗话粗话").exists()  # the row stays
    # The order: the replies follow the comment they answer, the later top-level comment comes after.
    assert body.index(f'id="comment-{staff.pk}"') < body.index(f'id="comment-{rude.pk}"')


@pytest.mark.django_db
def test_hostile_title_body_and_comment_are_inert(tw: TopicWorld, client: Any) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    topic = tw.raise_one()
    topics.open_discussion(tw.worker, topic)
    # Written past the actions (which refuse markup), as an old or imported row might be.
    Topic.objects.filter(pk=topic.pk).update(title=attack, body=attack, proposal=attack)
    Comment.objects.create(topic=topic, author=tw.resident, body=attack)
    Comment.objects.create(topic=topic, author=tw.resident, body="x", hidden_at=topic.created_at, hidden_reason=attack)
    for user in (tw.worker, tw.resident):
        body = text_of(page(client, user, "topic_detail", topic.pk))
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
    assert "<script>alert" not in text_of(page(client, tw.worker, "topic_list"))


@pytest.mark.django_db
def test_steering_through_the_pages_to_a_follow_up_case(tw: TopicWorld, client: Any) -> None:
    topic = tw.raise_one()
    client.force_login(tw.worker)

    def post(name: str, data: dict[str, Any] | None = None) -> Any:
        response = client.post(reverse(f"participation:{name}", args=[topic.pk]), data or {})
        assert response.status_code == 302, (name, response.status_code)
        return response

    post("topic_open")
    post("topic_proposal", {"proposal": "加装扶手"})
    post("topic_decide", {"outcome": "adopted", "decision": "同意", "minutes": "会议纪要"})
    post("topic_publish")
    post("topic_case", {"text": "请加装扶手", "place": tw.house.pk, "title": ""})
    topic.refresh_from_db()
    assert topic.state == S.FOLLOWING_UP
    link = TopicCase.objects.get(topic=topic)
    body = text_of(client.get(reverse("participation:topic_detail", args=[topic.pk])))
    assert f'data-case="{link.case_id}" data-case-state="{link.case.state}"' in body
    assert 'id="decision-minutes"' in body and "会议纪要" in body
    post("topic_done")  # refused: the case is open — a message, no move
    topic.refresh_from_db()
    assert topic.state == S.FOLLOWING_UP
    Case.objects.filter(pk=link.case_id).update(state=CaseState.CLOSED)
    body = text_of(client.get(reverse("participation:topic_detail", args=[topic.pk])))
    assert f'data-case-state="{CaseState.CLOSED}"' in body
    post("topic_done")
    assert Topic.objects.get(pk=topic.pk).state == S.DONE
    # A resident may not steer: 403 from the action.
    client.force_login(tw.resident)
    other = tw.raise_one(title="另一个")
    assert client.post(reverse("participation:topic_open", args=[other.pk])).status_code == 403


@pytest.mark.django_db
def test_refusals_come_back_as_messages(tw: TopicWorld, client: Any) -> None:
    topic = tw.raise_one()
    client.force_login(tw.worker)
    response = client.post(reverse("participation:topic_reject", args=[topic.pk]), {"reason": "<b>x</b>"}, follow=True)
    assert Topic.objects.get(pk=topic.pk).state == S.RAISED
    assert "messages" in text_of(response)


@pytest.mark.django_db
def test_decision_by_vote_shows_the_tally(tw: TopicWorld, client: Any) -> None:
    topic = tw.proposed(place=tw.place(ESTATE_A))
    vote = tw.vote()
    topics.put_to_vote(tw.worker, topic, vote)
    vote.state, vote.result = VoteState.CLOSED, result_file(vote, [True, False])
    vote.save()
    topics.vote_closed(vote)
    body = text_of(page(client, tw.resident, "topic_detail", topic.pk))
    assert 'id="vote-tally"' in body and "2400.50" in body and "1700.00" in body
    assert body.count('data-passed="1"') == 1 and body.count('data-passed="0"') == 1
    assert 'data-outcome="not_adopted"' in body


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_meeting_attendance_and_minutes(tw: TopicWorld, client: Any, settings: Any, tmp_path: Any) -> None:
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    settings.MEDIA_ROOT = str(tmp_path)
    topic = tw.raise_one()
    client.force_login(tw.worker)
    starts = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("participation:meeting_new", args=[topic.pk]),
        {
            "kind": "offline",
            "starts_at": starts,
            "location": "社区活动室",
            "invitees": "张三, 居民代表\n甲物业，物业\n",
        },
    )
    meeting = Meeting.objects.get(topic=topic)
    assert response.status_code == 302
    attendees = {a.name: a for a in meeting.attendees.all()}
    assert attendees["甲物业"].capacity == "物业"
    client.post(
        reverse("participation:meeting_attendance", args=[meeting.pk]),
        {"attended": [attendees["张三"].pk], "walk_ins": "李四"},
    )
    rows = {a.name: a.attended for a in meeting.attendees.all()}
    assert rows == {"张三": True, "甲物业": False, "李四": True}
    bad = client.post(
        reverse("participation:meeting_minutes", args=[meeting.pk]),
        {"minutes": "", "document": SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert bad.status_code == 400 and not Meeting.objects.get(pk=meeting.pk).minutes_file
    assert "PDF、JPEG、PNG" in text_of(bad)
    ok = client.post(
        reverse("participation:meeting_minutes", args=[meeting.pk]),
        {"minutes": "一致同意加装", "document": SimpleUploadedFile("x.exe", _pdf(), "application/octet-stream")},
    )
    meeting.refresh_from_db()
    assert ok.status_code == 302 and meeting.minutes_file.name.endswith(".pdf") and meeting.held
    served = client.get(reverse("participation:meeting_document", args=[meeting.pk]))
    assert served["Content-Type"] == "application/pdf" and b"".join(served.streaming_content).startswith(b"%PDF")
    meetings.record_minutes(tw.worker, meeting, document=_png())
    assert Meeting.objects.get(pk=meeting.pk).minutes_file.name.endswith(".png")
    # The resident reads the meeting and its minutes but may not record anything.
    client.force_login(tw.resident)
    body = text_of(client.get(reverse("participation:meeting_detail", args=[meeting.pk])))
    assert "一致同意加装" in body and 'id="minutes-form"' not in body
    assert client.post(reverse("participation:meeting_minutes", args=[meeting.pk]), {"minutes": "x"}).status_code == 403
    client.force_login(tw.outsider)
    assert client.get(reverse("participation:meeting_document", args=[meeting.pk])).status_code == 404


@pytest.mark.django_db
def test_meeting_refusals(tw: TopicWorld) -> None:
    import datetime

    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    topic = tw.raise_one()
    later = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(PermissionDenied):
        meetings.schedule_meeting(tw.resident, topic, kind="offline", starts_at=later, location="x")
    with pytest.raises(ValidationError):
        meetings.schedule_meeting(tw.worker, topic, kind="offline", starts_at=later, location="")  # where?
    meeting = meetings.schedule_meeting(
        tw.worker, topic, kind="online", starts_at=later, invitees=[{"user": tw.resident, "capacity": "居民代表"}]
    )
    assert meeting.attendees.get().name == "王小明"
    with pytest.raises(ValidationError, match="begun"):
        meetings.record_attendance(tw.worker, meeting, {})
    with pytest.raises(ValidationError):
        meetings.record_minutes(tw.worker, meeting, text_="")
    with pytest.raises(ValidationError):
        meetings.record_minutes(tw.worker, meeting, document=b"PK\x03\x04 broken zip")


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_topics_comments_meetings_or_cases(tw: TopicWorld, client: Any) -> None:
    import datetime

    from django.utils import timezone

    client.force_login(tw.resident)
    tw.raise_one()
    list_url = reverse("participation:topic_list")
    few = _queries(client, list_url)
    for n in range(8):
        tw.raise_one(title=f"议题{n}")
    assert _queries(client, list_url) == few

    topic = tw.decided()
    detail = reverse("participation:topic_detail", args=[topic.pk])

    def grow(n: int) -> None:
        meetings.schedule_meeting(
            tw.worker,
            topic,
            kind="online",
            starts_at=timezone.now() + datetime.timedelta(days=n + 1),
            invitees=[{"name": f"代表{n}", "capacity": "居民代表"}],
        )
        follow_up.open_follow_up_case(tw.worker, topic, f"任务{n}")
        Comment.objects.create(topic=topic, author=tw.worker if n % 2 else tw.resident, body=f"c{n}")

    grow(0)
    few = _queries(client, detail)
    for n in range(1, 6):
        grow(n)
    many = _queries(client, detail)
    assert many == few, (few, many)
    client.force_login(tw.worker)
    assert _queries(client, detail) <= many + 12  # the committee's forms read meetings, votes and places


@pytest.mark.django_db
def test_home_pages_link_to_the_topics(tw: TopicWorld, client: Any) -> None:
    for user in (tw.resident, tw.worker, tw.grid):
        client.force_login(user)
        assert reverse("participation:topic_list") in text_of(client.get(reverse("home")))


@pytest.mark.django_db
def test_a_street_dispatcher_filters_by_the_places_it_reads(tw: TopicWorld, client: Any) -> None:
    from linli.accounts.choices import Role

    topic = tw.raise_one(place=tw.place(ESTATE_A))
    street = tw.world.users[Role.STREET_DISPATCHER]
    body = text_of(page(client, street, "topic_list", place=topic.place_id))
    assert f'data-topic="{topic.pk}"' in body and f'<option value="{topic.place_id}" selected>' in body
