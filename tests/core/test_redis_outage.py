"""Fault injection: Redis stops under a running site. Reads degrade to the database, writes commit, the
work queued meanwhile is done once Redis is back, and nothing is lost or done twice.

Each test starts its own ``redis-server`` on a free port (never the shared one) and stops it."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import pytest
import redis
import requests
from django.core.cache import caches
from django_tasks_db.models import DBTaskResult

from core import redis_outage
from tests.servers import OwnRedis, free_port, server_env, wait_until_serving

NO_REDIS = "needs redis-server (apt-get install redis-server)"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"
    ),
]


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_the_cache_misses_while_redis_is_down_and_serves_again_after(own_redis, settings):
    settings.REDIS_RETRY_S = 0.5
    settings.CACHES = {
        "default": settings.CACHES["default"],
        "outage": {"BACKEND": "core.cache_backends.ResilientRedisCache", "LOCATION": own_redis.url},
    }
    redis_outage.reset()
    cache = caches["outage"]
    cache.set("k", "v", 60)
    assert cache.get("k") == "v"
    own_redis.stop()
    started = time.monotonic()
    assert cache.get("k", "missing") == "missing"
    assert cache.get_many(["k"]) == {}
    assert cache.add("lock", 1, 60) is False  # a once-per-window lock is skipped, never granted twice
    cache.set("k2", "v2")  # a write is dropped, not raised
    with pytest.raises(ValueError):
        cache.incr("counter")  # what callers of incr() already handle as a missing key
    assert time.monotonic() - started < 5
    own_redis.start()
    time.sleep(0.6)  # the circuit stays open REDIS_RETRY_S
    assert cache.get("k") == "v"  # written with the append-only file before the stop
    redis_outage.reset()


def _poll(what: str, check, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_a_site_whose_redis_stops_keeps_reading_and_writing(own_redis, make_user, token_for, tmp_path):
    from accounts.services import follow
    from notes.models import Like, Note

    author, reader = make_user("amara"), make_user("bo")
    follow(follower=reader, followee=author)
    as_author = {"Authorization": f"Bearer {token_for(author)}"}
    as_reader = {"Authorization": f"Bearer {token_for(reader)}"}

    env = server_env(tmp_path, redis=False)
    env.update(REDIS_URL=own_redis.url, REVIEW_SCREENING="0", REDIS_RETRY_S="1")
    port = free_port()
    cmd = [sys.executable, "manage.py", "runstack", "--port", str(port), "--workers", "1", "--threads", "4"]
    stack = subprocess.Popen([*cmd, "--no-prepare"], env=env)
    url = f"http://127.0.0.1:{port}"
    statuses: list[int] = []

    def call(method: str, path: str, headers: dict[str, str], **kwargs) -> requests.Response:
        response = requests.request(method, url + path, headers=headers, timeout=60, **kwargs)
        statuses.append(response.status_code)
        return response

    def home_ids() -> list[str]:
        response = call("GET", "/api/v1/timelines/home", as_reader)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    try:
        wait_until_serving(url)
        first = call("POST", "/api/v1/statuses", as_author, json={"status": "Morning at the tea house"}).json()["id"]
        _poll("the first note's fan-out through RQ", lambda: first in home_ids())

        own_redis.stop()
        # Reads: the home timeline is pulled from the database, note pages and public timelines answer.
        assert home_ids() == [first]
        assert call("GET", f"/api/v1/statuses/{first}", as_reader).status_code == 200
        assert call("GET", "/api/v1/timelines/public", {}).status_code == 200
        ready = call("GET", "/readyz", {})
        assert ready.status_code == 503 and "redis" in ready.json()["failed"]
        statuses.pop()  # the one 503 that is meant: readiness reports the outage
        # Writes commit: a note, a like; the new note is on the reader's home at once.
        posted = call("POST", "/api/v1/statuses", as_author, json={"status": "Afternoon at the market"})
        assert posted.status_code == 200, posted.text
        second = posted.json()["id"]
        assert call("POST", f"/api/v1/statuses/{first}/favourite", as_reader).status_code == 200
        assert Note.objects.filter(pk=int(second), state="published").exists()
        assert Like.objects.filter(user=reader, note_id=int(first)).count() == 1
        assert home_ids() == [second, first]
        # The fan-out that could not go to Redis waits on the database queue.
        assert DBTaskResult.objects.filter(backend_name="fallback", task_path__contains="fan_out_note").exists()

        own_redis.start()
        timeline = redis.Redis.from_url(own_redis.url)
        # Once Redis is back the fan-out is done there, and the home timeline is read from Redis again.
        _poll(
            "the second note's fan-out into Redis",
            lambda: timeline.zscore(f"nb:tl:{reader.pk}", f"{second}:{author.pk}") is not None,
        )
        assert home_ids() == [second, first]  # nothing lost, nothing twice
        _poll("readiness", lambda: requests.get(url + "/readyz", timeout=30).status_code == 200)
        assert stack.poll() is None
    finally:
        own_redis.stop()
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
    assert Note.objects.filter(author=author).count() == 2
    assert [s for s in statuses if s >= 500] == []
