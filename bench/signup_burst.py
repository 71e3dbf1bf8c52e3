"""A burst of sign-ups through ``POST /api/v1/accounts`` against the production stack, with the waitlist on.

Starts ``scripts/run-prod`` (what ``make run-prod`` runs: migrations, ``check --deploy``, then
``runstack --prod``: gunicorn and the RQ workers) on a dedicated PostgreSQL database and Redis db, with
``TRUSTED_PROXIES=127.0.0.1``, and ``manage.py admit_waitlist --loop 1`` beside it (the stack has no
scheduler of its own). Seeds a reader whose home timeline has notes in it, then:

0. **warm-up**: for ``--warmup-s`` seconds, ``--clients`` readers read the timeline at once (every web
   worker and thread serves some: none answers its first request, the slow one, in the measured
   windows), then the probe alone reads it for the rest of the warm-up, its times discarded; the
   stack's own start-up work (the task workers loading their tables, the first jobs) is over by then;
1. **before**: the reader's ``GET /api/v1/timelines/home?limit=20`` for ``--probe-s`` seconds, one
   request at a time, every 0.2 s;
2. **burst**: ``--clients`` concurrent clients sign up ``--accounts`` accounts, each request carrying its
   own ``X-Forwarded-For`` address from the benchmarking range 198.18.0.0/15 (a header only: traffic goes
   to 127.0.0.1), spread so that no /24 sees more than ``signup.subnet`` allows (30 an hour); the probe
   keeps reading the timeline meanwhile. A 429 (the password-hashing slots full) is retried after its
   ``Retry-After``, as a client would;
3. **after**: waits until every waitlisted account is admitted.

Checks and reports: the answers (200 created or waitlisted, 429 retried, 5xx, other), every account
present and admitted at the end (none lost), the sustained admission rate (admissions per second
between the first and the last, from the records), sign-up latency, and the home timeline's p50 and p99
before and during the burst, with their ratios (during / before: the issue's target is a p99 ratio of at
most 2).

    python bench/signup_burst.py [--accounts 500] [--clients 20] [--capacity-per-hour 18000]
        [--window 10] [--port 8715] [--database nb_bench_signup] [--redis-db 5] [--fast-hasher]
        [--hash-nice N] [--machine-slots N] [--code PATH] [--probe-s 20] [--warmup-s 20] [--newcomer-check-s N]
        [--probe-log PATH]

Real Argon2 by default. Drops and recreates ``--database`` and flushes ``--redis-db``: give it ones of
its own. Uses ``var/bench-signup`` for the data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import serving
from serving import PG, PY, ROOT, address, pct

DATA = ROOT / "var" / "bench-signup"

SEED = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from accounts.services import register_user, follow
from api.services import register_app, issue_token
from notes.services import create_note
from review import intake
app, _ = register_app(name='burst', redirect_uris='urn:ietf:wg:oauth:2.0:oob', scopes='read write')
reader = register_user(username='burst_reader', password=None, languages=['en'], check_password=False)
warmer = register_user(username='burst_warmer', password=None, languages=['en'], check_password=False)
# Readers who joined long ago: the probe stands for an established reader, whom neither a new account's
# stricter limits nor influx mode's tighten.
User.objects.filter(pk__in=[reader.pk, warmer.pk]).update(date_joined=timezone.now() - timedelta(days=60))
with intake.inline_screening():
    for a in range(10):
        author = register_user(username=f'burst_author{a}', password=None, languages=['en'], check_password=False)
        follow(follower=reader, followee=author)
        follow(follower=warmer, followee=author)
        for n in range(5):
            create_note(author=author, title=f'Note {n} by author {a}', body='Weekend market, fresh peaches.')
print(issue_token(user=None, application=app, scopes=['read', 'write'])[1])
print(issue_token(user=reader, application=app, scopes=['read'])[1])
print(issue_token(user=warmer, application=app, scopes=['read'])[1])
"""


def run(cmd: list[str], env: dict[str, str], code: Path) -> str:
    return subprocess.run(cmd, env=env, cwd=code, check=True, capture_output=True, text=True).stdout


MAX_BUSY_RETRIES = 100


def sign_up(port: int, token: str, i: int) -> tuple[str, float, int]:
    """(final outcome, seconds until it, 429s retried)."""
    body = json.dumps(
        {"username": f"burst{i}", "password": f"burst passphrase {i}", "agreement": True, "locale": "en"}
    ).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Forwarded-For": address(i)}
    start, retries = time.perf_counter(), 0
    while True:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/accounts", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                payload = json.loads(response.read())
                return ("ok" if payload.get("access_token") else "no token"), time.perf_counter() - start, retries
        except urllib.error.HTTPError as exc:
            wait = float(exc.headers.get("Retry-After") or 3)
            exc.close()
            # A busy server's 429 says "3 s"; a rate limit's says minutes: that one is an outcome. A
            # newcomer keeps retrying a busy server as told (for up to MAX_BUSY_RETRIES answers; giving
            # up is its own outcome, not a rate limit).
            if exc.code == 429 and wait <= 30 and retries < MAX_BUSY_RETRIES:
                retries += 1
                time.sleep(wait)
                continue
            if exc.code == 429:
                outcome = "429 rate-limited" if wait > 30 else f"gave up after {retries} busy answers"
                return outcome, time.perf_counter() - start, retries
            return ("5xx" if exc.code >= 500 else str(exc.code)), time.perf_counter() - start, retries
        except Exception as exc:  # a dropped connection or a timeout: counted, never hidden
            return f"error {type(exc).__name__}", time.perf_counter() - start, retries


class Probe(threading.Thread):
    """The reader's home timeline, one request at a time, every 0.2 s, labelled by phase (the warm-up's
    times are kept apart and never reported)."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.phase = "warmup"
        self.times: dict[str, list[float]] = {"warmup": [], "before": [], "during": []}
        self.failures: Counter[str] = Counter()
        # (wall-clock start, phase, seconds) of every read, for --probe-log.
        self.log: list[tuple[float, str, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        url = f"http://127.0.0.1:{self.port}/api/v1/timelines/home?limit=20"
        while not self.stop.is_set():
            phase = self.phase
            started_at, start = time.time(), time.perf_counter()
            try:
                request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    if len(json.loads(response.read())) == 0:
                        self.failures["empty"] += 1
                self.times[phase].append(time.perf_counter() - start)
                self.log.append((started_at, phase, time.perf_counter() - start))
            except urllib.error.HTTPError as exc:
                self.failures[f"{phase} {exc.code}"] += 1
            except Exception as exc:
                self.failures[f"{phase} {type(exc).__name__}"] += 1
            self.stop.wait(0.2)


def warm_up(port: int, token: str, readers: int, seconds: float) -> int:
    """``readers`` threads reading the home timeline back to back for ``seconds``: every web worker and
    thread answers its first (slow) requests here, not in the measured windows. Returns how many."""
    url = f"http://127.0.0.1:{port}/api/v1/timelines/home?limit=20"
    done = Counter[str]()
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def read(i: int) -> None:
        headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": f"203.0.113.{1 + i % 254}"}
        while time.perf_counter() < until:
            request = urllib.request.Request(url, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                outcome = "ok"
            except Exception as exc:
                outcome = type(exc).__name__
            with lock:
                done[outcome] += 1

    threads = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done.values())


def ratio(during: float | None, before: float | None) -> float | None:
    return round(during / before, 2) if during and before else None


TICK = os.sysconf("SC_CLK_TCK")


def role(cmdline: str) -> str:
    """Which part of the stack a process is, from its command line."""
    for needle, name in (
        ("gunicorn", "web (gunicorn)"),
        ("translation", "rq background"),  # the background worker's queue list names translation
        ("rqworker", "rq urgent"),
        ("admit_waitlist", "admit_waitlist --loop"),
        ("db_worker", "database-queue worker"),
        ("postgres:", "postgres backends"),
    ):
        if needle in cmdline:
            return name
    return "other"


class CpuMeter(threading.Thread):
    """CPU seconds (user + system, from /proc/<pid>/stat) per part of the stack: the server's process tree,
    this database's PostgreSQL backends, and this benchmark's own process (its clients and the probe).
    Sampled every 0.5 s, each process's last reading kept, so a process that exits (a gunicorn worker
    replaced after ``max_requests``) still counts what it used up to its last sample. Load-robust where
    latencies are not: CPU per sign-up does not grow when other work shares the cores. Not counted: the
    PostgreSQL backends of connections shorter than a sample (RQ's work horses open one per job)."""

    def __init__(self, root: int, database: str) -> None:
        super().__init__(daemon=True)
        self.root, self.database = root, database.encode()
        self.last: dict[int, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    @staticmethod
    def _stat(pid: int) -> tuple[int, float, float]:
        """(parent, own CPU seconds, CPU seconds of its children that have exited and been waited for)."""
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK

    def sample(self) -> None:
        parents: dict[int, list[int]] = {}
        mine: list[int] = [os.getpid()]
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                ppid, _own, _children = self._stat(pid)
                parents.setdefault(ppid, []).append(pid)
                if self.database in Path(f"/proc/{pid}/cmdline").read_bytes():
                    mine.append(pid)
            except (OSError, ValueError, IndexError):
                continue
        stack = [self.root]
        while stack:
            pid = stack.pop()
            mine.append(pid)
            stack.extend(parents.get(pid, []))
        readings: dict[int, tuple[str, float]] = {}
        names: dict[int, str] = {}
        for pid in set(mine):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                names[pid] = "benchmark clients + probe" if pid == os.getpid() else role(cmdline)
            except OSError:
                continue
        for pid, name in names.items():
            try:
                ppid, own, children = self._stat(pid)
            except (OSError, ValueError, IndexError):
                continue
            if name.startswith("rq ") and names.get(ppid, "").startswith("rq "):
                continue  # a work horse: RQ forks one per job; its CPU joins its worker's once it exits
            # An RQ worker's jobs run in the horses it forks and waits for: counted with it.
            readings[pid] = (name, own + children if name.startswith("rq ") else own)
        with self.lock:
            self.last.update(readings)

    def totals(self) -> dict[int, tuple[str, float]]:
        self.sample()
        with self.lock:
            return dict(self.last)

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    @staticmethod
    def spent(start: dict[int, tuple[str, float]], end: dict[int, tuple[str, float]]) -> dict[str, float]:
        by_role: dict[str, float] = {}
        for pid, (name, cpu) in end.items():
            by_role[name] = by_role.get(name, 0.0) + cpu - start.get(pid, (name, 0.0))[1]
        return {name: round(seconds, 1) for name, seconds in sorted(by_role.items())}


def job_times(redis_db: int) -> list[dict[str, Any]]:
    """Every RQ job still recorded in ``redis_db``: what it ran, when it started and ended (epoch seconds)."""
    from datetime import UTC, datetime

    import redis

    client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{redis_db}", decode_responses=True)

    def epoch(text: str | None) -> float | None:
        if not text:
            return None
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()

    jobs = []
    for key in client.scan_iter("rq:job:*"):
        if key.count(":") != 2:
            continue
        task, started, ended = (
            str(v) if v else None for v in client.hmget(key, "description", "started_at", "ended_at")
        )
        if task:
            jobs.append({"task": task.split("(")[0], "start": epoch(started), "end": epoch(ended)})
    return jobs


def states(database: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(f"{PG}/{database}") as db:
        by_state: dict[str, int] = dict(
            db.execute("SELECT state, count(*) FROM trust_signup GROUP BY state").fetchall()
        )
        influx = db.execute("SELECT influx_active FROM trust_operatorsettings").fetchone()
        users = db.execute("SELECT count(*) FROM accounts_user WHERE username ~ '^burst[0-9]+$'")
        times = [
            row[0]
            for row in db.execute(
                "SELECT decided_at FROM trust_signup WHERE state = 'admitted' AND decided_at IS NOT NULL "
                "ORDER BY decided_at"
            )
        ]
        return {
            "by_state": by_state,
            "users": users.fetchone()[0],  # type: ignore[index]
            "admitted_times": times,
            "influx_mode": bool(influx and influx[0]),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--capacity-per-hour", type=int, default=18000)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument(
        "--influx-capacity-per-hour",
        type=int,
        default=None,
        help="the waitlist's capacity once influx mode is on (a burst from one language switches it on); "
        "default: --capacity-per-hour, so the figures are the waitlist's own",
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="the checkout whose server runs (default: this one): compare two in the same sitting",
    )
    parser.add_argument("--port", type=int, default=8715)
    parser.add_argument("--database", default="nb_bench_signup")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--probe-s", type=float, default=20, help="seconds of the 'before' window")
    parser.add_argument(
        "--warmup-s",
        type=float,
        default=20,
        help="seconds of warm-up before the 'before' window (half with --clients readers, half the probe "
        "alone); not measured",
    )
    parser.add_argument(
        "--newcomer-check-s",
        type=int,
        default=None,
        help="TRUST_NEWCOMER_CHECK_S for the server: newcomers' impersonation checks batched this often "
        "(0: a job per sign-up; default: the environment's)",
    )
    parser.add_argument(
        "--probe-log",
        type=Path,
        default=None,
        help="write every probe read (start time, phase, seconds) and every admission's time here as JSON, to "
        "line slow reads up with what the stack was doing",
    )
    parser.add_argument("--fast-hasher", action="store_true")
    parser.add_argument(
        "--hash-nice", type=int, default=None, help="PASSWORD_HASH_NICE for the server (default: the environment's)"
    )
    parser.add_argument(
        "--machine-slots",
        type=int,
        default=None,
        help="PASSWORD_HASH_MACHINE_SLOTS for the server (default: the environment's)",
    )
    args = parser.parse_args()
    code = args.code.resolve()

    serving.reset(DATA, database=args.database, redis_db=args.redis_db)
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "NOTEBRIDGE_DATA_DIR": str(DATA),
        "PORT": str(args.port),
        "HOST": "127.0.0.1",
        "PY": PY,
        "TRUSTED_PROXIES": "127.0.0.1",
        "NOTEBRIDGE_LOCAL_MODEL": "0",
        "LOG_LEVEL": "WARNING",
        "SIGNUP_CAPACITY_PER_HOUR": str(args.capacity_per_hour),
        "SIGNUP_CAPACITY_WINDOW_S": str(args.window),
        "SIGNUP_INFLUX_CAPACITY_PER_HOUR": str(args.influx_capacity_per_hour or args.capacity_per_hour),
        "REVIEW_USE_LLM": "0",
    }
    if args.fast_hasher:
        env["FAST_PASSWORD_HASHER"] = "1"
    if args.hash_nice is not None:
        env["PASSWORD_HASH_NICE"] = str(args.hash_nice)
    if args.machine_slots is not None:
        env["PASSWORD_HASH_MACHINE_SLOTS"] = str(args.machine_slots)
    if args.newcomer_check_s is not None:
        env["TRUST_NEWCOMER_CHECK_S"] = str(args.newcomer_check_s)
    log = open(DATA / "run-prod.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    server = serving.start(["scripts/run-prod"], env, log, cwd=code)
    admitter: subprocess.Popen[bytes] | None = None
    try:
        serving.wait_ready(args.port, 900)
        app_token, reader_token, warmer_token = (
            run([PY, "manage.py", "shell", "-c", SEED], env, code).strip().splitlines()[-3:]
        )
        admitter = subprocess.Popen(
            [PY, "manage.py", "admit_waitlist", "--loop", "1"], env=env, cwd=code, stdout=subprocess.DEVNULL
        )
        # The warm-up reads as another account from other addresses: the probe's own account and address
        # must not spend their rate limits before "before" (session 12: every "before" read got 429).
        warmup_reads = warm_up(args.port, warmer_token, args.clients, args.warmup_s / 2)
        probe = Probe(args.port, reader_token)
        probe.start()
        time.sleep(args.warmup_s / 2)
        probe.phase = "before"
        load_quiet = os.getloadavg()[0]
        time.sleep(args.probe_s)
        probe.phase = "during"

        results: list[tuple[str, float, int]] = []
        lock = threading.Lock()
        counter = iter(range(args.accounts))

        def client() -> None:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                outcome = sign_up(args.port, app_token, i)
                with lock:
                    results.append(outcome)

        meter = CpuMeter(server.pid, args.database)
        meter.start()
        cpu_before = meter.totals()
        load_before = os.getloadavg()[0]
        burst_t0 = time.time()
        start = time.perf_counter()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        burst_s = time.perf_counter() - start
        cpu_spent = CpuMeter.spent(cpu_before, meter.totals())
        meter.stop.set()
        probe.stop.set()
        probe.join(timeout=70)
        load_after = os.getloadavg()[0]
        after_burst = states(args.database)["by_state"]
        deadline = time.time() + max(600, 2 * args.accounts * 3600 / args.capacity_per_hour)
        while True:
            now = states(args.database)
            if not now["by_state"].get("waiting") or time.time() > deadline:
                break
            time.sleep(2)
        times = now["admitted_times"]
        if args.probe_log:
            reads = [{"at": at, "phase": phase, "s": round(s, 4)} for at, phase, s in probe.log]
            admitted = [t.timestamp() for t in times]
            trace = {"reads": reads, "admitted": admitted, "burst_start": burst_t0, "jobs": job_times(args.redis_db)}
            args.probe_log.write_text(json.dumps(trace))
        span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
        latencies = [t for _kind, t, _r in results]
        answers = Counter(kind for kind, _t, _r in results)
        print(
            json.dumps(
                {
                    "code": f"{code} at {serving.git_commit(code)}",
                    "accounts": args.accounts,
                    "clients": args.clients,
                    "server": "scripts/run-prod (runstack --prod), PostgreSQL + Redis",
                    "hasher": "md5" if args.fast_hasher else "argon2",
                    "password_hash_nice": env.get("PASSWORD_HASH_NICE", "default"),
                    "password_hash_machine_slots": env.get("PASSWORD_HASH_MACHINE_SLOTS", "default"),
                    "background_worker_nice": env.get("BACKGROUND_WORKER_NICE", "default"),
                    "capacity_per_window": -(-args.capacity_per_hour * args.window // 3600),
                    "window_s": args.window,
                    "answers": dict(answers),
                    "429_retried": sum(r for _k, _t, r in results),
                    "after_burst": after_burst,
                    "burst_s": round(burst_s, 1),
                    "signups_per_s": round(len(results) / burst_s, 2),
                    "signup_p50_ms": pct(latencies, 0.5),
                    "signup_p99_ms": pct(latencies, 0.99),
                    "accounts_present": now["users"],
                    "admitted_total": len(times),
                    "not_admitted_at_end": sum(n for s, n in now["by_state"].items() if s != "admitted"),
                    # Not created: refused by a limit, or the client gave up (the answers say which).
                    "not_created": args.accounts - now["users"],
                    # Lost: the server answered with a token, yet the account is not there.
                    "lost": max(0, answers.get("ok", 0) - now["users"]),
                    "admission_rate_per_s": round(len(times) / span, 2) if span else None,
                    "influx_mode_at_end": now["influx_mode"],
                    "warmup": {"s": args.warmup_s, "reads": warmup_reads + len(probe.times["warmup"])},
                    "home_before": {
                        "n": len(probe.times["before"]),
                        "p50_ms": pct(probe.times["before"], 0.5),
                        "p99_ms": pct(probe.times["before"], 0.99),
                    },
                    "home_during": {
                        "n": len(probe.times["during"]),
                        "p50_ms": pct(probe.times["during"], 0.5),
                        "p99_ms": pct(probe.times["during"], 0.99),
                        "median_ms": round(1000 * statistics.median(probe.times["during"]), 1)
                        if probe.times["during"]
                        else None,
                    },
                    # The target: during / before at most 2 for the p99.
                    "home_p99_ratio": ratio(pct(probe.times["during"], 0.99), pct(probe.times["before"], 0.99)),
                    "home_p50_ratio": ratio(pct(probe.times["during"], 0.5), pct(probe.times["before"], 0.5)),
                    "home_failures": dict(probe.failures),
                    # CPU seconds each part of the stack used during the burst, and in all per sign-up
                    # (the probe's few reads included): a figure that other load on the machine does not move.
                    "cpu_s_during_burst": cpu_spent,
                    "cpu_ms_per_signup": round(1000 * sum(cpu_spent.values()) / max(1, len(results)), 1),
                    "server_cpu_ms_per_signup": round(
                        1000
                        * sum(v for k, v in cpu_spent.items() if k != "benchmark clients + probe")
                        / max(1, len(results)),
                        1,
                    ),
                    "newcomer_check_s": env.get("TRUST_NEWCOMER_CHECK_S", "default"),
                    "load_average": {
                        "before_window": round(load_quiet, 1),
                        "before_burst": round(load_before, 1),
                        "after_burst": round(load_after, 1),
                    },
                    "cores": os.cpu_count(),
                }
            )
        )
    finally:
        if admitter is not None:
            admitter.terminate()
        serving.stop(server)
        log.close()


if __name__ == "__main__":
    main()
