"""What the load benchmarks share: a fresh data set, a server started and stopped, latency percentiles.

``bench/timeline_load.py``, ``bench/signup_burst.py`` and ``bench/mixed_load.py`` start Notebridge the way an
operator does (gunicorn alone, ``runstack`` as ``make run`` does, or ``scripts/run-prod`` as ``make run-prod``
does) on a data directory, PostgreSQL database and Redis db of their own, seed it through the real services
(``bench/seed.py``) and wait for it to answer.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"


def reset(data: Path, *, database: str | None = None, redis_db: int | None = None) -> None:
    """An empty data directory, PostgreSQL ``database`` dropped and created, Redis db ``redis_db`` flushed."""
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if database:
        drop_database(database)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    if redis_db is not None:
        flush_redis(redis_db)


def drop_database(database: str) -> None:
    sql = f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def flush_redis(redis_db: int) -> None:
    subprocess.run(["redis-cli", "-n", str(redis_db), "flushdb"], check=True, stdout=subprocess.DEVNULL)


def wait_ready(port: int, seconds: float = 30) -> None:
    """Until ``GET /api/v1/instance`` answers (the first request loads the app), or SystemExit."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/instance", timeout=5)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer within {seconds:.0f} s")


def seed(data: Path, env: dict[str, str], *, code: Path = ROOT, sizes: tuple[int, int, int] | None = None) -> dict:
    """``bench/seed.py`` into ``data`` (users, follows, notes per user; its defaults when ``sizes`` is None):
    its summary. Tokens are in ``data/tokens.txt``, one per user in user order."""
    command = [PY, str(code / "bench/seed.py"), str(data)]
    if sizes is not None:
        users, follows, notes = sizes
        command += ["--users", str(users), "--follows", str(follows), "--notes", str(notes)]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads((data / "seed.json").read_text())


def run_checked(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
    """A set-up command's output; its error output in the exception when it fails."""
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-3000:]}")
    return done.stdout


def start(command: list[str], env: dict[str, str], log: IO[str], cwd: Path = ROOT) -> subprocess.Popen[str]:
    """A server in a process group of its own, so that ``stop`` ends it with every child it started."""
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True, text=True)


def stop(server: subprocess.Popen[str], timeout: float = 30) -> None:
    """SIGTERM to the server's process group (runstack stops its children itself), then SIGKILL."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def wrk_json(
    port: int,
    script: Path,
    duration: int,
    env: dict[str, str],
    *,
    threads: int = 2,
    connections: int = 8,
    timeout_s: int | None = None,
) -> dict:
    """One wrk run against ``port`` with a Lua ``script`` that prints its figures as a ``JSON {...}`` line;
    those figures. ``env`` carries what the script reads (``BENCH_*``)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    if timeout_s is not None:
        command += ["--timeout", f"{timeout_s}s"]  # a slow answer is counted, not dropped
    command += ["--latency", "-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("JSON "))
    return json.loads(line[5:])


def pct(values: list[float], q: float) -> float | None:
    """The ``q`` quantile of durations in seconds, in milliseconds (nearest rank), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def address(i: int) -> str:
    """The i-th client's address: /24s of the benchmarking range 198.18.0.0/15 in turn, one address each
    (sent as ``X-Forwarded-For`` to a server that trusts 127.0.0.1; the traffic itself stays on loopback)."""
    net = i % 512
    return f"198.{18 + net // 256}.{net % 256}.{1 + (i // 512) % 254}"


def git_commit(code: Path = ROOT) -> str:
    found = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip()
