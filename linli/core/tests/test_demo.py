from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.cases.models import Case
from linli.cases.timeline import verify_all
from linli.orgs.models import Matter, MatterAdmission, Unit
from linli.people.models import Person
from linli.people.tests.test_demo_scan import check_built_demo
from linli.places.models import Place


@pytest.mark.django_db(transaction=True)
def test_demo_city_is_built_once_on_real_codes(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    call_command("build_demo_city", "--quiet", "--cases", "120", "--persons", "2100")
    levels = dict(Place.objects.values_list("level").annotate(n=Count("id")).order_by())
    assert levels["district"] == 1 and levels["street"] == 17 and levels["community"] == 169
    assert levels["building"] >= 2000
    assert Place.objects.get(code="110101001000").name == "东华门街道"
    grids = Place.objects.filter(level="grid")
    per_community = Place.objects.filter(level="community").annotate(n=Count("children")).values_list("n", flat=True)
    assert set(per_community) <= {2, 3, 4}
    assert all(150 <= (g.households or 0) <= 500 and len(g.code) == 15 and g.geometry for g in grids[:50])
    assert Matter.objects.count() >= 150 and MatterAdmission.objects.exists()
    assert Unit.objects.filter(kind="street_office").count() == 17
    assert set(Grant.objects.active().values_list("role", flat=True)) == set(Role.values)
    # The history on top of it: its own accounts, every chain whole, the resident's requests among them.
    # 120 of history, and the case a deliberation decision opened (the participation demo, below).
    assert Case.objects.count() == 121 and verify_all() == (121, None)
    assert Case.objects.filter(reporter__username="resident").exists()
    # Its figures were folded from the timelines it wrote in bulk, and equal a recomputation.
    from linli.assessment.models import CaseFact
    from linli.assessment.recompute import compare

    assert CaseFact.objects.filter(unit__isnull=False).count() > 60 and compare().equal
    _demo_votes_and_topics(tmp_path)
    before = _demo_services()
    call_command("build_demo_city", "--quiet", "--cases", "120", "--persons", "2100")  # a second run changes nothing
    assert Place.objects.filter(level="district").count() == 1 and Case.objects.count() == 121
    assert Person.objects.count() == 2100
    assert _service_counts() == before
    check_built_demo()  # the privacy scan, last: it plants numbers to find


VERIFIER = Path(__file__).resolve().parents[3] / "tools" / "verify_vote_result.py"


def _demo_votes_and_topics(folder: Path) -> None:
    """Issue 19's demo: three estates' votes (one open, one closed ordinary that passed, one closed major that
    failed on area though most heads said yes), topics in every state, and every published result recomputed
    by the verifier kept outside the project."""
    from linli.participation.choices import AGREE, TopicState, VoteState
    from linli.participation.models import Topic, TopicCase, Vote

    votes = {v.state: v for v in Vote.objects.order_by("pk")}
    assert Vote.objects.count() == 3 and Vote.objects.filter(state=VoteState.OPEN).count() == 1
    outcomes = []
    for vote in Vote.objects.filter(state=VoteState.CLOSED):
        result: dict[str, Any] = vote.result or {}
        ((qid, outcome),) = result["outcome"].items()
        tally = result["tally"][qid]
        outcomes.append((vote.questions.get().kind, outcome["passed"]))
        if not outcome["passed"]:  # failed on area: the heads said yes
            yes, took_part = tally["by_option"][AGREE], tally["participating"]
            assert yes["owners"] * 4 >= took_part["owners"] * 3 and outcome["participation_ok"]
    assert sorted(outcomes) == [("major", False), ("ordinary", True)]
    assert votes[VoteState.OPEN].roll.filter(voted_channel="").exists()
    states = set(Topic.objects.values_list("state", flat=True))
    assert states == set(TopicState.values), states
    assert TopicCase.objects.exists()
    call_command("vote_result", "--all", "--dir", str(folder))
    files = sorted(folder.glob("vote-*.json"))
    assert len(files) == 2
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own script and files
        [sys.executable, "-I", str(VERIFIER), *map(str, files)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _service_counts() -> dict[str, int]:
    from linli.projects.models import Project
    from linli.resources.models import Booking, Resource
    from linli.services.models import ServiceOffer
    from linli.timebank.models import Transfer
    from linli.volunteers.models import Activity, Signup, Volunteer

    models = (Volunteer, Activity, Signup, Transfer, Resource, Booking, ServiceOffer, Project)
    return {m.__name__: m.objects.count() for m in models}


def _demo_services() -> dict[str, int]:
    """Issue 20's demo (item 8): volunteers (party members among them, scaled to the registry), activities
    with check-ins and hours whose credits keep the time bank's ledger whole, each street's library with
    experts, the service catalogue with its providers, and projects in every state with an open call's claims."""
    from linli.people.models import PartyMembership
    from linli.projects.choices import ProjectState
    from linli.projects.models import Claim, ProgressReport, Project, ProjectEvent, Rating
    from linli.resources.choices import ResourceKind
    from linli.resources.models import Booking
    from linli.services.models import ServiceOffer
    from linli.timebank.ledger import problems
    from linli.timebank.models import Transfer
    from linli.volunteers.choices import SignupState
    from linli.volunteers.models import Activity, Signup, Volunteer

    volunteers = Volunteer.objects.count()
    assert 2100 // 60 <= volunteers <= 2100 // 30  # about one registered resident in fifty
    communities = Volunteer.objects.values("community").annotate(n=Count("id"))
    assert communities and all(row["n"] >= 5 for row in communities)
    party = PartyMembership.objects.filter(person__volunteer__isnull=False, reported_to__isnull=False)
    assert party.exists() and all(m.reported_to_id == m.person.volunteer.community_id for m in party)
    # A year of activities behind, some ahead; attendances checked in by QR code and by hand.
    assert Activity.objects.filter(kind="activity", ends_at__lt=timezone.now()).count() >= 5
    assert Activity.objects.filter(starts_at__gt=timezone.now()).exists()
    done = Signup.objects.filter(state=SignupState.DONE)
    assert done.filter(checked_in_at__isnull=False, checked_out_at__isnull=False).exists()
    assert done.filter(checked_in_at__isnull=True).exists()
    assert not done.filter(transfer__isnull=True).exists() and done.filter(minutes__gt=0).count() == done.count()
    credited = Transfer.objects.filter(kind="service", ref__startswith="volunteers.attendance:")
    assert credited.count() == done.count()
    assert list(problems()) == []
    call_command("ledger_check", stdout=io.StringIO())
    # Each street's library: venues and experts (some of them registered residents).
    for street in Place.objects.filter(level="street"):
        kinds = set(street.resources.values_list("kind", flat=True))
        assert {ResourceKind.VENUE, ResourceKind.EXPERT, ResourceKind.RESIDENT_UNIT} <= kinds, street.name
    assert Booking.objects.filter(starts_at__gt=timezone.now()).exists()
    # The service catalogue with its providers.
    offers = ServiceOffer.objects.order_by()
    assert (
        offers.values("unit").distinct().count() == 3 and offers.filter(accepting=True, places__isnull=False).exists()
    )
    # Projects in every state, with an open call's claims, reports and ratings, each with its timeline.
    assert set(Project.objects.values_list("state", flat=True)) == set(ProjectState.values)
    open_call = Project.objects.filter(state=ProjectState.PUBLISHED).first()
    assert open_call is not None and Claim.objects.filter(project=open_call).count() >= 2
    assert ProgressReport.objects.filter(project__state=ProjectState.IN_PROGRESS).exists()
    assert Rating.objects.filter(project__state=ProjectState.CLOSED).exists()
    assert all(ProjectEvent.objects.filter(project=p).exists() for p in Project.objects.all())
    from linli.core.audit import verify_chain

    assert verify_chain() is None
    return _service_counts()
