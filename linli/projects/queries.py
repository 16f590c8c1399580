"""Scoped reads for project pages: every list starts from `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from linli.accounts.predicates import PROJECT_CLAIMANTS, can_manage_projects

from .choices import ProjectState
from .models import Claim, ProgressPhoto, Project


def open_calls(user: Any) -> QuerySet[Project]:
    """揭榜榜单: published calls, soonest deadline first, with their place and claim count in the same query."""
    return (
        Project.objects.restrict(user)
        .open_calls()
        .select_related("place")
        .annotate(claim_count=Count("claims"))
        .order_by("deadline", "pk")
    )


def managed(user: Any) -> QuerySet[Project]:
    """Projects of the places the user manages, in any state."""
    return Project.objects.restrict(user, "change").select_related("place").order_by("-pk")


def carried_by(user: Any) -> QuerySet[Project]:
    """Projects the user claimed or carries out."""
    mine = Q(claimant_id=user.pk) | Q(claims__claimant_id=user.pk)
    return Project.objects.restrict(user).filter(mine).distinct().select_related("place").order_by("-pk")


def project_for(user: Any, pk: int) -> Project | None:
    return Project.objects.restrict(user).select_related("place", "claimant").filter(pk=pk).first()


def claims_for(user: Any, project: Project) -> QuerySet[Claim]:
    """Staff over the place see every claim; a claimant sees their own only (the claim scope rule)."""
    return Claim.objects.restrict(user).filter(project=project).order_by("pk")


def assignee(username: str) -> Any:
    """The account named in the assign form, among those a project may be given to (active, holding a
    service provider's or volunteer's grant in force): any other name finds nobody, and the action refuses."""
    from linli.accounts.models import Grant, User

    holders = Grant.objects.active().filter(role__in=sorted(PROJECT_CLAIMANTS)).values("user_id")
    name = (username or "").strip()
    return User.objects.filter(username=name, is_active=True, pk__in=holders).first() if name else None


def photo_for(user: Any, pk: int) -> ProgressPhoto | None:
    return ProgressPhoto.objects.restrict(user).filter(pk=pk).first()


def manages(user: Any, project: Project) -> bool:
    return can_manage_projects(user, project.place)


def awaiting(project: Project) -> bool:
    return project.state in (ProjectState.PUBLISHED,)


TOPIC_REF = "participation.topic:%d"
FROM_TOPIC_STATES = ("decided", "following_up")  # a decision adopted and being carried out


def source_topic(user: Any, project: Project) -> Any:
    """The deliberation topic the project came from, when the user may read it."""
    from linli.participation.queries_topics import topics_for

    ref = project.source_ref or ""
    if not ref.startswith("participation.topic:") or not ref.rpartition(":")[2].isdigit():
        return None
    return topics_for(user).filter(pk=int(ref.rpartition(":")[2])).first()


def topic_to_carry_out(user: Any, pk: str | None) -> Any:
    """A decided topic the user may turn into a project (None when there is none such)."""
    from linli.participation.queries_topics import topics_for

    if not (pk or "").isdigit():
        return None
    topic = topics_for(user).filter(pk=int(pk or 0), state__in=FROM_TOPIC_STATES, outcome="adopted").first()
    return topic if topic is not None and can_manage_projects(user, topic.place) else None


def from_topic(user: Any, topic: Any) -> QuerySet[Project]:
    return managed(user).filter(source_ref=TOPIC_REF % topic.pk).order_by("pk")
