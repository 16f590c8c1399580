"""People registry benchmark: importing 100,000 persons from Excel, and exact search over them.

Run: .venv/bin/python bench/people_bench.py                         (SQLite, a throwaway file under var/)
     .venv/bin/python bench/people_bench.py --database postgres     (PostgreSQL: linli_bench_people, flushed)
     options: --persons N (default 100000), --json (last line one JSON object), --profile (cProfile the
     clean import and print where its time goes)

Steps, on a fresh database:
(a) a demo-like place tree: 东城区's real streets and communities with the demo generator's grids, estates,
    buildings, units and houses, cut once there are half as many houses as persons;
(b) a persons file of N rows in households of one to four, with 1% bad rows (a wrong check digit, an unknown
    house, an impossible date, a bad phone, an identity number seen earlier in the file, a name and birth
    date seen earlier in the same house): the import must reject it, name every bad row with a reason and
    write nothing;
(c) the same file without the bad rows, imported and timed (upload → confirm → the task run here, as the
    worker runs it): target under 2 minutes for 100,000;
(d) exact search by phone and by identity number (a digest lookup through `restrict`), 200 lookups each for a
    community worker and for district command, each lookup reading the user's grants afresh as a request
    does: target under 50 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/linli_bench_people"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "秀英桂兰玉兰明华建国建华志强海燕丽娟永刚红梅淑珍德胜伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀兰霞平刚"
RELATIONS = ("配偶", "子女", "子女", "父母", "孙子女")
RESIDENCY = ("户籍", "户籍", "常住", "流动", "境外")
TAGS = ("独居老人", "高龄", "残疾", "低保", "空巢老人", "重点关注")
HEADERS = [
    "姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "联系电话", "人员类型",
    "房屋编码", "户号", "与户主关系", "入住日期", "离开日期", "关爱标签", "备注",
]  # fmt: skip
BAD_KINDS = ("check digit", "unknown house", "impossible date", "bad phone", "duplicate id", "duplicate person")


def setup(database: str) -> None:
    os.environ.setdefault("LINLI_DEMO", "1")
    if database == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        _fresh_postgres(url)
        os.environ["DATABASE_URL"] = url
    else:
        db = ROOT / "var" / "bench-people.sqlite3"
        db.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fresh_postgres(url: str) -> None:
    """Drop and create the bench's own database, so that every run starts from nothing."""
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432, autocommit=True
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')


def build_places(houses_wanted: int) -> tuple[Any, Any, Any, list[str], str]:
    """The tree, an importer (district command), a community worker and the house codes, in tree order."""
    from django.db import connection

    from linli.accounts.actions import create_user
    from linli.accounts.choices import Role
    from linli.core.demo import _table, division_rows, generated_rows
    from linli.places.actions import import_place_table
    from linli.places.models import Place

    admin = create_user(None, username="bench", role=Role.PLATFORM_ADMIN, superuser=True)
    divisions = division_rows()
    generated = generated_rows(divisions, random.Random(20261123))
    kept, houses = [], 0
    for row in generated:
        kept.append(row)
        houses += row["level"] == "house"
        if houses >= houses_wanted:
            break
    columns = ["code", "name", "level", "parent_code", "geometry", "households", "contact_phone"]
    started = time.perf_counter()
    import_place_table(admin, _table(divisions, columns))
    import_place_table(admin, _table(kept, columns))
    print(f"(a) built {Place.objects.count():,} places ({houses:,} houses) in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum will have done long before anyone imports people
            cursor.execute("ANALYZE places_place")
    district = Place.objects.get(code="110101000000")
    command = create_user(admin, username="bench_command", role=Role.DISTRICT_COMMAND, places=[district])
    codes = list(Place.objects.filter(level="house").order_by("path").values_list("code", flat=True))
    first = Place.objects.get(code=codes[0])
    community = first.ancestor_at("community")
    worker = create_user(admin, username="bench_worker", role=Role.COMMUNITY_WORKER, places=[community])
    return admin, command, worker, codes, community.path


def _id_number(birth: datetime.date, sequence: int) -> str:
    body = f"110101{birth:%Y%m%d}{sequence:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def make_people(count: int, codes: list[str], rng: random.Random) -> list[list[str]]:
    today = datetime.date.today()
    taken: set[str] = set()
    rows: list[list[str]] = []
    house_index, household = 0, 0
    while len(rows) < count:
        code = codes[house_index % len(codes)]
        household = household + 1 if house_index >= len(codes) else 1
        house_index += 1
        for member in range(min(rng.choice((1, 2, 2, 3, 3, 4)), count - len(rows))):
            while True:
                birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 90))
                number = _id_number(birth, rng.randrange(1000))
                if number not in taken:
                    taken.add(number)
                    break
            arrived = birth + datetime.timedelta(days=rng.randrange(0, max((today - birth).days, 1)))
            tags = "、".join(rng.sample(TAGS, rng.choice((1, 2)))) if rng.random() < 0.05 else ""
            rows.append(
                [
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "居民身份证",
                    number,
                    "男" if int(number[16]) % 2 else "女",
                    birth.isoformat(),
                    "汉族" if rng.random() < 0.95 else "回族",
                    f"139{len(rows):08d}",
                    rng.choice(RESIDENCY),
                    code,
                    str(household),
                    "户主" if member == 0 else rng.choice(RELATIONS),
                    arrived.isoformat(),
                    "",
                    tags,
                    "",
                ]
            )
    return rows


def spoil(rows: list[list[str]], rng: random.Random) -> dict[int, str]:
    """1% of the rows made bad, one of six ways each, in place; returns Excel row number → the kind."""
    spoiled: dict[int, str] = {}
    picks = sorted(rng.sample(range(10, len(rows)), max(len(rows) // 100, len(BAD_KINDS))))
    chosen = set(picks)
    for n, i in enumerate(picks):
        kind = BAD_KINDS[n % len(BAD_KINDS)]
        row = rows[i]
        earlier = next(j for j in range(i - 1, -1, -1) if j not in chosen)  # a good row above it
        original = rows[earlier]
        if kind == "check digit":
            row[2] = row[2][:-1] + ("0" if row[2][-1] != "0" else "1")
        elif kind == "unknown house":
            row[8] = f"NOHOUSE{i}"
        elif kind == "impossible date":
            row[11] = "2099-01-01"
        elif kind == "bad phone":
            row[6] = "1234567"
        elif kind == "duplicate id":
            row[2], row[3], row[4] = original[2], original[3], original[4]
        else:  # the same person again in the same house, written without a number
            row[0], row[2], row[3], row[4], row[8] = original[0], "", original[3], original[4], original[8]
            row[9], row[10] = original[9], "子女"
        spoiled[i + 2] = kind
    return spoiled


def workbook(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(user: Any, data: bytes, profile: bool = False) -> tuple[Any, dict[str, float]]:
    from linli.people import imports

    timing: dict[str, float] = {}
    started = time.perf_counter()
    job = imports.upload(user, "persons", io.BytesIO(data), "bench.xlsx")
    imports.confirm(user, job)
    timing["upload_s"] = time.perf_counter() - started
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    imports.run(job.pk)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    timing["run_s"] = time.perf_counter() - started
    job.refresh_from_db()
    timing.update({k: float(v) for k, v in (job.created.get("timing") or {}).items()})
    return job, timing


def lookups(user: Any, values: list[str], find: Any) -> tuple[list[float], int]:
    from linli.accounts.scopes import forget_scope

    samples, found = [], 0
    for value in values:
        forget_scope(user)
        started = time.perf_counter()
        found += len(list(find(user, value)))
        samples.append((time.perf_counter() - started) * 1000)
    return samples, found


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup(args.database)
    from django.db import connection

    from linli.people.models import Household, Person
    from linli.people.queries import find_by_id_number, find_by_phone

    result: dict[str, Any] = {"persons": args.persons, "database": connection.vendor}
    _admin, command, worker, codes, community_path = build_places(max(args.persons // 2, 100))
    rng = random.Random(7)
    clean = make_people(args.persons, codes, rng)
    bad = [list(r) for r in clean]
    spoiled = spoil(bad, rng)
    started = time.perf_counter()
    bad_file, clean_file = workbook(bad), workbook(clean)
    print(
        f"(b) wrote two files of {args.persons:,} rows ({len(clean_file) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )

    job, timing = run_import(command, bad_file)
    reported = {number: message for number, message in job.errors}
    missing = sorted(set(spoiled) - set(reported))
    extra = sorted(set(reported) - set(spoiled))
    kinds = {kind: sum(1 for k in spoiled.values() if k == kind) for kind in BAD_KINDS}
    rejected_ok = (
        job.status == "rejected"
        and job.error_count == len(spoiled)
        and not missing
        and not extra
        and all(reported.values())
        and not Person.objects.exists()
    )
    print(
        f"    bad file: {job.status}, {job.error_count} bad rows reported of {len(spoiled)} spoiled {kinds}; "
        f"missing {missing[:5]}, unexpected {extra[:5]}; persons written: {Person.objects.count()}; "
        f"{timing['run_s']:.1f} s -> {'OK' if rejected_ok else 'WRONG'}"
    )
    for number in sorted(reported)[:3]:
        print(f"      row {number} ({spoiled.get(number)}): {reported[number]}")
    result["bad_file"] = {"ok": rejected_ok, "spoiled": len(spoiled), "reported": job.error_count, **timing}

    job, timing = run_import(command, clean_file, profile=args.profile)
    imported = Person.objects.count()
    clean_ok = job.status == "done" and imported == args.persons
    print(
        f"(c) clean file: {job.status}, {imported:,} persons, {Household.objects.count():,} households, "
        f"upload {timing['upload_s']:.1f} s + check {timing.get('check_s', 0):.1f} s + write "
        f"{timing.get('write_s', 0):.1f} s = {timing['upload_s'] + timing['run_s']:.1f} s "
        f"({'OK' if clean_ok else 'WRONG'}, target < 120 s)"
    )
    result["clean_import"] = {
        "ok": clean_ok,
        "persons": imported,
        "total_s": round(timing["upload_s"] + timing["run_s"], 1),
        **timing,
    }

    sample = rng.sample(clean, 200)
    under = _codes_under(community_path)
    local = [r for r in clean if r[8] in under]
    local_sample = rng.sample(local, min(100, len(local)))
    searches: dict[str, Any] = {}
    print("(d) exact search, 200 lookups each, every lookup reading the user's grants afresh")
    print("| who | by | median ms | p95 ms | max ms | found |")
    print("|---|---|---|---|---|---|")
    for who, user, rows in (
        ("district command", command, sample),
        ("community worker", worker, local_sample + sample[:100]),
    ):
        for by, column, find in (("phone", 6, find_by_phone), ("identity number", 2, find_by_id_number)):
            lookups(user, [r[column] for r in rows[:5]], find)  # warm-up
            samples, found = lookups(user, [r[column] for r in rows], find)
            stats = summary(samples)
            searches[f"{who} by {by}"] = {**stats, "found": found, "lookups": len(rows)}
            print(
                f"| {who} | {by} | {stats['median_ms']} | {stats['p95_ms']} | {stats['max_ms']} | {found}/{len(rows)} |"
            )
    result["search"] = searches
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor} {version}"
    )
    print(f"machine: {result['machine']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


_UNDER: dict[str, set[str]] = {}


def _codes_under(path: str) -> set[str]:
    if path not in _UNDER:
        from linli.places.models import Place

        _UNDER[path] = set(Place.objects.filter(path__startswith=path, level="house").values_list("code", flat=True))
    return _UNDER[path]


if __name__ == "__main__":
    main()
