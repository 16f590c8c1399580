"""The demo's volunteers (issue 20, item 8): about one registered resident in fifty a volunteer (1,000 of the
default 50,000), party members who reported to their community (双报到) first among them; certificates, a
standing post per community with its coming shifts, and about 200 activities over the past year with
check-ins, hours credited to the time bank, no-shows and cancellations, plus a few coming ones to sign up for.

Volunteers, certificates and sign-ups are bulk rows (one audit event per community says how many were
registered): a thousand registrations through the action would write a thousand events nobody reads.
Activities and posts go through the actions, and every hour credited goes through the time bank's
`credit_service_hours` in the order the activities ended, dated then, so the ledger's hash chain is whole
(`manage.py ledger_check`). Idempotent: nothing happens once any volunteer exists.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.core import audit
from linli.core.choices import AuditAction
from linli.people.models import PartyMembership, Person
from linli.places.choices import PlaceLevel
from linli.places.models import Place
from linli.timebank.actions import credit_service_hours

from .actions.activities import generate_shifts, publish_activity, publish_post
from .actions.volunteers import register_volunteer
from .choices import CertificateKind, Language, ServiceRole, SignupState
from .demo_data import ACTIVITIES, CANCEL_REASONS, NOTES, POSTS, SEASONS
from .models import Activity, Certificate, Signup, Skill, Volunteer, join_codes

DAY = datetime.timedelta(days=1)
PER_VOLUNTEER = 50  # registered residents per volunteer
ACTIVITIES_PER_VOLUNTEER = 0.2  # 200 activities for 1,000 volunteers
PARTY_SHARE = 0.3


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    minutes: int = 0


def _workers() -> dict[int, Any]:
    """Each community's community worker: they register, organise and record the hours there."""
    grants = Grant.objects.active().filter(role=Role.COMMUNITY_WORKER, place__level=PlaceLevel.COMMUNITY)
    return {g.place_id: g.user for g in grants.select_related("user").order_by("pk") if g.place_id}


def _residents(today: datetime.date) -> dict[Place, list[int]]:
    """Adults of 18–75 still living here, by community (those with a population)."""
    communities = {c.path: c for c in Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)}
    if not communities:
        return {}
    depth = len(next(iter(communities)))
    oldest, youngest = today.replace(year=today.year - 75), today.replace(year=today.year - 18)
    rows = Person.objects.filter(left_on__isnull=True, birth_date__gte=oldest, birth_date__lte=youngest)
    found: dict[Place, list[int]] = defaultdict(list)
    for pk, path in rows.values_list("pk", "place__path").order_by("pk"):
        community = communities.get(path[:depth])
        if community is not None:
            found[community].append(pk)
    return dict(sorted(found.items(), key=lambda item: item[0].path))


def _enrol(rng: random.Random, residents: dict[Place, list[int]], workers: dict[int, Any]) -> list[Volunteer]:
    total = sum(len(v) for v in residents.values())
    wanted = max(len(residents) * 5, round(total / PER_VOLUNTEER * 1.25))  # adults are about four fifths
    reported = set(
        PartyMembership.objects.filter(ended_on__isnull=True, reported_to__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    skills = list(Skill.objects.order_by("name"))
    rows: list[Volunteer] = []
    picked_skills: list[list[Skill]] = []
    for community, people in residents.items():
        n = max(5, round(wanted * len(people) / total))
        party = [p for p in people if p in reported]
        rng.shuffle(party)
        party = party[: round(n * PARTY_SHARE)]
        rest = rng.sample([p for p in people if p not in set(party)], k=min(n - len(party), len(people) - len(party)))
        for pk in party + rest:
            languages = [Language.MANDARIN] + ([rng.choice(Language.values[1:])] if rng.random() < 0.12 else [])
            rows.append(
                Volunteer(
                    person_id=pk,
                    community=community,
                    roles=join_codes(rng.sample(ServiceRole.values, k=rng.choice((1, 1, 2)))),
                    languages=join_codes(languages),
                    availability=sorted(rng.sample(SLOTS_ALL, k=rng.randint(2, 6))),
                    note=NOTES[0] if pk in reported else rng.choice(NOTES[1:]) if rng.random() < 0.2 else "",
                    registered_by=workers.get(community.pk),
                    created_at=timezone.now() - rng.randint(380, 1500) * DAY,
                )
            )
            picked_skills.append(rng.sample(skills, k=rng.choice((0, 1, 1, 2))) if skills else [])
    made = Volunteer.objects.bulk_create(rows)
    through = Volunteer.skills.through
    through.objects.bulk_create(
        [
            through(volunteer_id=v.pk, skill_id=s.pk)
            for v, chosen in zip(made, picked_skills, strict=True)
            for s in chosen
        ]
    )
    by_community: dict[Place, int] = defaultdict(int)
    for v in made:
        by_community[v.community] += 1
    for community, n in by_community.items():
        audit.record(
            AuditAction.VOLUNTEER_REGISTERED,
            actor=workers.get(community.pk),
            data={"community": community.code, "demo_bulk": n},
            target_type="places.place",
            target_id=str(community.pk),
            target_repr=community.name,
        )
    return made


SLOTS_ALL = [f"{day}{period}" for day in range(7) for period in ("am", "pm", "ev")]
CERTIFICATE_SHARE = {
    CertificateKind.FIRST_AID: 0.12,
    CertificateKind.FIRE_SAFETY: 0.1,
    CertificateKind.ELDER_CARE: 0.08,
    CertificateKind.MEDIATOR: 0.04,
    CertificateKind.SOCIAL_WORKER: 0.02,
}


def _certify(rng: random.Random, volunteers: list[Volunteer], today: datetime.date, workers: dict[int, Any]) -> None:
    rows = []
    for v in volunteers:
        for kind, share in CERTIFICATE_SHARE.items():
            if rng.random() >= share:
                continue
            issued = today - rng.randint(30, 1400) * DAY
            expires = issued + 3 * 365 * DAY if kind != CertificateKind.SOCIAL_WORKER else None
            number = f"{kind[:2].upper()}{issued:%Y}{rng.randint(10000, 99999)}"
            rows.append(
                Certificate(
                    volunteer=v,
                    kind=kind,
                    number=number,
                    issued_on=issued,
                    expires_on=expires,
                    recorded_by=workers.get(v.community_id),
                )
            )
    Certificate.objects.bulk_create(rows)


class Builder:
    def __init__(self, rng: random.Random, volunteers: list[Volunteer], workers: dict[int, Any]):
        self.rng, self.workers, self.now = rng, workers, timezone.now()
        self.tz = timezone.get_current_timezone()
        self.skills = {s.name: s for s in Skill.objects.all()}
        self.by_community: dict[int, list[Volunteer]] = defaultdict(list)
        for v in volunteers:
            self.by_community[v.community_id].append(v)
        self.communities = {c.pk: c for c in Place.objects.filter(pk__in=self.by_community)}
        self.certified: dict[str, set[int]] = defaultdict(set)
        for kind, vid, expires in Certificate.objects.values_list("kind", "volunteer_id", "expires_on"):
            if expires is None or expires >= self.now.date():
                self.certified[kind].add(vid)
        self.signups: list[Signup] = []
        self.own: Volunteer | None = None

    def add_own(self, volunteer: Volunteer) -> None:
        """The demo volunteer account's record: signed up to most activities of their community."""
        self.own = volunteer
        self.by_community[volunteer.community_id].append(volunteer)

    def _when(self, day: datetime.date, hours: float) -> tuple[datetime.datetime, datetime.datetime]:
        start = datetime.datetime.combine(day, datetime.time(self.rng.choice((9, 9, 10, 14, 15, 19))), self.tz)
        return start, start + datetime.timedelta(minutes=int(hours * 60))

    def activities(self, count: int) -> list[Activity]:
        ids = sorted(self.by_community)
        weights = [len(self.by_community[pk]) for pk in ids]
        today = timezone.localdate(self.now)
        made: list[Activity] = []
        for n in range(count):
            # A tenth lie in the coming three weeks (to sign up for), the rest over the past year.
            days = self.rng.randint(2, 21) if n % 10 == 0 else -self.rng.randint(3, 360)
            community = self.communities[ids[n] if n < len(ids) else self.rng.choices(ids, weights)[0]]
            day = today + days * DAY
            fitting = [a for a in ACTIVITIES if a[0] not in SEASONS or day.month in SEASONS[a[0]]]
            title, text, skills, hours, needed, certificate = self.rng.choice(fitting)
            starts, ends = self._when(day, hours)
            activity = publish_activity(
                self.workers[community.pk],
                community=community,
                title=title,
                description=text,
                starts_at=starts,
                ends_at=ends,
                needed=self.rng.randint(*needed),
                skills=[self.skills[s] for s in skills if s in self.skills],
                certificates=[certificate] if certificate else [],
                auto_confirm=self.rng.random() < 0.5,
            )
            made.append(activity)
        # Published about two weeks before they took place (the action stamps now).
        for activity in made:
            activity.created_at = min(self.now, activity.starts_at - self.rng.randint(5, 20) * DAY)
        Activity.objects.bulk_update(made, ["created_at"])
        return made

    def posts(self) -> list[Activity]:
        shifts: list[Activity] = []
        for pk, community in self.communities.items():
            title, duties, kind, pattern = POSTS[pk % len(POSTS)]
            post = publish_post(
                self.workers[pk],
                community=community,
                title=title,
                duties=duties,
                kind=kind,
                pattern=pattern,
                needed=2,
            )
            shifts += generate_shifts(self.workers[pk], post, weeks=2)
        return shifts

    def _eligible(self, activity: Activity) -> list[Volunteer]:
        people = self.by_community[activity.community_id]
        for kind in activity.certificate_list:
            people = [v for v in people if v.pk in self.certified[kind]]
        return people

    def sign_up(self, activity: Activity) -> None:
        pool = self._eligible(activity)
        past = activity.ends_at < self.now
        # Never more places taken than the activity needs, as the sign-up actions would refuse.
        wanted = activity.needed - self.rng.randint(0, activity.needed // 3 if past else activity.needed)
        chosen = self.rng.sample(pool, k=max(0, min(len(pool), wanted)))
        if self.own in pool and self.own not in chosen and self.rng.random() < 0.7:
            chosen = [*chosen[: activity.needed - 1], self.own]
        for v in chosen:
            signed = activity.starts_at - self.rng.randint(1, 10) * DAY
            row = Signup(activity=activity, volunteer=v, signed_up_at=min(signed, self.now))
            draw = self.rng.random()
            if not past:
                row.state = SignupState.CONFIRMED if activity.auto_confirm or draw < 0.6 else SignupState.APPLIED
                row.confirmed_at = row.signed_up_at if row.state == SignupState.CONFIRMED else None
            elif draw < 0.06:
                row.state, row.cancelled_at = (
                    SignupState.CANCELLED,
                    activity.starts_at - self.rng.randint(2, 48) * (DAY / 24),
                )
                row.cancel_reason = self.rng.choice(CANCEL_REASONS)
            elif draw < 0.13:
                row.state, row.confirmed_at = SignupState.NO_SHOW, row.signed_up_at
            else:
                self._attended(row, activity)
            self.signups.append(row)

    def _attended(self, row: Signup, activity: Activity) -> None:
        row.state, row.confirmed_at = SignupState.DONE, row.signed_up_at
        minute = datetime.timedelta(minutes=1)
        if self.rng.random() < 0.8:  # by the organiser's QR code; the rest confirmed by hand afterwards
            row.checked_in_at = activity.starts_at - self.rng.randint(0, 20) * minute
            row.checked_out_at = activity.ends_at + self.rng.randint(-30, 15) * minute
        start = max(row.checked_in_at or activity.starts_at, activity.starts_at)
        end = min(row.checked_out_at or activity.ends_at, activity.ends_at)
        row.minutes = int((end - start).total_seconds() // 60)

    def credit(self) -> int:
        """Every attendance credited through the time bank, in the order the activities ended."""
        rows = Signup.objects.bulk_create(self.signups)
        persons = Person.objects.in_bulk([s.volunteer.person_id for s in rows if s.state == SignupState.DONE])
        done = sorted(
            (s for s in rows if s.state == SignupState.DONE and s.minutes),
            key=lambda s: (s.checked_out_at or s.activity.ends_at, s.pk),
        )
        total = 0
        for signup in done:
            activity, minutes = signup.activity, int(signup.minutes or 0)
            signup.transfer = credit_service_hours(
                self.workers[activity.community_id],
                community=self.communities[activity.community_id],
                person=persons[signup.volunteer.person_id],
                minutes=minutes,
                memo=f"志愿服务：{activity.title}",
                ref=signup.ref,
                at=max(signup.checked_out_at or activity.ends_at, activity.ends_at)
                + self.rng.randint(1, 90) * DAY / 1440,
            )
            total += minutes
        Signup.objects.bulk_update(done, ["transfer"])
        return total


def _demo_account(workers: dict[int, Any]) -> Volunteer | None:
    """The demo volunteer account (志愿者小王, 13800000002) is a young 王 of the demo community, where the demo
    staff work: his registry record gets the account's phone and he becomes a volunteer there, so that logged
    in he sees his activities and his hours. The registry keeps its size (`--persons`)."""
    from linli.accounts.models import User
    from linli.people.actions.registry import update_person

    user = User.objects.filter(username="volunteer", phone_digest__isnull=False).first()
    staff = Grant.objects.active().filter(user__username="community", role=Role.COMMUNITY_WORKER).first()
    if user is None or staff is None or staff.place is None or staff.place_id not in workers:
        return None
    today = timezone.localdate()
    candidates = Person.objects.filter(
        place__path__startswith=staff.place.path,
        left_on__isnull=True,
        gender="male",
        birth_date__gte=today.replace(year=today.year - 45),
        birth_date__lte=today.replace(year=today.year - 25),
        volunteer__isnull=True,
    ).order_by("pk")
    person = candidates.filter(name__startswith="王").first() or candidates.first()
    if person is None:
        return None
    update_person(staff.user, person, phone="13800000002")
    return register_volunteer(
        staff.user,
        person,
        roles=[ServiceRole.ACTIVITY_ORGANISER, ServiceRole.POLICY_PROMOTER],
        languages=[Language.MANDARIN, Language.ENGLISH],
        skills=list(Skill.objects.filter(name__in=["急救", "电脑与手机教学"])),
        availability=["5am", "5pm", "6am", "2ev"],
        note="社区志愿服务队队长",
    )


def build(seed: int = 20261123) -> Summary | None:
    """Once: None when volunteers exist already, or there is no population or community staff to register them."""
    if Volunteer.objects.exists():
        return None
    rng = random.Random(f"volunteers:{seed}")
    today = timezone.localdate()
    workers = _workers()
    residents = {c: people for c, people in _residents(today).items() if c.pk in workers}
    if not residents:
        return None
    summary = Summary()
    with transaction.atomic():
        volunteers = _enrol(rng, residents, workers)
        _certify(rng, volunteers, today, workers)
        builder = Builder(rng, volunteers, workers)
        own = _demo_account(workers)
        if own is not None:
            builder.add_own(own)
        total = sum(len(v) for v in residents.values())
        activities = builder.activities(
            max(len(residents) * 3, round(total / PER_VOLUNTEER * ACTIVITIES_PER_VOLUNTEER * 1.25))
        )
        shifts = builder.posts()
        for activity in activities + shifts:
            builder.sign_up(activity)
        summary.minutes = builder.credit()
    party = PartyMembership.objects.filter(person__volunteer__isnull=False, ended_on__isnull=True)
    summary.counts = {
        "volunteers": Volunteer.objects.count(),
        "party members": party.values("person").distinct().count(),
        "certificates": Certificate.objects.count(),
        "activities": len(activities),
        "shifts": len(shifts),
        "sign-ups": len(builder.signups),
        "attended": Signup.objects.filter(state=SignupState.DONE).count(),
    }
    return summary
