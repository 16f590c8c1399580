"""A deliberation result becomes a project (DESIGN §8 → §9): the adopted decision prefills the project, the
project names its topic, and the topic lists its projects; a topic not adopted, or one out of the staff
member's reach, cannot be carried out this way."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.participation.tests.topics_world import TopicWorld, tw_fixture  # noqa: F401
from linli.projects.models import Project

pytestmark = pytest.mark.django_db


def test_an_adopted_decision_becomes_a_project_that_names_its_topic(client: Any, tw: TopicWorld) -> None:
    topic = tw.decided()
    client.force_login(tw.worker)
    page = client.get(reverse("participation:topic_detail", args=[topic.pk])).content.decode()
    assert 'id="make-project"' in page

    form = client.get(reverse("projects:new"), {"topic": topic.pk})
    assert form.status_code == 200 and form.context["topic"] == topic
    assert form.context["form"].initial["goal"] == "同意加装。" and form.context["form"].initial["title"] == topic.title

    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    posted = client.post(
        reverse("projects:new"),
        {"topic": topic.pk, "title": topic.title, "goal": "同意加装。", "need": "", "place": topic.place_id,
         "deadline": deadline, "budget": "5000", "resources": "施工队"},
    )  # fmt: skip
    project = Project.objects.get()
    assert posted.status_code == 302 and project.source_ref == f"participation.topic:{topic.pk}"
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="source-topic"' in detail and topic.title in detail
    page = client.get(reverse("participation:topic_detail", args=[topic.pk])).content.decode()
    assert reverse("projects:detail", args=[project.pk]) in page


def test_a_topic_not_adopted_or_out_of_reach_is_not_carried_out(client: Any, tw: TopicWorld) -> None:
    refused = tw.decided(outcome="not_adopted")
    client.force_login(tw.worker)
    assert client.get(reverse("projects:new"), {"topic": refused.pk}).context["topic"] is None
    page = client.get(reverse("participation:topic_detail", args=[refused.pk])).content.decode()
    assert 'id="make-project"' not in page

    adopted = tw.decided(title="小区增设充电桩")
    client.force_login(tw.worker_b)  # the other community's worker
    response = client.get(reverse("projects:new"), {"topic": adopted.pk})
    assert response.status_code in (200, 403) and (response.status_code == 403 or response.context["topic"] is None)
