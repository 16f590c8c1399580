"""A small world in a database of its own, for tests and benches that run real processes against it
(gunicorn, the scheduler, db_worker, a Celery worker): those processes cannot see pytest's test database,
which is in memory on SQLite and inside an open transaction on PostgreSQL.

The database is a SQLite file, or a PostgreSQL database next to the one DATABASE_URL names when that is
PostgreSQL. Django code runs in child processes (`python -m linli.tests.liveworld seed|due-case`); the test
itself reads the database with the plain driver, so it keeps out of pytest-django's way.

    python -m linli.tests.liveworld seed         prints {"place": code, "token": secret, ...}
    python -m linli.tests.liveworld due-case 5   a dispatched case whose deadlines fall in 5 s
    python -m linli.tests.liveworld enqueue linli.cases.tasks.sweep_cases
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BUILDING = "110199001001001E01B01"
PASSWORD = "Live-pass-2026!"


def database_url(name: str, folder: Path) -> str:
    """Where a live database called `name` goes: beside DATABASE_URL's PostgreSQL database, else a file."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        return base.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{folder / (name + '.sqlite3')}"


def _pg_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def drop_database(url: str) -> None:
    if is_postgres(url):
        with _pg_admin(url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)


def child_env(url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "LINLI_DEMO": os.environ.get("LINLI_DEMO", "1")}
    env.setdefault("LOG_LEVEL", "WARNING")
    env.update(extra)
    return env


def create_database(url: str, extra: dict[str, str] | None = None) -> None:
    """A fresh, migrated database (whatever was there under that name is dropped)."""
    drop_database(url)
    if is_postgres(url):
        with _pg_admin(url) as admin:
            admin.execute(f'CREATE DATABASE "{_pg_name(url)}"')
    manage(url, "migrate", "--noinput", "-v0", extra=extra)


def manage(url: str, *args: str, timeout: float = 300, extra: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=child_env(url, **(extra or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_here(url: str, *args: str, timeout: float = 120, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this module's command line in a child process on `url`; its last output line is JSON."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "linli.tests.liveworld", *args],
        cwd=ROOT,
        env=child_env(url, **(extra or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"liveworld {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def query(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Plain-driver read (or write) on the live database; `%s` placeholders on both engines."""
    if is_postgres(url):
        import psycopg

        with psycopg.connect(url) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]
    lite = sqlite3.connect(urlsplit(url).path, timeout=20)
    try:
        rows = lite.execute(sql.replace("%s", "?"), tuple(params)).fetchall()
        lite.commit()
        return rows
    finally:
        lite.close()


def wait_for(check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy or `timeout` seconds pass; returns its last answer."""
    end = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() >= end:
            return answer
        time.sleep(every)


@contextmanager
def processes(*commands: tuple[Sequence[str], dict[str, str]]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start long-running children (their output to files under /tmp is not needed: they go to DEVNULL unless
    LIVE_LOGS is set); stopped with SIGTERM, then SIGKILL, whatever happens in the block."""
    started: list[subprocess.Popen[bytes]] = []
    sink = None if os.environ.get("LIVE_LOGS") else subprocess.DEVNULL
    try:
        for argv, env in commands:
            started.append(subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink, stderr=sink))  # noqa: S603
        yield started
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def manage_argv(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def gunicorn_argv(port: int, workers: int = 2, *extra: str) -> list[str]:
    """The production server as a deployment runs it (sync workers; see docs/benchmarks.md for the count)."""
    return [
        *(sys.executable, "-m", "gunicorn", "linli.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"),
        *extra,
    ]


def wait_http(port: int, timeout: float = 60) -> None:
    """Until the server at `port` answers HTTP (any status)."""
    import http.client

    def answers() -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/me/")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            return False

    if not wait_for(answers, timeout, every=0.2):
        raise RuntimeError(f"no server answered on port {port} within {timeout} s")


# ------------------------------------------------------------------------------------------------------
# In the child process (Django set up): the world and the cases.


def _box(west: float, north: float, east: float, south: float) -> str:
    ring = [[west, north], [east, north], [east, south], [west, south], [west, north]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


TREE = [
    ("110000000000", "北京市", "province", "", ""),
    ("110199000000", "示范区", "district", "110000000000", _box(117.0, 41.0, 117.4, 40.8)),
    ("110199001000", "示范街道", "street", "110199000000", _box(117.0, 41.0, 117.2, 40.8)),
    ("110199001001", "示范社区居委会", "community", "110199001000", _box(117.0, 41.0, 117.2, 40.8)),
    ("110199001001001", "示范第1网格", "grid", "110199001001", _box(117.0, 41.0, 117.2, 40.8)),
    ("110199001001001E01", "示范小区", "estate", "110199001001001", ""),
    (BUILDING, "1号楼", "building", "110199001001001E01", ""),
]


def seed() -> dict[str, Any]:
    from linli.accounts.actions import create_user
    from linli.accounts.choices import Role
    from linli.accounts.models import Grant
    from linli.api.actions import issue_token
    from linli.core.tabular import Table
    from linli.orgs.choices import DepartmentType, UnitKind
    from linli.orgs.models import Matter, Unit
    from linli.places.actions import import_place_table
    from linli.places.models import Place

    admin = create_user(None, username="root", role=Role.PLATFORM_ADMIN, password=PASSWORD, superuser=True)
    table = Table(
        columns=["code", "name", "level", "parent_code", "geometry"],
        rows=[
            (i, {"code": c, "name": n, "level": lv, "parent_code": p, "geometry": g})
            for i, (c, n, lv, p, g) in enumerate(TREE, start=2)
        ],
    )
    import_place_table(admin, table, source="live")
    places = {p.code: p for p in Place.objects.all()}

    def unit(code: str, name: str, kind: str, place: str, dtype: str = "") -> Unit:
        made = Unit.objects.create(code=code, name=name, kind=kind, department_type=dtype)
        made.jurisdiction.set([places[place]])
        return made

    unit("LCMD", "示范区指挥中心", UnitKind.COMMAND_CENTRE, "110199000000")
    dept = unit("LDA", "示范区城管委", UnitKind.DISTRICT_DEPARTMENT, "110199000000", DepartmentType.URBAN_MANAGEMENT)
    street = unit("LSA", "示范街道办事处", UnitKind.STREET_OFFICE, "110199001000")
    Matter.objects.create(
        code="M09001",
        name="道路不洁",
        category="城乡建设",
        owner_level="district",
        department_type=DepartmentType.URBAN_MANAGEMENT,
        keywords=["路面脏"],
    )
    resident = create_user(admin, username="live_resident", role=Role.RESIDENT, password=PASSWORD, phone="13800009999")
    dispatcher = create_user(
        admin,
        username="live_dispatcher",
        role=Role.STREET_DISPATCHER,
        password=PASSWORD,
        places=[places["110199001000"]],
    )
    grant = Grant.objects.active().get(user=resident)
    _token, secret = issue_token(None, grant, name="live intake", days=30)
    return {
        "place": BUILDING,
        "token": secret,
        "resident": resident.pk,
        "dispatcher": dispatcher.pk,
        "department": dept.pk,
        "street": street.pk,
    }


def due_case(seconds: float) -> dict[str, Any]:
    """Submit and dispatch a case as the world's people would, then bring its deadlines to `seconds` from
    now (the deadline rules count working days; a test cannot wait for one)."""
    import datetime

    from django.utils import timezone

    from linli.accounts.models import User
    from linli.cases.actions import Submission, dispatch_case, submit_request
    from linli.cases.models import Case
    from linli.orgs.models import Unit
    from linli.places.models import Place

    resident = User.objects.get(username="live_resident")
    dispatcher = User.objects.get(username="live_dispatcher")
    case, _ = submit_request(
        resident,
        Submission(
            channel="web", body="小区门口路面脏乱，垃圾堆放多日", place=Place.objects.get(code=BUILDING), consent=True
        ),
    )
    case = dispatch_case(dispatcher, case, unit=Unit.objects.get(code="LDA"))
    due = timezone.now() + datetime.timedelta(seconds=seconds)
    Case.objects.filter(pk=case.pk).update(contact_due=due, handle_due=due, sweep_due_at=due)
    return {"case": case.pk, "number": case.number, "due": due.isoformat()}


def enqueue(module_path: str) -> dict[str, Any]:
    """Queue a task through django.tasks on the configured backend (TASKS_BACKEND), as the scheduler does."""
    from django.utils.module_loading import import_string

    result = import_string(module_path).enqueue()
    return {"id": result.id, "backend": type(result.task.get_backend()).__name__}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()
    command = argv[0] if argv else ""
    if command == "seed":
        result = seed()
    elif command == "due-case":
        result = due_case(float(argv[1]) if len(argv) > 1 else 5.0)
    elif command == "enqueue":
        result = enqueue(argv[1])
    else:
        raise SystemExit("usage: python -m linli.tests.liveworld seed | due-case SECONDS | enqueue TASK_PATH")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
