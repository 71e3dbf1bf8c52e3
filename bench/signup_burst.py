"""A burst of sign-ups through ``POST /api/v1/accounts`` against gunicorn, with the waitlist on.

Seeds a fresh SQLite data directory, starts gunicorn (2 workers x 4 threads, as ``runstack``) with
``TRUSTED_PROXIES=127.0.0.1`` and ``manage.py admit_waitlist --loop 1`` beside it, then N clients sign up
``--accounts`` accounts concurrently, each request carrying an ``X-Forwarded-For`` address from the
benchmarking range 198.18.0.0/15 (a header only: all traffic goes to 127.0.0.1). Counts the answers
(created, waitlisted, 429, 5xx, other), then waits until every waitlisted account is admitted and reports
the sustained admission rate (admissions per second between the first and the last) from the records.

    python bench/signup_burst.py [--accounts 500] [--clients 20] [--capacity-per-hour 18000]
                                 [--window 10] [--port 8765] [--fast-hasher]

Real Argon2 by default (``--fast-hasher`` for MD5, as the test suite uses). Uses ``var/bench-signup``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATA = ROOT / "var" / "bench-signup"


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def app_token(env: dict[str, str]) -> str:
    code = (
        "from api.services import register_app, issue_token\n"
        "app, _ = register_app(name='burst', redirect_uris='urn:ietf:wg:oauth:2.0:oob', scopes='read write')\n"
        "print(issue_token(user=None, application=app, scopes=['read', 'write'])[1])\n"
    )
    return run([PY, "manage.py", "shell", "-c", code], env).strip().splitlines()[-1]


def wait_ready(port: int) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/instance", timeout=2)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def sign_up(port: int, token: str, i: int, rng: random.Random) -> tuple[str, float]:
    address = f"198.{18 + rng.randrange(2)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    body = json.dumps(
        {"username": f"burst{i}", "password": f"burst passphrase {i}", "agreement": True, "locale": "en"}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/accounts",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Forwarded-For": address},
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return "ok", time.perf_counter() - start
    except urllib.error.HTTPError as exc:
        kind = "5xx" if exc.code >= 500 else str(exc.code)
        return kind, time.perf_counter() - start
    except Exception:
        return "error", time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--capacity-per-hour", type=int, default=18000)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fast-hasher", action="store_true")
    args = parser.parse_args()

    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    env = {**os.environ, "NOTEBRIDGE_DATA_DIR": str(DATA), "LOG_LEVEL": "ERROR", "TRUSTED_PROXIES": "127.0.0.1"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "SIGNUP_CAPACITY_PER_HOUR": str(args.capacity_per_hour),
            "SIGNUP_CAPACITY_WINDOW_S": str(args.window),
            "REVIEW_SCREENING": "0",
        }
    )
    if args.fast_hasher:
        env["FAST_PASSWORD_HASHER"] = "1"
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    token = app_token(env)
    server = subprocess.Popen(
        [
            *(PY, "-m", "gunicorn", "notebridge.wsgi:application", "--bind", f"127.0.0.1:{args.port}"),
            *("--workers", "2", "--threads", "4", "--timeout", "60"),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    admitter = subprocess.Popen(
        [PY, "manage.py", "admit_waitlist", "--loop", "1"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        wait_ready(args.port)
        results: list[tuple[str, float]] = []
        lock = threading.Lock()
        counter = iter(range(args.accounts))
        rng = random.Random(7)

        def client() -> None:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                outcome = sign_up(args.port, token, i, rng)
                with lock:
                    results.append(outcome)

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        burst_s = time.perf_counter() - start
        db = sqlite3.connect(DATA / "notebridge.sqlite3")
        states = dict(db.execute("SELECT state, count(*) FROM trust_signup GROUP BY state").fetchall())
        deadline = time.time() + 600
        while db.execute("SELECT count(*) FROM trust_signup WHERE state = 'waiting'").fetchone()[0] and (
            time.time() < deadline
        ):
            time.sleep(1)
        times = [
            datetime.fromisoformat(row[0])
            for row in db.execute("SELECT decided_at FROM trust_signup WHERE state = 'admitted' ORDER BY decided_at")
        ]
        left = db.execute("SELECT count(*) FROM trust_signup WHERE state != 'admitted'").fetchone()[0]
        span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
        latencies = sorted(t for _kind, t in results)
        answers = Counter(kind for kind, _t in results)
        print(
            json.dumps(
                {
                    "accounts": args.accounts,
                    "clients": args.clients,
                    "hasher": "md5" if args.fast_hasher else "argon2",
                    "capacity_per_window": -(-args.capacity_per_hour * args.window // 3600),
                    "window_s": args.window,
                    "answers": dict(answers),
                    "after_burst": {"admitted": states.get("admitted", 0), "waitlisted": states.get("waiting", 0)},
                    "burst_s": round(burst_s, 1),
                    "signups_per_s": round(len(results) / burst_s, 1),
                    "p50_ms": round(latencies[len(latencies) // 2] * 1000),
                    "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000),
                    "admitted_total": len(times),
                    "not_admitted_at_end": left,
                    "admission_rate_per_s": round(len(times) / span, 1) if span else None,
                }
            )
        )
    finally:
        admitter.terminate()
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
