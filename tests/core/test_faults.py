"""Fault injection on the production stack (``runstack --prod``: gunicorn, the RQ workers by priority and the
database queue's fallback worker, as ``make run-prod`` starts them) under a small concurrent load: clients
read (home, public timeline, a note) and post with an ``Idempotency-Key``, retrying a post with the same
key after ``Retry-After`` until it is answered 200, as a Mastodon client does.

- Redis is killed (SIGKILL) mid-run and started again: no request fails, posts made while it is down
  commit, and their screening and fan-out are done once it is back.
- PostgreSQL is restarted mid-run: requests fail only while it is down, and then with 503 and
  ``Retry-After`` (core/db_outage.py), never 500; the stack itself stays up; every post is stored once.

Each test starts its own redis-server, and the PostgreSQL test its own cluster, on free ports: CI's shared
servers are never stopped. The long version with more clients and longer outages is bench/fault_injection.py.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accounts.services import follow
from tests.load import Load, WorkState, start_stack, stop_stack, stored_once, work_state
from tests.servers import OwnPostgres, OwnRedis, own_postgres_problem, server_env, wait_until_serving

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(not settings.DB_IS_POSTGRES, reason="the production stack runs on PostgreSQL: DATABASE_URL"),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"
    ),
]

GRACE_S = 3.0  # after PostgreSQL is back: requests begun in the outage finish, connections are renewed
# Queued work (screening, fan-out) must be done once the fault is over, within SETTLE_S. Lost work never
# gets done; slow work does, and on a loaded machine it is slow: at load average 13-17 each screening took
# 0.6-1.9 s, the RQ workers spent the first 30 s loading the screening models, and a fixed 60 s failed
# with the queue still draining. On a quiet machine the work is done seconds after the load stops.
SETTLE_S = 240.0


def _settle(database_url: str, redis_url: str, author: Any, reader: Any) -> WorkState:
    """Wait until no post is pending screening and every published one is on the reader's home."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        state = work_state(database_url, redis_url, author_id=author.pk, reader_id=reader.pk)
        if state.settled or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def _people(make_user: Any, token_for: Any) -> tuple[Any, Any, dict[str, str], dict[str, str]]:
    author, reader = make_user("amara"), make_user("bo")
    follow(follower=reader, followee=author)
    return (
        author,
        reader,
        {"Authorization": f"Bearer {token_for(author)}"},
        {"Authorization": f"Bearer {token_for(reader)}"},
    )


def _assert_nothing_lost(load: Load, state: WorkState) -> None:
    assert stored_once(load, state) == []
    assert state.pending == [], "screening never done"
    assert state.screened_not_once == [], "a note screened more or less than once"
    assert state.not_fanned_out == [], "fan-out lost"


def test_a_loaded_site_keeps_serving_and_loses_nothing_when_redis_is_killed(make_user, token_for, tmp_path):
    author, reader, as_author, as_reader = _people(make_user, token_for)
    own_redis = OwnRedis(tmp_path)
    own_redis.start()
    env = server_env(tmp_path, redis=False)
    env["REDIS_URL"] = own_redis.url
    stack, url = start_stack(env, tmp_path)
    load = Load(url, as_author, as_reader)
    try:
        wait_until_serving(url)
        load.start()
        time.sleep(4)
        own_redis.kill()
        killed_at = time.monotonic()
        time.sleep(6)
        own_redis.start()
        back_at = time.monotonic()
        time.sleep(4)
        load.stop()
        state = _settle(env["DATABASE_URL"], own_redis.url, author, reader)
        assert stack.poll() is None, "runstack stopped"
    finally:
        load.stopping.set()
        stop_stack(stack)
        own_redis.stop()

    assert load.failures() == [], "a request failed while Redis was down"
    during = [a for a in load.attempts if a.kind == "post" and a.status == 200 and killed_at < a.started < back_at]
    assert during, "no post was answered while Redis was down"
    assert DBTaskResult.objects.filter(backend_name="fallback").exists(), "nothing went to the fallback queue"
    _assert_nothing_lost(load, state)


@pytest.fixture
def own_postgres():
    problem = own_postgres_problem()
    if problem:
        pytest.skip(problem)
    server = OwnPostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.destroy()


def test_a_loaded_site_answers_503_only_while_postgres_restarts_and_loses_nothing(
    own_postgres, make_user, token_for, tmp_path
):
    author, reader, as_author, as_reader = _people(make_user, token_for)
    # The site's database (its schema, the two people and their tokens) copied to the own cluster.
    own_postgres.copy_database(connection.settings_dict, "notebridge")
    database = own_postgres.url("notebridge")
    own_redis = OwnRedis(tmp_path)
    own_redis.start()
    env = server_env(tmp_path, redis=False)
    env.update(DATABASE_URL=database, REDIS_URL=own_redis.url)
    stack, url = start_stack(env, tmp_path)
    load = Load(url, as_author, as_reader)
    try:
        wait_until_serving(url)
        load.start()
        time.sleep(4)
        down_at = time.monotonic()
        own_postgres.stop("fast")
        time.sleep(3)
        own_postgres.start()
        up_at = time.monotonic()
        time.sleep(GRACE_S + 4)
        load.stop()
        state = _settle(database, own_redis.url, author, reader)
        assert stack.poll() is None, "runstack stopped when PostgreSQL restarted"
        assert requests.get(url + "/readyz", timeout=30).status_code == 200
    finally:
        load.stopping.set()
        stop_stack(stack)
        own_redis.stop()

    failures = load.failures()
    assert failures, "no request met the restart: the test did not test it"
    # Only 503 with Retry-After, and only while PostgreSQL was down (a request begun before it stopped
    # may end in the outage), never once it was back.
    assert {a.status for a in failures} == {503}, sorted({a.status for a in failures})
    assert all(a.retry_after for a in failures)
    late = [
        (round(a.started - up_at, 2), round(a.ended - up_at, 2), a.kind) for a in failures if a.ended > up_at + GRACE_S
    ]
    assert late == [], "failures after PostgreSQL was back (started, ended, seconds after it was back)"
    assert all(a.ended >= down_at for a in failures)
    after = [a for a in load.attempts if a.started > up_at + GRACE_S]
    assert after and all(a.status == 200 for a in after)
    _assert_nothing_lost(load, state)
