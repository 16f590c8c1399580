"""`manage.py assessment_bench`: fill the configured database up to N cases with the generator, fold what has
no figures yet, then time the pages that must hold at megacity scale — a street's monthly 三率 page, the
ranking of all streets and departments, the district overview — as a request sees them (middleware, view and
template, in process: server time, no network), median of 5 after one warm-up, and check the figures they
show against a from-scratch fold of the timelines."""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.cases.models import Case
from linli.orgs.choices import UnitKind
from linli.orgs.models import Unit

from . import recompute
from .indicators import unit_figures
from .models import COUNTERS, CaseFact

RUNS = 5


@dataclass
class Result:
    cases: int = 0
    generated: int = 0
    generate_s: float = 0.0
    fold_s: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    equal_to_recompute: bool = False
    checked: str = ""


def logged_in(role: str) -> tuple[Client, Any]:
    """A client logged in as the first holder of `role` (the demo's accounts), past two-factor as a full login
    would leave it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    grant = Grant.objects.active().filter(role=role, user__is_active=True).select_related("user", "place")
    found = grant.order_by("pk").first()
    if found is None:
        raise LookupError(f"no account holds {role}: build the demo city first")
    client = Client()
    client.force_login(found.user)
    device = TOTPDevice.objects.filter(user=found.user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client, found


def median_ms(fetch: Callable[[], Any]) -> float:
    response = fetch()  # warm-up (template and code caches), not counted
    if response.status_code != 200:
        raise RuntimeError(f"the page answered {response.status_code}")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = fetch()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return round(statistics.median(times), 1)


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return start, end


def fill(result: Result, cases: int, seed: int, out: Callable[[str], None]) -> None:
    from linli.cases.bulk import ensure_cases

    started = time.monotonic()
    stats = ensure_cases(cases, seed=seed)
    result.generate_s = round(time.monotonic() - started, 1)
    result.generated = int(getattr(stats, "cases", 0) or 0)
    result.cases = Case.objects.count()
    out(f"{result.cases} cases in the database ({result.generated} generated in {result.generate_s} s)")
    dispatched = Case.objects.filter(dispatched_at__isnull=False).count()
    if result.generated or CaseFact.objects.count() < dispatched * 0.99:
        started = time.monotonic()
        recompute.rebuild()
        result.fold_s = round(time.monotonic() - started, 1)
        out(f"Folded the timelines into figures in {result.fold_s} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def busiest_month() -> tuple[datetime.date, datetime.date]:
    """The last complete month with figures (the generator's year ends today)."""
    today = timezone.localdate()
    start, _end = month_of(today.replace(day=1) - datetime.timedelta(days=1))
    return month_of(start)


def check_against_fold(street: Unit, start: datetime.date, end: datetime.date) -> tuple[bool, str]:
    """The street's month as kept, and the rows of every street and department, against a fresh fold of the
    timelines of every case (the same rules, from the stored events)."""
    fresh: dict[int, dict[str, int]] = {}
    grids = recompute._grid_index()
    for _pk, fold, category, place_id in recompute.folded_cases():
        contrib = recompute.contribution(fold, category, grids.get(place_id))
        if not contrib:
            continue
        day = datetime.date.fromisoformat(contrib["day"])
        if start <= day <= end:
            counts = fresh.setdefault(contrib["unit"], dict.fromkeys(COUNTERS, 0))
            for name, value in contrib["counts"].items():
                counts[name] += value
    units = list(Unit.objects.filter(kind__in=[UnitKind.STREET_OFFICE, UnitKind.DISTRICT_DEPARTMENT]))
    kept = unit_figures([u.pk for u in units], start, end)
    wrong = [u.pk for u in units if kept[u.pk].counts != fresh.get(u.pk, dict.fromkeys(COUNTERS, 0))]
    return not wrong, f"{len(units)} streets and departments, {start:%Y-%m}; differing: {wrong[:10]}"


def run(cases: int, seed: int, out: Callable[[str], None]) -> Result:
    result = Result()
    fill(result, cases, seed, out)
    start, end = busiest_month()
    street_client, street_grant = logged_in(Role.STREET_DISPATCHER)
    district_client, district_grant = logged_in(Role.DISTRICT_COMMAND)
    street = Unit.objects.filter(kind=UnitKind.STREET_OFFICE, jurisdiction=street_grant.place).first()
    if street is None:
        raise LookupError("the street dispatcher's street has no street office")
    period = {"from": start.isoformat(), "to": end.isoformat()}
    pages = {
        "street_rates_ms": lambda: street_client.get(reverse("assessment:unit", args=[street.pk]), period),
        "ranking_streets_ms": lambda: district_client.get(
            reverse("assessment:ranking"), {**period, "group": "streets"}
        ),
        "ranking_departments_ms": lambda: district_client.get(
            reverse("assessment:ranking"), {**period, "group": "departments"}
        ),
        "overview_ms": lambda: district_client.get(
            reverse("assessment:dashboard", args=[district_grant.place_id]), period
        ),
    }
    # Parts of the overview that load after it (HTMX), timed apart: the first answer is the overview's.
    lazy = {
        "overview_trend_ms": lambda: district_client.get(
            reverse("assessment:dashboard_trend", args=[district_grant.place_id]), period
        ),
    }
    for key, fetch in {**pages, **lazy}.items():
        result.timings_ms[key] = median_ms(fetch)
        out(f"{key}: {result.timings_ms[key]} ms")
    # All streets and all departments: the two group pages together.
    result.timings_ms["ranking_ms"] = round(
        result.timings_ms["ranking_streets_ms"] + result.timings_ms["ranking_departments_ms"], 1
    )
    result.equal_to_recompute, result.checked = check_against_fold(street, start, end)
    out(f"Figures equal to a from-scratch fold: {result.equal_to_recompute} ({result.checked})")
    return result
