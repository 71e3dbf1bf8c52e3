"""CPU per sign-up of what a sign-up costs besides Argon2: the request's own work and the task jobs it queues.

A sign-up through ``trust.signup.register`` queues, once it commits, the impersonation check of the
newcomer (one job per sign-up before trust/newcomers.py; now a deferred batch every few seconds, review
queue) and assesses its risk inline (``trust.tasks.assess_newcomer``, which queues a
cluster job only when a cluster rule fired). This benchmark measures both halves apart from the HTTP
server and from Argon2 (the MD5 hasher of the tests), on PostgreSQL and Redis:

1. a fresh database (``--database``, dropped and created) and Redis db (``--redis-db``, flushed),
   migrated; ``--protected`` verified accounts named after the protected side of
   ``bench/data/impersonation_pairs.tsv`` (Latin, Cyrillic look-alikes, Han, pinyin), so that each check
   compares the newcomer with a realistic protected set;
2. one process signs up ``--accounts`` newcomers from ``--subnets`` /24s in turn (more than 10 from one
   /24 in a day fires ``subnet_signups``, which queues the cluster reassessment), and reports its own
   CPU per sign-up (the request's work less HTTP and hashing);
3. ``manage.py rqworker --burst --with-scheduler`` (the production worker class: it warms, then forks a
   work horse per job) runs the queued jobs, the deferred ones included (the newcomers' impersonation
   checks are batched every ``TRUST_NEWCOMER_CHECK_S`` seconds, trust/newcomers.py: the benchmark waits
   that long first), and its CPU, horses included, less that of a run with an empty queue, is divided by
   the sign-ups.

Run it against two checkouts with the same arguments to compare them (``--code PATH`` runs the
management commands of another worktree; its own database and Redis db are the ones given).

    python bench/signup_tasks.py [--accounts 300] [--protected 150] [--subnets 20] [--database nb_bench_signup_tasks]
        [--redis-db 4] [--code PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
from pathlib import Path

from serving import PG, PY, ROOT, drop_database, flush_redis

PAIRS = ROOT / "bench" / "data" / "impersonation_pairs.tsv"

SEED = """
import sys
from django.utils import timezone
from accounts.services import register_user
from accounts.models import User
names = [line for line in sys.stdin.read().splitlines() if line]
for i, name in enumerate(names):
    u = register_user(username=f"protected{i}", password=None, display_name=name, check_password=False)
    User.objects.filter(pk=u.pk).update(verified_at=timezone.now())
print(User.objects.filter(verified_at__isnull=False).count())
"""

SIGN_UP = """
import resource, sys, time
from trust import signup
n, subnets = int(sys.argv[1]), int(sys.argv[2])
start = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
for i in range(n):
    name = ["Ana Lima", "李明", "Jo", "", "Zhang Wei fan", "Мария"][i % 6]
    signup.register(username=f"newcomer{i}", password=f"burst passphrase {i}", display_name=name,
                    ip=f"198.18.{i % subnets}.{1 + (i // subnets) % 254}")
end = resource.getrusage(resource.RUSAGE_SELF)
print((end.ru_utime + end.ru_stime) - (start.ru_utime + start.ru_stime), time.perf_counter() - t0)
"""


def protected_names(count: int) -> list[str]:
    names: list[str] = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        protected = line.split("\t")[3]
        if protected not in names:
            names.append(protected)
    return names[:count]


def queue_length(redis_db: int, queue: str) -> int:
    """Jobs queued and deferred on ``queue``."""
    total = 0
    for command in (["llen", f"rq:queue:{queue}"], ["zcard", f"rq:scheduled:{queue}"]):
        found = subprocess.run(["redis-cli", "-n", str(redis_db), *command], capture_output=True, text=True)
        total += int(found.stdout or 0)
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--protected", type=int, default=150)
    parser.add_argument(
        "--subnets",
        type=int,
        default=20,
        help="the newcomers' addresses come from this many /24s in turn: more than signup.subnet_signups' 10 "
        "from one /24 makes the cluster rule fire, and queues the cluster reassessment",
    )
    parser.add_argument("--database", default="nb_bench_signup_tasks")
    parser.add_argument("--redis-db", type=int, default=4)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose code runs (default: this one)")
    args = parser.parse_args()
    code = args.code.resolve()
    data = Path(f"/tmp/{args.database}-data")
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "NOTEBRIDGE_DATA_DIR": str(data),
        "FAST_PASSWORD_HASHER": "1",
        # Every newcomer admitted at once (a waitlisted account is inactive, and not checked until admitted).
        "SIGNUP_CAPACITY_PER_HOUR": "1000000",
        "SIGNUP_INFLUX_CAPACITY_PER_HOUR": "1000000",
        "DJANGO_SETTINGS_MODULE": "notebridge.settings",
    }
    drop_database(args.database)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {args.database}"], check=True)
    flush_redis(args.redis_db)

    def manage(*argv: str, stdin: str | None = None) -> str:
        out = subprocess.run(
            [PY, "manage.py", *argv], env=env, cwd=code, check=True, capture_output=True, text=True, input=stdin
        )
        return out.stdout

    manage("migrate", "-v", "0")
    protected = int(manage("shell", "-c", SEED, stdin="\n".join(protected_names(args.protected))).split()[-1])
    flush_redis(args.redis_db)  # the seeding's own jobs are not the sign-ups'

    out = subprocess.run(
        [PY, "-c", "import django; django.setup()\n" + SIGN_UP, str(args.accounts), str(args.subnets)],
        env=env,
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    signup_cpu, signup_wall = float(out[0]), float(out[1])
    queued = {q: queue_length(args.redis_db, q) for q in ("high", "review", "default", "media", "translation", "low")}

    time.sleep(1 + int(os.environ.get("TRUST_NEWCOMER_CHECK_S", "2")))  # the last batch is due
    queues = ["high", "review", "default", "media", "translation", "low"]
    worker = [PY, "manage.py", "rqworker", "--burst", "--with-scheduler", *queues]
    before = children_cpu()
    t0 = time.perf_counter()
    subprocess.run(worker, env=env, cwd=code, check=True, capture_output=True)
    worker_wall = time.perf_counter() - t0
    worker_cpu = children_cpu() - before
    before = children_cpu()
    subprocess.run(worker, env=env, cwd=code, check=True, capture_output=True)  # empty queues: start-up only
    idle_cpu = children_cpu() - before
    n = args.accounts
    print(
        json.dumps(
            {
                "code": str(code),
                "accounts": n,
                "protected": protected,
                "subnets": args.subnets,
                "jobs_queued": {q: c for q, c in queued.items() if c},
                "signup_cpu_ms_per_signup": round(1000 * signup_cpu / n, 2),
                "signup_wall_s": round(signup_wall, 1),
                "worker_cpu_s": round(worker_cpu, 2),
                "worker_startup_cpu_s": round(idle_cpu, 2),
                "worker_cpu_ms_per_signup": round(1000 * (worker_cpu - idle_cpu) / n, 2),
                "worker_wall_s": round(worker_wall, 1),
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )
    drop_database(args.database)
    flush_redis(args.redis_db)


if __name__ == "__main__":
    main()
