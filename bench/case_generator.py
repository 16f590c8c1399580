"""Case generator for assessment at megacity scale (issue 18): adds N synthetic but realistic requests on top
of the demo city with linli.cases.bulk (the demo history's simulation, written by COPY on PostgreSQL) and
reports its throughput, the tables' sizes and a verification of a sample of the new timelines.

Run: .venv/bin/python bench/case_generator.py --cases 100000 --database postgres --fresh
     .venv/bin/python bench/case_generator.py --cases 100000                      (SQLite: var/bench-assess.sqlite3)
     options: --seed S, --batch B (cases per committed batch), --fresh (drop and create the database first),
     --workers W (processes simulating consecutive runs of days in parallel; PostgreSQL only),
     --top-up (fill up to N cases in all instead of adding N), --json (last line one JSON object)

PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/linli_bench_assess; created when
missing. The demo city is built first when the database has none (not counted in the generator's time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_assess"
SQLITE_PATH = ROOT / "var" / "bench-assess.sqlite3"


def setup(database: str, fresh: bool) -> str:
    os.environ.setdefault("LINLI_DEMO", "1")
    if database == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        _postgres(url, fresh)
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url.rsplit("@", 1)[-1]


def _postgres(url: str, fresh: bool) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432, autocommit=True
    ) as server:
        if fresh:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            server.execute(f'CREATE DATABASE "{name}"')


def build_city(seed: int) -> float:
    from linli.places.models import Place

    if Place.objects.exists():
        return 0.0
    from linli.core import demo

    started = time.monotonic()
    demo.build(seed=seed)
    return time.monotonic() - started


def vacuum() -> float:
    """Settle a PostgreSQL load for whoever times pages on it next: visibility map and hint bits set, fresh
    statistics (autovacuum would get there on its own some time later)."""
    from django.db import connection

    from linli.cases.bulk_write import MODELS

    if connection.vendor != "postgresql":
        return 0.0
    started = time.monotonic()
    with connection.cursor() as cursor:
        for model in MODELS.values():
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return time.monotonic() - started


def sizes() -> dict[str, int]:
    """Bytes on disk: each case table with its indexes and TOAST (PostgreSQL), or the database file."""
    from django.db import connection

    from linli.cases.bulk_write import MODELS

    if connection.vendor != "postgresql":
        return {
            "database": sum(
                Path(f"{SQLITE_PATH}{s}").stat().st_size for s in ("", "-wal") if Path(f"{SQLITE_PATH}{s}").exists()
            )
        }
    found = {}
    with connection.cursor() as cursor:
        for model in MODELS.values():
            table = model._meta.db_table
            cursor.execute("SELECT pg_total_relation_size(%s), pg_indexes_size(%s)", [table, table])
            total, indexes = cursor.fetchone()
            found[table] = total
            found[f"{table} (indexes)"] = indexes
        cursor.execute("SELECT pg_database_size(current_database())")
        found["database"] = cursor.fetchone()[0]
    return found


def verify_sample(n: int, seed: int) -> tuple[int, Any]:
    from linli.cases.models import Case
    from linli.cases.timeline import verify_all

    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(seed)
    ids = {rng.randint(1, top) for _n in range(n)} if top else set()
    return verify_all(ids)


def cpu_seconds() -> float:
    """User and system CPU of this process, its threads and its finished children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def machine() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()

    return {
        "nproc": os.cpu_count(),
        "memory": run("free", "-g").splitlines()[1] if shutil.which("free") else "",
        "disk": run("df", "-h", str(ROOT)).splitlines()[-1] if shutil.which("df") else "",
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1, help="processes simulating in parallel (PostgreSQL)")
    parser.add_argument("--top-up", action="store_true", help="fill up to --cases in all (ensure_cases)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    where = setup(args.database, args.fresh)
    from linli.cases import bulk
    from linli.cases.models import Case

    seed = bulk.DEFAULT_SEED if args.seed is None else args.seed
    print(f"database {where}; machine {machine()}", flush=True)
    city = build_city(seed)
    if city:
        print(f"demo city built in {city:.1f} s", flush=True)
    before = Case.objects.count()

    shown = {"cases": -1}

    def progress(stats: bulk.Stats) -> None:
        if stats.cases == shown["cases"]:
            return
        shown["cases"] = stats.cases
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            f"  {stats.cases:>10,} cases {stats.events:>11,} events  {stats.seconds:7.1f} s  "
            f"{stats.cases_per_s:7.0f} cases/s {stats.events_per_s:8.0f} events/s  max RSS {rss} MB (this process)",
            flush=True,
        )

    options: dict[str, Any] = {"seed": seed, "progress": progress, "workers": args.workers}
    if args.batch:
        options["batch"] = args.batch
    cpu_before, load_before = cpu_seconds(), os.getloadavg()[0]
    stats = bulk.ensure_cases(args.cases, **options) if args.top_up else bulk.generate(args.cases, **options)
    cpu = cpu_seconds() - cpu_before
    load = (load_before + os.getloadavg()[0]) / 2
    total = Case.objects.count()
    print(
        f"added {stats.cases:,} cases ({before:,} before, {total:,} now) and {stats.events:,} events in "
        f"{stats.seconds:.1f} s with {stats.processes} process(es) (setup {stats.setup_seconds:.1f} s, chaining "
        f"{stats.chain_seconds:.1f} s, writing {stats.write_seconds:.1f} s): {stats.cases_per_s:.0f} cases/s, "
        f"{stats.events_per_s:.0f} events/s"
    )
    print(
        f"CPU of the generator's processes (user + system, not the database's): {cpu:.1f} s, "
        f"{cpu / max(stats.cases, 1) * 1000:.2f} ms a case; load average around {load:.1f} on {os.cpu_count()} cores"
    )
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in stats.rows.items()))
    print("states: " + ", ".join(f"{k} {v:,}" for k, v in stats.states.most_common()))
    vacuumed = vacuum()
    if vacuumed:
        print(f"VACUUM (ANALYZE) of the case tables, as autovacuum would do after the load: {vacuumed:.1f} s")
    found = sizes()
    print("sizes: " + ", ".join(f"{k} {v / 2**20:,.0f} MiB" for k, v in found.items()))
    started = time.monotonic()
    checked, broken = verify_sample(500, seed)
    print(f"verified {checked} sampled timelines in {time.monotonic() - started:.1f} s: {broken or 'all whole'}")
    if broken is not None:
        sys.exit(1)
    if args.json:
        print(
            json.dumps(
                {
                    "cases": stats.cases,
                    "seconds": round(stats.seconds, 1),
                    "cases_per_s": round(stats.cases_per_s),
                    "events": stats.events,
                    "events_per_s": round(stats.events_per_s),
                    "total_cases": total,
                    "database": args.database,
                    "cpu_seconds": round(cpu, 1),
                    "load_average": round(load, 1),
                    "workers": args.workers,
                    "vacuum_seconds": round(vacuumed, 1),
                    "sizes": found,
                }
            )
        )


if __name__ == "__main__":
    main()
