"""Pages: the open-calls list (scoped, bounded queries), the detail with claims by role, inert text, scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import World
from linli.accounts.choices import Role
from linli.projects import actions
from linli.projects.models import Claim, Project

from .conftest import jpeg, make_project

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_open_calls_list_shows_calls_not_drafts(
    client: Any, world: World, call: Project, staff: Any, provider: Any
) -> None:
    make_project(world, staff, title="未发布草稿")
    client.force_login(provider)
    page = client.get(reverse("projects:index")).content.decode()
    assert "楼道加装扶手" in page and "5000" in page and "未发布草稿" not in page


def test_open_calls_query_count_is_bounded(client: Any, world: World, staff: Any, provider: Any) -> None:
    client.force_login(provider)
    client.get(reverse("projects:index"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("projects:index")).status_code == 200
        return len(queries)

    for n in range(2):
        actions.publish_call(staff, make_project(world, staff, title=f"项目{n}"))
    few = count()
    for n in range(8):
        actions.publish_call(staff, make_project(world, staff, title=f"更多{n}"))
    assert count() == few


def test_claims_staff_see_all_claimant_sees_own(
    client: Any, call: Project, staff: Any, provider: Any, volunteer: Any
) -> None:
    actions.submit_claim(provider, call, organisation="甲家政公司", proposal="方案甲", requested_budget="1")
    actions.submit_claim(volunteer, call, organisation="甲志愿队", proposal="方案乙", requested_budget="1")
    url = reverse("projects:detail", args=[call.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "方案甲" in page and "方案乙" in page
    client.force_login(provider)
    page = client.get(url).content.decode()
    assert "方案甲" in page and "方案乙" not in page


def test_drafts_are_not_found_by_outsiders(client: Any, world: World, draft: Project) -> None:
    client.force_login(world.users[Role.SERVICE_PROVIDER])
    assert client.get(reverse("projects:detail", args=[draft.pk])).status_code == 404
    client.force_login(world.outsiders[Role.COMMUNITY_WORKER])
    assert client.get(reverse("projects:detail", args=[draft.pk])).status_code == 404
    client.force_login(world.users[Role.STREET_DISPATCHER])  # the street holds the community
    assert client.get(reverse("projects:detail", args=[draft.pk])).status_code == 200


def test_scope_rules(world: World, call: Project, staff: Any, provider: Any, volunteer: Any) -> None:
    draft = make_project(world, staff, title="草稿")
    mine = actions.submit_claim(provider, call, organisation="甲", proposal="p", requested_budget="1")
    theirs = actions.submit_claim(volunteer, call, organisation="乙", proposal="q", requested_budget="1")
    assert set(Claim.objects.restrict(provider)) == {mine}
    assert set(Claim.objects.restrict(staff)) == {mine, theirs}
    assert not Claim.objects.restrict(world.outsiders[Role.COMMUNITY_WORKER]).exists()
    assert set(Project.objects.restrict(provider)) == {call}
    assert set(Project.objects.restrict(staff, "change")) == {call, draft}
    assert not Project.objects.restrict(world.outsiders[Role.COMMUNITY_WORKER], "change").exists()
    assert not Project.objects.restrict(provider, "change").exists()
    assert call.events.restrict(provider).count() == call.events.count()
    assert not draft.events.restrict(provider).exists()
    assert not call.events.restrict(staff, "change").exists()


def test_hostile_text_is_inert(client: Any, world: World, call: Project, staff: Any, provider: Any) -> None:
    Project.objects.filter(pk=call.pk).update(title=HOSTILE, goal=HOSTILE, resources=[HOSTILE])
    Claim.objects.create(project=call, claimant=provider, organisation=HOSTILE, proposal=HOSTILE, requested_budget=1)
    for user in (staff, provider):
        client.force_login(user)
        for url in (reverse("projects:index"), reverse("projects:detail", args=[call.pk])):
            page = client.get(url).content.decode()
            assert "<script>alert" not in page and "<img src=x" not in page
            assert "&lt;script&gt;" in page


def test_the_flow_through_pages(
    client: Any, world: World, call: Project, staff: Any, provider: Any, media: Any
) -> None:
    client.force_login(provider)
    client.post(
        reverse("projects:act", args=[call.pk, "claim"]),
        {"organisation": "甲家政公司", "proposal": "方案", "requested_budget": "4000"},
    )
    claim = Claim.objects.get()
    client.force_login(staff)
    client.post(reverse("projects:choose", args=[claim.pk]))
    client.force_login(provider)
    client.post(reverse("projects:act", args=[call.pk, "start"]))
    client.post(reverse("projects:act", args=[call.pk, "progress"]), {"text": "进展", "photos": [jpeg()]})
    page = client.get(reverse("projects:detail", args=[call.pk])).content.decode()
    photo = call.reports.get().photos.get()
    assert reverse("projects:photo", args=[photo.pk]) in page
    assert client.get(reverse("projects:photo", args=[photo.pk])).status_code == 200
    client.post(reverse("projects:act", args=[call.pk, "done"]), {"text": "完工"})
    call.refresh_from_db()
    assert call.state == "done"
    client.post(reverse("projects:act", args=[call.pk, "close"]), follow=True)
    call.refresh_from_db()
    assert call.state == "done"  # the claimant may not close


def test_staff_create_form(client: Any, world: World, staff: Any) -> None:
    client.force_login(staff)
    assert client.get(reverse("projects:new")).status_code == 200
    place = world.places["110101001001001"]
    response = client.post(
        reverse("projects:new"),
        {
            "title": "新项目",
            "goal": "目标",
            "place": place.pk,
            "deadline": "2099-01-01",
            "budget": "100",
            "resources": "甲\n乙",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and project.resources == ["甲", "乙"]
    client.force_login(world.users[Role.SERVICE_PROVIDER])
    assert client.get(reverse("projects:new")).status_code == 403


@pytest.mark.parametrize(
    ("username", "assigned"),
    [("a_volunteer", True), ("b_service_provider", True), ("a_grid_worker", False), ("root", False), ("nobody", False)],
)
def test_assign_form_finds_only_providers_and_volunteers(
    client: Any, world: World, draft: Project, staff: Any, username: str, assigned: bool
) -> None:
    """The assign form takes a typed username: it finds only an account that may carry out a project, and
    answers an unknown name and an ineligible one alike."""
    client.force_login(staff)
    page = client.post(
        reverse("projects:act", args=[draft.pk, "assign"]), {"claimant": username, "organisation": "某队"}, follow=True
    ).content.decode()
    draft.refresh_from_db()
    assert (draft.state == "assigned") == assigned
    if not assigned:
        assert draft.claimant_id is None
        assert str(actions._("Choose an active user to carry out the project")) in page


def test_a_cancelled_draft_stays_with_its_place(world: World, draft: Project, staff: Any, provider: Any) -> None:
    """Cancelling a draft that was never published or assigned does not open it to every grant holder."""
    actions.cancel(staff, draft, reason="不做了")
    assert not Project.objects.restrict(provider).filter(pk=draft.pk).exists()
    assert not Project.objects.restrict(world.outsiders[Role.COMMUNITY_WORKER]).filter(pk=draft.pk).exists()
    assert Project.objects.restrict(world.users[Role.STREET_DISPATCHER]).filter(pk=draft.pk).exists()


def test_no_grant_in_force_reads_nothing(world: World, call: Project, staff: Any, provider: Any) -> None:
    """An open call is for grant holders: an account whose grants have all ended reads no project, and no longer
    its own claim."""
    from django.utils import timezone

    from linli.accounts.models import Grant

    claim = actions.submit_claim(provider, call, organisation="甲", proposal="p", requested_budget="1")
    Grant.objects.filter(user=provider).update(valid_to=timezone.now())
    provider = type(provider).objects.get(pk=provider.pk)  # a new request: no scope cached from before
    assert not Project.objects.restrict(provider).exists()
    assert not Claim.objects.restrict(provider).filter(pk=claim.pk).exists()
    assert not Project.objects.restrict(world.extras["expired"]).exists()
