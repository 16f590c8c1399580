"""Places benchmark: "everything under a street" and point → grid over a tree of 100,000 places.

Run: make bench                          (SQLite, a throwaway file under var/)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench make bench   (PostgreSQL)
The tree is 北京市 → 东城区 and 西城区 (real codes) → generated grids, estates, buildings, units, houses,
cut at exactly 100,000 places. Figures are wall-clock per call, after one warm-up pass.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    db = ROOT / "var" / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TARGET = 100_000
DISTRICTS = {
    "110101000000": (116.383, 39.972, 116.447, 39.858),  # 东城区
    "110102000000": (116.330, 39.975, 116.383, 39.860),  # 西城区
}


def build() -> None:
    from linli.accounts.actions import create_user
    from linli.accounts.choices import Role
    from linli.core.demo import _table, division_rows, generated_rows
    from linli.places.actions import import_place_table
    from linli.places.models import Place

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    admin = create_user(None, username="bench", role=Role.PLATFORM_ADMIN, superuser=True)
    rng = random.Random(7)
    divisions: dict[str, dict] = {}
    generated: list[dict] = []
    for code, bounds in DISTRICTS.items():
        rows = division_rows(code)
        generated.extend(generated_rows(rows, rng, code, bounds))
        divisions.update({r["code"]: r for r in rows})
    generated = generated[: TARGET - len(divisions)]
    columns = ["code", "name", "level", "parent_code", "geometry", "households", "contact_phone"]
    started = time.perf_counter()
    import_place_table(admin, _table(divisions.values(), columns))
    import_place_table(admin, _table(generated, columns))
    print(f"built {Place.objects.count():,} places in {time.perf_counter() - started:.1f} s")


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(name: str, samples: list[float]) -> str:
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"| {name} | {len(samples)} | {statistics.median(samples):.2f} | {p95:.2f} | {samples[-1]:.2f} |"


def main() -> None:
    from linli.places.models import Place
    from linli.places.queries import resolve_point

    build()
    streets = list(Place.objects.filter(level="street"))
    sizes = [Place.objects.under(s).count() for s in streets]
    print(
        f"{len(streets)} streets; places under a street: min {min(sizes)}, median {int(statistics.median(sizes))}, max {max(sizes)}"
    )
    rng = random.Random(11)
    grids = list(Place.objects.filter(level="grid").values_list("min_lon", "min_lat", "max_lon", "max_lat"))
    points = []
    for _ in range(1000):
        w, s, e, n = rng.choice(grids)
        points.append((rng.uniform(w, e), rng.uniform(s, n)))

    def ids_under(street=streets):
        for s in street:
            list(Place.objects.under(s).values_list("id", flat=True))

    for street in streets:  # warm-up
        list(Place.objects.under(street).values_list("id", flat=True))
    under_ids = []
    under_count = []
    for street in streets * 10:
        under_ids += timed(lambda s=street: list(Place.objects.under(s).values_list("id", flat=True)), 1)
        under_count += timed(lambda s=street: Place.objects.under(s).count(), 1)
    resolve_point(*points[0])
    found = 0
    point_samples = []
    for lon, lat in points:
        started = time.perf_counter()
        found += resolve_point(lon, lat) is not None
        point_samples.append((time.perf_counter() - started) * 1000)
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}"
    )
    print("| query | calls | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(summary("ids of everything under a street", under_ids))
    print(summary("count of everything under a street", under_count))
    print(summary("point → grid", point_samples))
    print(f"points resolved to a grid: {found}/{len(points)}")


if __name__ == "__main__":
    main()
