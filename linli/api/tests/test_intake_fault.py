"""kill -9 during a burst of submissions: every request that was acknowledged (201 or 200 with a number) is in
the database afterwards, and retrying every request with its Idempotency-Key makes no second case.

The server is gunicorn, as in production, on a database of its own (a SQLite file, or PostgreSQL when the
suite runs on it); the whole server — master and workers — is killed with SIGKILL while clients are
mid-request, so nothing gets to finish cleanly."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from linli.tests import liveworld as live

CLIENTS = 6
ACKS_BEFORE_KILL = 40


def post(port: int, token: str, key: str, place: str) -> tuple[int, dict[str, Any]]:
    body = {"body": f"故障演练 {key}：小区门口路面脏乱，垃圾堆放多日", "place": place, "consent": True}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/cases/",
            body=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    sink = None if os.environ.get("LIVE_LOGS") else subprocess.DEVNULL
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        live.gunicorn_argv(port, 2), cwd=live.ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True
    )
    live.wait_http(port)
    return server


def kill_all(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the server's whole process group: the master and every worker at once."""
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


def test_kill_9_mid_burst_loses_no_acknowledged_request(tmp_path: Path) -> None:
    url = live.database_url(f"linli_ops_fault_{os.getpid()}", tmp_path)
    live.create_database(url)
    server = None
    try:
        world = live.run_here(url, "seed")
        env = live.child_env(url)
        port = live.free_port()
        server = start_server(port, env)
        acked: dict[str, str] = {}  # key → number
        sent: list[str] = []
        cut: list[str] = []  # sent, then the connection died before an answer
        guard, stop = threading.Lock(), threading.Event()

        def client(n: int) -> None:
            i = 0
            while not stop.is_set() and i < 10_000:
                key = f"fault-{n}-{i}"
                i += 1
                with guard:
                    sent.append(key)
                try:
                    status, answer = post(port, world["token"], key, world["place"])
                except ConnectionRefusedError:
                    with guard:
                        sent.remove(key)  # never reached a server: not part of the burst
                    time.sleep(0.05)
                    continue
                except (OSError, http.client.HTTPException):
                    with guard:
                        cut.append(key)
                    continue
                if status in (200, 201) and answer.get("number"):
                    with guard:
                        acked[key] = answer["number"]

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        assert live.wait_for(lambda: len(acked) >= ACKS_BEFORE_KILL, timeout=120, every=0.01), "no burst"
        kill_all(server)
        time.sleep(0.5)  # the clients see their connections die
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        assert cut, "the kill hit no request in flight: the test proved nothing"

        stored = {
            key.split(":", 1)[1]: pk
            for pk, key in live.query(
                url, "SELECT id, idempotency_key FROM cases_case WHERE idempotency_key IS NOT NULL"
            )
        }
        missing = [key for key in acked if key not in stored]
        assert not missing, f"acknowledged but not stored: {missing}"
        for key, number in acked.items():
            assert int(number[8:]) == stored[key], f"{key}: acknowledged as {number}, stored as id {stored[key]}"

        # The clients retry everything they sent with the same keys: no second case for any of them.
        server = start_server(port, env)
        for key in sent:
            status, answer = post(port, world["token"], key, world["place"])
            assert status in (200, 201), (key, status, answer)
            if key in acked:
                assert status == 200 and answer["number"] == acked[key]
        count = live.query(url, "SELECT count(*), count(DISTINCT idempotency_key) FROM cases_case")[0]
        assert count == (len(set(sent)), len(set(sent)))
        print(f"burst: {len(sent)} sent, {len(acked)} acknowledged, {len(cut)} cut by kill -9, all stored")
    finally:
        if server is not None:
            kill_all(server)
        live.drop_database(url)
