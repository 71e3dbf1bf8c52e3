"""Fault injection: PostgreSQL drops every connection of the site under load (what a restart, a failover
or a pooler's reset does to clients), twice. The shared server cannot be restarted in a test, so the
connections are killed with ``pg_terminate_backend``. Requests in flight at that instant may fail; every
request after it succeeds (persistent connections are checked before reuse, ``CONN_HEALTH_CHECKS``), and
every post that was answered 200 is in the database exactly once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.servers import free_port, server_env, wait_until_serving

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(not settings.DB_IS_POSTGRES, reason="kills PostgreSQL connections: needs DATABASE_URL"),
]

CLIENTS = 4
GRACE_S = 1.0  # after a kill, requests that started before it may still fail


def _kill_site_connections() -> tuple[float, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        killed = int(cursor.fetchone()[0])
    return time.monotonic(), killed


def test_clients_recover_at_once_when_postgres_drops_the_sites_connections(make_user, token_for, tmp_path):
    from notes.models import Note

    author = make_user("chen")
    headers = {"Authorization": f"Bearer {token_for(author)}"}
    env = server_env(tmp_path)
    env["REVIEW_SCREENING"] = "0"
    env["RATE_LIMITS_ENABLED"] = "0"  # one client posting a few times a second is the load, not abuse
    port = free_port()
    conf = "deploy/gunicorn.conf.py"  # the production server's settings, persistent connections included
    cmd = [sys.executable, "-m", "gunicorn", "notebridge.wsgi:application", "-c", conf, "--workers", "2"]
    server = subprocess.Popen([*cmd, "--bind", f"127.0.0.1:{port}"], env=env)
    url = f"http://127.0.0.1:{port}"
    results: list[tuple[float, float, str, int, str]] = []  # started, ended, kind, status, note id
    stop = threading.Event()

    def client(n: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            started = time.monotonic()
            kind = "post" if i % 4 == 0 else "read"
            try:
                if kind == "post":
                    body = {"status": f"Client {n}, note {i}: steamed buns"}
                    response = session.post(url + "/api/v1/statuses", json=body, headers=headers, timeout=60)
                else:
                    response = session.get(url + "/api/v1/timelines/home", headers=headers, timeout=60)
                status = response.status_code
            except requests.RequestException:
                status = 599  # no answer at all counts as a failure too
            note_id = response.json().get("id", "") if kind == "post" and status == 200 else ""
            results.append((started, time.monotonic(), kind, status, note_id))

    try:
        wait_until_serving(url)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(3)
        kills = [_kill_site_connections()]
        time.sleep(3)
        kills.append(_kill_site_connections())
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=60)

    assert all(killed > 0 for _, killed in kills), "the site held no connection to kill"
    failed = [r for r in results if r[3] >= 500]
    # A request fails only when it was in flight at a kill (started before it, ended at most GRACE_S after).
    for started, ended, kind, status, _ in failed:
        assert any(started <= at and ended <= at + GRACE_S for at, _ in kills), (kind, status, started, kills)
    assert len(failed) <= CLIENTS * len(kills)
    after_last = [r for r in results if r[0] > kills[-1][0] + GRACE_S]
    assert after_last and all(r[3] == 200 for r in after_last)
    # Every post answered 200 is there once; a failed one at most once (never twice).
    posted = [r[4] for r in results if r[2] == "post" and r[3] == 200]
    failed_posts = [r for r in failed if r[2] == "post"]
    stored = Note.objects.filter(author=author).count()
    assert Note.objects.filter(pk__in=[int(i) for i in posted]).count() == len(posted) == len(set(posted))
    assert len(posted) <= stored <= len(posted) + len(failed_posts)
