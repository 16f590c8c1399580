"""Assessment pages at a megacity district's scale: the figures of a year of 1,000,000 requests.

Run: .venv/bin/python bench/assessment_bench.py                       (PostgreSQL: linli_bench_rank, rebuilt)
     .venv/bin/python bench/assessment_bench.py --database sqlite     (a throwaway file under var/)
     options: --cases N (default 1,000,000), --json (last line one JSON object)

The pages read only the day rows (UnitDayStat: one row per unit, day and class), never the cases, so the bench
builds the demo city (its places, 223 units and accounts, with a small history) and then writes the day rows
that a year of N requests leaves: every unit, every day, every class (the worst case: a quiet unit leaves no
row), the counters drawn at random around N in all. Then, as a request does (through the middleware, with a
logged-in session), it times:
(a) a street office's monthly figures (district command and the street's dispatcher): target < 100 ms;
(b) the rankings of the streets, the departments and the communities, monthly and yearly: target < 1 s;
and prints the query plans of the two aggregates, which must use the day rows' indexes.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_rank"
CLASSES = ("", "城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")


def setup(database: str) -> None:
    os.environ.setdefault("LINLI_DEMO", "1")
    if database == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        from urllib.parse import urlparse

        import psycopg

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        with psycopg.connect(
            dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432, autocommit=True
        ) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        db = ROOT / "var" / "bench-rank.sqlite3"
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("build_demo_city", cases=2000, persons=200, quiet=True)
    print(f"demo city (2,000 requests of history) in {time.perf_counter() - started:.0f} s")


def write_day_rows(cases: int, today: datetime.date) -> int:
    """Every unit × every day of the year to today × every class, counters drawn around `cases` in all."""
    from django.db import connection

    from linli.assessment.models import COUNTERS, UnitDayStat
    from linli.orgs.models import Unit

    UnitDayStat.objects.all().delete()
    units = list(Unit.objects.values_list("pk", flat=True))
    days = [today - datetime.timedelta(days=n) for n in range(365)]
    mean = cases / (len(units) * len(days) * len(CLASSES))
    rng = random.Random(18)
    started, written = time.perf_counter(), 0
    columns = ["unit_id", "day", "category", *COUNTERS]
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in batch:
                buffer.write("\t".join(str(v) if v != "" else "" for v in row) + "\n")
            buffer.seek(0)
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY assessment_unitdaystat ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                copy.write(buffer.read())
        else:
            UnitDayStat.objects.bulk_create(
                (UnitDayStat(**dict(zip(columns, row, strict=True))) for row in batch), batch_size=5000
            )
        batch.clear()

    for unit in units:
        for day in days:
            for category in CLASSES:
                n = max(0, round(rng.gauss(mean, mean / 2)))
                contacted = round(n * rng.uniform(0.85, 1))
                resolved = round(n * rng.uniform(0.8, 1))
                rated = round(resolved * rng.uniform(0.3, 0.6))
                satisfied = round(rated * rng.uniform(0.7, 0.95))
                basic = round((rated - satisfied) * rng.uniform(0.5, 1))
                counts = {
                    "cases": n,
                    "contacted": contacted,
                    "contacted_in_time": round(contacted * 0.95),
                    "contact_seconds": contacted * rng.randint(3600, 80000),
                    "resolved": resolved,
                    "resolved_on_time": round(resolved * 0.9),
                    "resolve_seconds": resolved * rng.randint(36000, 600000),
                    "overdue": round(n * 0.08),
                    "extended": round(n * 0.03),
                    "returned": round(n * 0.06),
                    "reopened": round(n * 0.03),
                    "rated": rated,
                    "rated_resolved": round(rated * 0.97),
                    "satisfied": satisfied,
                    "basic": basic,
                    "unsatisfied": rated - satisfied - basic,
                    "dispatches": n + round(n * 0.06),
                    "misdispatches": round(n * 0.04),
                }
                batch.append((unit, day.isoformat(), category, *(counts[c] for c in COUNTERS)))
                written += n
                if len(batch) >= 20000:
                    flush()
    flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum will have done long before anyone reads a ranking
            cursor.execute("VACUUM ANALYZE")
    rows = UnitDayStat.objects.count()
    print(f"wrote {rows:,} day rows for {written:,} requests in {time.perf_counter() - started:.0f} s")
    return written


def timed(client: Any, url: str, runs: int = 15) -> float:
    client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def plans(street: Any, units: list[int], start: datetime.date, end: datetime.date) -> dict[str, str]:
    from django.db import connection
    from django.db.models import Sum

    from linli.assessment.models import COUNTERS, UnitDayStat

    def aggregate(ids: list[int]) -> Any:
        rows = UnitDayStat.objects.filter(day__gte=start, day__lte=end, unit_id__in=ids)
        return rows.values("unit_id").annotate(**{n: Sum(n) for n in COUNTERS}).order_by()

    out = {}
    for name, qs in (("unit page", aggregate([street.pk])), ("ranking", aggregate(units))):
        options = {"analyze": True} if connection.vendor == "postgresql" else {}
        out[name] = qs.explain(**options)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup(args.database)
    from django.utils import timezone

    from conftest import SecondFactorClient
    from linli.accounts.models import User
    from linli.assessment.scoping import figure_units, ranked_units
    from linli.orgs.choices import UnitKind

    today = timezone.localdate()
    written = write_day_rows(args.cases, today)
    # The demo street dispatcher's own street office.
    street = figure_units(User.objects.get(username="street")).get(kind=UnitKind.STREET_OFFICE)
    # The last whole month (the current one may have begun today).
    month = f"period=month&on={(today.replace(day=1) - datetime.timedelta(days=1)).isoformat()}"
    results: dict[str, float] = {}
    for username in ("district", "street"):
        client = SecondFactorClient()
        client.force_login(User.objects.get(username=username))
        results[f"{username}: street month"] = timed(client, f"/assessment/units/{street.pk}/?{month}")
        results[f"{username}: street year"] = timed(client, f"/assessment/units/{street.pk}/?period=year")
        results[f"{username}: ranking streets month"] = timed(client, f"/assessment/ranking/?group=streets&{month}")
        if username == "district":
            for group in ("streets", "departments", "communities"):
                results[f"district: ranking {group} year"] = timed(
                    client, f"/assessment/ranking/?group={group}&period=year", runs=5
                )
            results["district: ranking departments month"] = timed(
                client, f"/assessment/ranking/?group=departments&{month}"
            )
            results["district: ranking communities month"] = timed(
                client, f"/assessment/ranking/?group=communities&{month}"
            )
    for name, ms in results.items():
        print(f"{name:42} {ms:8.1f} ms")
    from linli.places.models import Place

    area = Place.objects.filter(level="district").order_by("code").values_list("path", flat=True).first() or ""
    communities = list(ranked_units(area, "communities").values_list("pk", flat=True))
    end = today.replace(day=1) - datetime.timedelta(days=1)
    for name, plan in plans(street, communities, end.replace(day=1), end).items():
        print(f"--- plan: {name} ({len(communities)} units)\n{plan}")
    if args.json:
        print(json.dumps({"database": args.database, "cases": written, "ms": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
