"""Scoped selectors for the volunteers' pages: each starts from `restrict` (linli.accounts.scopes)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from linli.accounts.choices import UNMASK_ROLES
from linli.accounts.scopes import scope_of
from linli.core.masking import mask_name

from .choices import SignupState, VolunteerState
from .models import Activity, Post, Signup, Volunteer

EXPIRING_DAYS = 30


def shown_name(user: Any, volunteer: Volunteer) -> str:
    """A volunteer's name in full for the roles whose work needs it (and to themselves), masked otherwise; a
    minor's or a sensitive record's always masked."""
    person = volunteer.person
    if volunteer.user_id is not None and volunteer.user_id == getattr(user, "pk", None):
        return volunteer.name
    if person is not None and person.is_sensitive:
        return mask_name(person.name)
    return volunteer.name if scope_of(user).has(UNMASK_ROLES) else mask_name(volunteer.name)


def activities_for(user: Any, *, upcoming: bool = True) -> QuerySet[Activity]:
    """Activities the user may read, with the count of places taken, in one query."""
    qs = Activity.objects.restrict(user).filter(cancelled=False).select_related("community", "place")
    if upcoming:
        qs = qs.filter(ends_at__gt=timezone.now())
    taken = Count("signups", filter=Q(signups__state__in=(SignupState.CONFIRMED, SignupState.DONE)))
    return qs.annotate(taken=taken).order_by("starts_at", "pk")


def activity_for(user: Any, pk: int, action: str = "view") -> Activity:
    activity = (
        Activity.objects.restrict(user, action).select_related("community", "place", "post").filter(pk=pk).first()
    )
    if activity is None:
        raise Http404
    return activity


def post_for(user: Any, pk: int, action: str = "view") -> Post:
    post = Post.objects.restrict(user, action).select_related("community", "place").filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def posts_for(user: Any) -> QuerySet[Post]:
    return Post.objects.restrict(user).filter(active=True).select_related("community", "place").order_by("pk")


def own_volunteer(user: Any) -> Volunteer | None:
    if not getattr(user, "pk", None):
        return None
    return Volunteer.objects.select_related("person", "community").filter(user_id=user.pk).first()


def own_signup(volunteer: Volunteer | None, activity: Activity) -> Signup | None:
    if volunteer is None:
        return None
    return Signup.objects.filter(volunteer=volunteer, activity=activity).first()


def my_signups(user: Any) -> tuple[list[Signup], list[Signup]]:
    """(upcoming, past) sign-ups of the user's own volunteer record, through the scope rule."""
    rows = (
        Signup.objects.restrict(user)
        .filter(volunteer__user_id=user.pk)
        .select_related("activity__place")
        .order_by("activity__starts_at")
    )
    now = timezone.now()
    upcoming = [s for s in rows if s.activity.ends_at > now and s.state != SignupState.CANCELLED]
    past = [s for s in rows if s.activity.ends_at <= now or s.state == SignupState.CANCELLED]
    return upcoming, list(reversed(past))


def balance_minutes(volunteer: Volunteer | None) -> int:
    """The person's time bank balance in minutes (linli.timebank), 0 before the first credit."""
    from linli.timebank.choices import AccountKind, Currency
    from linli.timebank.models import Account

    if volunteer is None or volunteer.person_id is None:
        return 0
    found = (
        Account.objects.filter(kind=AccountKind.PERSON, person_id=volunteer.person_id, currency=Currency.MINUTES)
        .values_list("balance", flat=True)
        .first()
    )
    return int(found or 0)


@dataclass
class RosterRow:
    signup: Signup
    name: str
    cancellations: int
    no_shows: int


def roster(user: Any, activity: Activity) -> list[RosterRow]:
    """The activity's sign-ups for its organiser, each with the volunteer's cancellations and no-shows on
    every activity the organiser may read (two queries)."""
    signups = list(
        Signup.objects.restrict(user)
        .filter(activity=activity)
        .select_related("volunteer__person")
        .order_by("signed_up_at", "pk")
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        Signup.objects.restrict(user)
        .filter(volunteer__in=[s.volunteer_id for s in signups], state__in=(SignupState.CANCELLED, SignupState.NO_SHOW))
        .values_list("volunteer_id", "state")
        .annotate(n=Count("pk"))
    )
    for volunteer_id, state, n in rows:
        counts[(volunteer_id, state)] += n
    return [
        RosterRow(
            s,
            shown_name(user, s.volunteer),
            counts[(s.volunteer_id, SignupState.CANCELLED)],
            counts[(s.volunteer_id, SignupState.NO_SHOW)],
        )
        for s in signups
    ]


@dataclass
class RegistryFilters:
    role: str = ""
    skill: int | None = None
    party: bool = False
    expiring: bool = False


def registry(user: Any, filters: RegistryFilters) -> QuerySet[Volunteer]:
    """The volunteer roll the user may read, filtered: role, skill, party member (a 双报到 record in force),
    a certificate expiring within 30 days."""
    from linli.people.models import PartyMembership

    qs = Volunteer.objects.restrict(user).select_related("person", "community").prefetch_related("skills")
    if filters.role:
        qs = qs.filter(roles__contains=f",{filters.role},")
    if filters.skill:
        qs = qs.filter(skills__pk=filters.skill)
    if filters.party:
        qs = qs.filter(Exists(PartyMembership.objects.filter(person_id=OuterRef("person_id"), ended_on__isnull=True)))
    if filters.expiring:
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_DAYS)
        from .models import Certificate

        qs = qs.filter(
            Exists(Certificate.objects.filter(volunteer_id=OuterRef("pk"), expires_on__gte=today, expires_on__lte=soon))
        )
    return qs.exclude(state=VolunteerState.ENDED).order_by("pk")


def volunteer_for(user: Any, pk: int) -> Volunteer:
    volunteer = Volunteer.objects.restrict(user).select_related("person", "community", "user").filter(pk=pk).first()
    if volunteer is None:
        raise Http404
    return volunteer


def party_of(volunteer: Volunteer) -> list[Any]:
    """The person's party record (linli.people.PartyMembership: home organisation and 双报到), shown as is."""
    from linli.people.models import PartyMembership

    if volunteer.person_id is None:
        return []
    return list(
        PartyMembership.objects.filter(person_id=volunteer.person_id).select_related("reported_to").order_by("-pk")
    )


MATCH_POOL = 300


def match_pool(
    user: Any, area_path: str, skill_ids: list[int], certificates: list[str], activity: Activity | None = None
) -> list[Volunteer]:
    """Active volunteers the user reads whose community lies in `area_path` (the need's street), those holding
    more of the wanted skills first, at most MATCH_POOL; with skills and the required kinds of certificate
    (three queries). Volunteers already holding a place on `activity` are left out."""
    from django.db.models import Prefetch

    from linli.places.models import subtree_q

    from .choices import HOLDING
    from .models import Certificate

    qs = Volunteer.objects.restrict(user).filter(subtree_q(area_path, field="community__path"))
    qs = qs.filter(state=VolunteerState.ACTIVE)
    if activity is not None:
        holding = Signup.objects.filter(activity=activity, state__in=HOLDING).values("volunteer_id")
        qs = qs.exclude(pk__in=holding)
    fit = Count("skills", filter=Q(skills__in=skill_ids), distinct=True) if skill_ids else Value(0)
    certs = Certificate.objects.filter(kind__in=certificates) if certificates else Certificate.objects.none()
    ranked = (
        qs.annotate(fit=fit)
        .select_related("person__place", "community")
        .prefetch_related("skills", Prefetch("certificates", queryset=certs, to_attr="required_certificates"))
        .order_by("-fit", "pk")
    )
    return list(ranked[:MATCH_POOL])


def attendance_records(user: Any, volunteer_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """volunteer id → (attended, missed, minutes credited), over the sign-ups the user reads; one query."""
    from django.db.models import Sum

    rows = (
        Signup.objects.restrict(user)
        .filter(volunteer_id__in=volunteer_ids, state__in=(SignupState.DONE, SignupState.NO_SHOW))
        .values("volunteer_id")
        .annotate(
            done=Count("pk", filter=Q(state=SignupState.DONE)),
            missed=Count("pk", filter=Q(state=SignupState.NO_SHOW)),
            minutes=Sum("minutes", filter=Q(state=SignupState.DONE)),
        )
        .order_by()
    )
    return {r["volunteer_id"]: (r["done"], r["missed"], r["minutes"] or 0) for r in rows}


def project_ratings(user: Any, user_ids: list[int]) -> dict[int, tuple[float, int]]:
    """account id → (average residents' rating, number of ratings) of the projects it carried out, over the
    projects the user reads; one query."""
    from django.db.models import Avg

    from linli.projects.models import Rating

    rows = (
        Rating.objects.restrict(user)
        .filter(project__claimant_id__in=user_ids)
        .values("project__claimant_id")
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by()
    )
    return {r["project__claimant_id"]: (float(r["average"]), r["count"]) for r in rows}
