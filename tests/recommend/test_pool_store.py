"""For you's candidate pool is built by the low queue and stored as a file (recommend/candidates.py):
a request never builds it, web processes pick up a newer file by themselves, and a missing or corrupt
file falls back to the previous one, then to trending, with a line in the log each time."""

from __future__ import annotations

import logging
import os
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommend import candidates, selectors
from tests.api.test_revocation_across_workers import oauth_app, two_servers  # noqa: F401  (fixtures)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def pool_queries(queries) -> list[str]:
    """The pool's own read: the newest ``POOL_SIZE`` public notes (trending reads ``DISCOVER_POOL``)."""
    return [q["sql"] for q in queries if "notes_note" in q["sql"] and f"LIMIT {candidates.POOL_SIZE}" in q["sql"]]


def discover(reader) -> tuple[int, str, list[str]]:
    """The reader's web Discover: (status, html, the SQL it ran)."""
    client = Client()
    client.force_login(reader)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("web:discover"))
    return page.status_code, page.content.decode(), [q["sql"] for q in queries]


def queued_builds() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="build_pool").count()


def test_a_request_never_builds_the_pool(settings, post, make_user, caplog):
    """With a real queue (the database's) and no pool stored, the page is served from trending and a
    build is queued, once; the request itself reads no pool. (Before: the first request of each web
    process, and one a minute after that, built it on its own thread.)"""
    author = make_user("chef", languages=["en"], region="GB")
    for i in range(6):
        post(author, f"Noodle soup, day {i} #food", title=f"Noodles {i}", language="en")
    settings.TASKS = DB_QUEUE
    reader = make_user("reader", languages=["en"], region="GB")
    other = make_user("other", languages=["en"], region="GB")
    with caplog.at_level(logging.INFO, logger="recommend"):
        status, html, sql = discover(reader)
    assert status == 200
    assert not pool_queries([{"sql": s} for s in sql]), "the request built the pool"
    assert "Noodles 5" in html  # trending, meanwhile
    assert "no candidate pool" in caplog.text
    assert queued_builds() == 1
    status, _html, sql = discover(other)
    assert status == 200 and not pool_queries([{"sql": s} for s in sql])
    assert queued_builds() == 1  # one build queued for the instance, not one per request

    # The low-queue worker runs it; the next cold page ranks from the stored pool.
    from recommend import tasks

    assert tasks.build_pool.call()
    third = make_user("third", languages=["en"], region="GB")
    status, html, sql = discover(third)
    assert status == 200 and not pool_queries([{"sql": s} for s in sql])
    assert "New" in html or "Popular in your" in html  # the pool's sources, not trending's one reason


def test_an_old_pool_is_served_while_a_new_one_is_queued(settings, catalogue, reader, caplog):
    settings.TASKS = DB_QUEUE
    (path,) = candidates.stored_pools()
    old = time.time() - 3 * candidates.POOL_SECONDS
    os.utime(path, (old, old))
    candidates.forget_loaded_pool()
    with caplog.at_level(logging.INFO, logger="recommend"):
        status, html, sql = discover(reader)
    assert status == 200 and not pool_queries([{"sql": s} for s in sql])
    assert "Sichuan hot pot at home" in html
    assert "old; queueing a pool build" in caplog.text
    assert queued_builds() == 1
    assert candidates.stored_pools() == [path]  # nothing built on the request


@pytest.mark.django_db(transaction=True)
def test_web_processes_pick_up_a_pool_built_by_the_worker(
    two_servers,  # noqa: F811  (the shared fixtures)
    oauth_app,  # noqa: F811
    make_user,
    post,
):
    """Two gunicorn processes serve For you with no pool stored (trending); the worker's task builds
    one; both rank from it within ``POOL_CHECK_SECONDS``, without a restart."""
    import requests

    from recommend import tasks
    from tests.api.test_revocation_across_workers import _token

    author = make_user("chef", languages=["en"], region="GB")
    for i in range(8):
        post(author, f"Noodle soup, day {i} #food", title=f"Noodles {i}", language="en")
    # No interests: the servers never load the sentence encoder.
    readers = [make_user(f"r{i}", languages=["en"], region="GB") for i in range(4)]
    tokens = [_token(r, oauth_app[0]) for r in readers]

    def reasons(base: str, token: str) -> set[str]:
        answer = requests.get(
            base + "/api/nb/v1/recommend/for-you", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        assert answer.status_code == 200, answer.text[:300]
        items = answer.json()["items"]
        assert len(items) == 8
        return {item["reason"] for item in items}

    for base, token in zip(two_servers, tokens[:2], strict=True):
        assert reasons(base, token) == {"popular"}  # trending: no pool yet
    assert not candidates.stored_pools()
    tasks.build_pool.enqueue()  # the low-queue worker's part (the immediate backend runs it here)
    assert candidates.stored_pools()
    time.sleep(candidates.POOL_CHECK_SECONDS + 0.5)
    for base, token in zip(two_servers, tokens[2:], strict=True):
        assert reasons(base, token) - {"popular"}, "still trending: the stored pool was not picked up"


def test_a_corrupt_pool_falls_back_to_the_previous_one_then_to_trending(settings, catalogue, reader, caplog):
    settings.TASKS = DB_QUEUE
    (good,) = candidates.stored_pools()
    newer = good.with_name("pool-99990101000000000000.npz")
    newer.write_bytes(b"not a pool")
    candidates.forget_loaded_pool()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        loaded = candidates.pool()
    assert len(loaded) == len(catalogue[1])
    assert f"candidate pool {newer.name} unusable" in caplog.text
    assert f"serving previous candidate pool {good.name}" in caplog.text

    # Every file gone or corrupt and none held: trending, logged, a build queued, the list provisional.
    good.write_bytes(b"truncated")
    candidates.forget_loaded_pool()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="recommend"):
        cards, _cursor = selectors.for_you(reader, limit=20)
    assert {c.reason for c in cards} == {"popular"} and len(cards) == len(catalogue[1])
    assert "no candidate pool" in caplog.text
    assert queued_builds() == 1
    ranked_at, _ranked = selectors.shared_cache.get(selectors.RANK_KEY.format(reader.pk))
    assert ranked_at < time.time() - (selectors.RANKING_SECONDS - candidates.POOL_SECONDS) + 5  # ranked again soon
