"""Intake under load: concurrent submissions over HTTP to the production server, on PostgreSQL.

Run: make bench-intake                                   (10 s, 16 connections)
     .venv/bin/python bench/intake_load.py --seconds 20 --concurrency 32 --json
     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench (the default) names the database, which
     is dropped and created afresh, migrated and given a minimal world (linli/tests/liveworld.py: a street,
     its community, grid, estate and building, three units, a matter, a resident with an API token).

The server is gunicorn (`--workers`, `--worker-class`, `--threads`) with persistent database connections.
The load comes from a separate process (this file with --drive): asyncio coroutines speaking raw HTTP/1.1,
one connection each, keep-alive where the server keeps it; its CPU time is reported, since it shares the
machine's cores with the server and the database. Each submission carries its own Idempotency-Key.

After a warm-up (not measured), requests are counted for --seconds. Reported: submissions acknowledged per
second (HTTP 201 with a number), p50/p95/p99 latency from sending the request to the last byte of the answer
(connecting included), errors, and acknowledged vs stored: every acknowledged number, warm-up included, is
looked up in the database afterwards. With --json the last line is one JSON object with keys rps, p50_ms,
p95_ms, acknowledged, stored (and more). --profile SECONDS samples one gunicorn worker with py-spy during
the measured window and prints where its time goes.

Routing is not run: each submission queues its routing task (the database worker drains that queue in a
deployment, on the same cores); the bench measures taking requests in, which must never wait for routing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LINLI_DEMO", "1")  # generated keys; DEBUG stays off (settings.DEBUG defaults to False)

from linli.tests import liveworld as live  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/linli_bench"
TEXTS = [
    "小区门口路面脏乱，垃圾堆放多日无人清理",
    "楼道灯坏了好几天，晚上看不见路，老人上下楼很危险",
    "夜间施工噪音太大，影响休息，希望有关部门管一管",
    "路边井盖松动，车辆经过响声很大，存在安全隐患",
    "小区绿化带被占用种菜，希望恢复绿地",
]


# ------------------------------------------------------------------------------------------------------
# The driver (a separate process): asyncio and raw HTTP, so that it spends as little CPU as it can.


async def _submit(
    port: int, token: str, place: str, run: str, conn: list[Any], key: str, n: int
) -> tuple[int, bytes, float]:
    body = json.dumps(
        {"body": f"{TEXTS[n % len(TEXTS)]}（{key}）", "place": place, "consent": True}, ensure_ascii=False
    ).encode()
    head = (
        f"POST /api/v1/cases/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    if not conn:
        conn.extend(await asyncio.open_connection("127.0.0.1", port))
    reader, writer = conn
    writer.write(head + body)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before an answer")
    length, keep = 0, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    payload = await reader.readexactly(length) if length else b""
    elapsed = time.perf_counter() - started
    if not keep:
        writer.close()
        conn.clear()
    return int(status_line.split()[1]), payload, elapsed


async def _client(n: int, args: Any, start: float, stop: float, out: dict[str, Any]) -> None:
    conn: list[Any] = []
    i = 0
    while True:
        now = time.perf_counter()
        if now >= stop:
            break
        key = f"{args.run}-{n}-{i}"
        i += 1
        try:
            status, payload, elapsed = await _submit(args.port, args.token, args.place, args.run, conn, key, n + i)
        except (OSError, ConnectionError, asyncio.IncompleteReadError) as error:
            out["errors"].append(f"{type(error).__name__}: {error}")
            if conn:
                conn[1].close()
                conn.clear()
            await asyncio.sleep(0.01)
            continue
        measured = now >= start
        if status in (200, 201):
            number = json.loads(payload).get("number")
            if number:
                out["acked"][key] = number
                if measured:
                    out["latencies"].append(elapsed)
        else:
            out["errors"].append(f"HTTP {status}: {payload[:200]!r}")
    if conn:
        conn[1].close()


async def _drive(args: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"acked": {}, "latencies": [], "errors": []}
    begin = time.perf_counter()
    start, stop = begin + args.warmup, begin + args.warmup + args.seconds
    await asyncio.gather(*(_client(n, args, start, stop, out) for n in range(args.concurrency)))
    out["window"] = time.perf_counter() - start
    return out


def drive(args: Any) -> None:
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    out = asyncio.run(_drive(args))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    out["driver_cpu_s"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(json.dumps(out, ensure_ascii=False))


# ------------------------------------------------------------------------------------------------------
# The conductor: database, server, driver, profile, report.


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def worker_pids(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
    return [int(p) for p in found.stdout.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc); vanished ones count 0."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def database_pids(url: str) -> list[int]:
    name = url.rsplit("/", 1)[-1]
    rows = live.query(url, "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
    return [pid for (pid,) in rows]


def profile(pid: int, seconds: float, folder: Path) -> subprocess.Popen[bytes] | None:
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("py-spy is not installed: no profile", file=sys.stderr)
        return None
    raw = folder / f"intake-{pid}.txt"
    return subprocess.Popen(
        [
            *(str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200"),
            *("--format", "raw", "--output", str(raw), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarise_profile(raw: Path, top: int = 30) -> list[tuple[str, float]]:
    """Share of one worker's samples in which each frame is on the stack (inclusive), for the frames below
    the server's own loop (those on nearly every sample say nothing) in Linli, Django, DRF and psycopg."""
    totals: dict[str, int] = {}
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        samples += n
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            where = where.rstrip(")").split("site-packages/")[-1]
            where = where.split(str(ROOT) + "/")[-1]
            if where.startswith(("linli/", "django/", "rest_framework/", "psycopg/")):
                label = f"{name} ({where})"
                if label not in seen:
                    seen.add(label)
                    totals[label] = totals.get(label, 0) + n
    if not samples:
        return []
    shares = [(label, 100.0 * n / samples) for label, n in totals.items()]
    return sorted((item for item in shares if item[1] < 90), key=lambda kv: -kv[1])[:top]


def conduct(args: Any) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    print(f"database {url.rsplit('@', 1)[-1]}: fresh, migrating …", file=sys.stderr)
    live.create_database(url)
    world = live.run_here(url, "seed")
    port = live.free_port()
    env = live.child_env(url, DB_CONN_MAX_AGE="600", LOG_LEVEL="WARNING")
    extra = ["--worker-class", args.worker_class, "--backlog", "2048"]
    if args.worker_class == "gthread":
        extra += ["--threads", str(args.threads)]
    server = subprocess.Popen(live.gunicorn_argv(port, args.workers, *extra), cwd=ROOT, env=env, start_new_session=True)
    spy = None
    try:
        live.wait_http(port)
        run = uuid.uuid4().hex[:8]
        driver = subprocess.Popen(
            [
                *(sys.executable, __file__, "--drive", "--port", str(port), "--token", world["token"]),
                *("--place", world["place"], "--run", run, "--seconds", str(args.seconds)),
                *("--concurrency", str(args.concurrency), "--warmup", str(args.warmup)),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(args.warmup)
        workers = worker_pids(server.pid)
        backends = database_pids(url) if live.is_postgres(url) else []
        cpu_before = (cpu_seconds(workers), cpu_seconds(backends))
        if args.profile and workers:
            spy = profile(workers[0], min(args.profile, args.seconds - 1), Path(args.profile_dir))
        time.sleep(args.seconds)
        cpu_after = (cpu_seconds(workers), cpu_seconds(backends))
        output, _ = driver.communicate(timeout=args.warmup + args.seconds + 120)
        result = json.loads(output.strip().splitlines()[-1])
        if spy is not None:
            spy.wait(timeout=60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    acked: dict[str, str] = result["acked"]
    stored_ids = {
        key.split(":", 1)[1]: pk
        for pk, key in live.query(url, "SELECT id, idempotency_key FROM cases_case WHERE idempotency_key IS NOT NULL")
    }
    stored = sum(1 for key, number in acked.items() if stored_ids.get(key) == int(number[8:]))
    lat = result["latencies"]
    version = live.query(url, "SHOW server_version")[0][0] if live.is_postgres(url) else "sqlite"
    report = {
        "rps": round(len(lat) / result["window"], 1),
        "p50_ms": round(1000 * percentile(lat, 0.50), 1),
        "p95_ms": round(1000 * percentile(lat, 0.95), 1),
        "p99_ms": round(1000 * percentile(lat, 0.99), 1),
        "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
        "acknowledged": len(acked),
        "stored": stored,
        "measured": len(lat),
        "errors": len(result["errors"]),
        "first_errors": result["errors"][:3],
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "server": f"gunicorn {args.worker_class} workers={args.workers}"
        + (f" threads={args.threads}" if args.worker_class == "gthread" else ""),
        "driver_cpu_pct": round(100 * result["driver_cpu_s"] / (args.seconds + args.warmup), 1),
        # CPU per acknowledged submission in the measured window: what the cores really pay, whatever else
        # runs on the machine (wall-clock figures move with the machine's load; these barely do).
        "server_cpu_ms": round(1000 * (cpu_after[0] - cpu_before[0]) / max(len(lat), 1), 2),
        "postgres_cpu_ms": round(1000 * (cpu_after[1] - cpu_before[1]) / max(len(lat), 1), 2),
        # Other work on the machine (a shared development box) takes cores from the bench: say how much.
        "loadavg_before": round(load_before, 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {version}",
    }
    if not args.keep_db:
        live.drop_database(url)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds (default 10)")
    parser.add_argument("--concurrency", type=int, default=16, help="connections at once (default 16)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring (default 2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--profile", type=float, default=0, help="sample one worker this many seconds (py-spy)")
    parser.add_argument("--profile-dir", default=str(ROOT / "var"), help="where py-spy's raw samples go")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database for a look")
    # The driver's own arguments (the conductor passes them).
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--place", help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args)
        return
    report = conduct(args)
    print(
        f"{report['server']}, {args.concurrency} connections, {args.seconds:g} s measured: "
        f"{report['rps']} submissions/s, p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
        f"p99 {report['p99_ms']} ms; acknowledged {report['acknowledged']}, stored {report['stored']}, "
        f"errors {report['errors']}; CPU per submission: server {report['server_cpu_ms']} ms, PostgreSQL "
        f"{report['postgres_cpu_ms']} ms; driver CPU {report['driver_cpu_pct']}% of one core; "
        f"load average before {report['loadavg_before']}"
    )
    if args.profile:
        raws = sorted(Path(args.profile_dir).glob("intake-*.txt"), key=lambda p: p.stat().st_mtime)
        if raws:
            print("where one worker's time goes (share of samples with the frame on the stack):")
            for label, pct in summarise_profile(raws[-1]):
                print(f"  {pct:5.1f}%  {label}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    if report["stored"] != report["acknowledged"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
