"""Fault injection, the long version of tests/core/test_faults.py: the production stack under load while
Redis is killed and PostgreSQL restarted, with nothing lost or stored twice.

Starts a PostgreSQL cluster and a redis-server of its own (free ports, a temporary folder; the shared
servers are never touched), migrates a database there, seeds an author and a reader who follows them,
and starts ``runstack --prod`` (gunicorn, the RQ workers by priority, the database queue's fallback
worker) with screening on (rules, no LLM) and lost work swept after 10 s (tests/load.py, ``STACK_ENV``).
``--clients`` clients then read and post with an ``Idempotency-Key``, retrying a post with its key after
``Retry-After`` until it is answered 200 (tests/load.py), while:

1. **redis**: after ``--before`` s, redis-server is killed (SIGKILL) and started again ``--redis-down`` s
   later (with its append-only file; ``--redis-no-persistence``: it comes back empty);
2. **postgres**: ``--between`` s later, PostgreSQL is stopped (``pg_ctl stop -m fast``, what a restart
   does to clients) and started again ``--pg-down`` s later;
3. the load runs ``--after`` s more, then stops; the stack is given up to 180 s to finish the queued work.

Prints JSON: per phase the requests, the failures by status and when they ended relative to the fault
(seconds after the server was back: how long recovery took), and at the end every acknowledged post
stored once (lost, duplicated, never acknowledged), none pending screening, each screened once, each
published one on the reader's home timeline, and how long the queued work took to drain; with the load
average, since figures taken on a busy machine are not comparable with quiet ones.

    python bench/fault_injection.py [--clients 8] [--redis-down 20] [--pg-down 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")

from tests.load import Attempt, Load, start_stack, stop_stack, stored_once, work_state  # noqa: E402
from tests.servers import OwnPostgres, OwnRedis, own_postgres_problem, wait_until_serving  # noqa: E402

GRACE_S = 3.0
SETTLE_S = 180.0

SEED = """
import json
from accounts.services import follow, register_user
from api.services import issue_token, register_app
app, _ = register_app(name='faults', redirect_uris='urn:ietf:wg:oauth:2.0:oob', scopes='read write')
author = register_user(username='fault_author', password=None, languages=['en'], check_password=False)
reader = register_user(username='fault_reader', password=None, languages=['en'], check_password=False)
follow(follower=reader, followee=author)
tokens = [issue_token(user=u, application=app, scopes=['read', 'write'])[1] for u in (author, reader)]
print(json.dumps({'author': author.pk, 'reader': reader.pk, 'tokens': tokens}))
"""


def _phase(attempts: list[Attempt], *, fault_at: float, back_at: float, until: float) -> dict[str, Any]:
    """The requests that ended from ``fault_at`` (the fault) until ``until`` (the next fault), and their
    failures: a request in flight when the next fault struck belongs to that fault."""
    mine = [a for a in attempts if fault_at <= a.ended < until]
    failed = [a for a in mine if a.status >= 500]
    return {
        "requests": len(mine),
        "answered_200": sum(a.status == 200 for a in mine),
        "failures_by_status": dict(Counter(str(a.status) for a in failed)),
        "failures_without_retry_after": sum(a.status != 599 and not a.retry_after for a in failed),
        "outage_s": round(back_at - fault_at, 2),
        # When the last failure ended, seconds after the server was back (negative: while it was down).
        "last_failure_after_back_s": round(max(a.ended for a in failed) - back_at, 2) if failed else None,
        "failures_after_grace": sum(a.ended > back_at + GRACE_S for a in failed),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--redis-down", type=float, default=20)
    parser.add_argument("--redis-no-persistence", action="store_true")
    parser.add_argument("--between", type=float, default=15)
    parser.add_argument("--pg-down", type=float, default=10)
    parser.add_argument("--after", type=float, default=15)
    args = parser.parse_args()
    problem = own_postgres_problem()
    if problem:
        sys.exit(problem)
    if shutil.which("redis-server") is None:
        sys.exit("needs redis-server")

    folder = Path(tempfile.mkdtemp(prefix="nb-bench-fault-"))
    postgres = OwnPostgres()
    own_redis = OwnRedis(folder, persist=not args.redis_no_persistence)
    stack = None
    try:
        postgres.init()
        postgres.start()
        postgres.create_database("notebridge")
        own_redis.start()
        database = postgres.url("notebridge")
        env = dict(os.environ, DATABASE_URL=database, REDIS_URL=own_redis.url, NOTEBRIDGE_DATA_DIR=str(folder / "data"))
        env.update(FAST_PASSWORD_HASHER="1", NOTEBRIDGE_LOCAL_MODEL="0")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        seeded = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        people = json.loads(seeded.stdout.strip().splitlines()[-1])
        # This process reads the outcome through the models' table names: Django set up on the same database.
        os.environ.update(DATABASE_URL=database, REDIS_URL=own_redis.url)
        import django  # here: only once the environment names this run's own database

        django.setup()

        stack, url = start_stack(env, folder, workers=args.workers)
        wait_until_serving(url)
        as_author, as_reader = ({"Authorization": f"Bearer {token}"} for token in people["tokens"])
        load = Load(url, as_author, as_reader, clients=args.clients)
        started = time.monotonic()
        load.start()
        time.sleep(args.before)
        redis_killed = time.monotonic()
        own_redis.kill()
        time.sleep(args.redis_down)
        own_redis.start()
        redis_back = time.monotonic()
        time.sleep(args.between)
        pg_down = time.monotonic()
        postgres.stop("fast")
        time.sleep(args.pg_down)
        postgres.start()
        pg_up = time.monotonic()
        time.sleep(args.after)
        load.stop()
        stopped = time.monotonic()
        while True:
            state = work_state(database, own_redis.url, author_id=people["author"], reader_id=people["reader"])
            if state.settled or time.monotonic() - stopped > SETTLE_S:
                break
            time.sleep(1)
        drained = time.monotonic()
        stack_alive = stack.poll() is None
    finally:
        if stack is not None:
            stop_stack(stack)
        own_redis.stop()
        postgres.destroy()
        shutil.rmtree(folder, ignore_errors=True)

    attempts = load.attempts
    print(
        json.dumps(
            {
                "clients": args.clients,
                "gunicorn_workers": args.workers,
                "redis_persistence": not args.redis_no_persistence,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "seconds": round(stopped - started, 1),
                "requests": len(attempts),
                "before_faults": _phase(attempts, fault_at=0.0, back_at=0.0, until=redis_killed),
                "redis_killed": _phase(attempts, fault_at=redis_killed, back_at=redis_back, until=pg_down),
                "postgres_restarted": _phase(attempts, fault_at=pg_down, back_at=pg_up, until=stopped + 1),
                "posts_acknowledged": len(load.acked),
                "notes_stored": len(state.notes),
                "post_problems": stored_once(load, state),
                "pending_screening": state.pending,
                "screened_not_once": state.screened_not_once,
                "published_not_on_home": state.not_fanned_out,
                "work_drained_s_after_load": round(drained - stopped, 1),
                "runstack_alive": stack_alive,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
