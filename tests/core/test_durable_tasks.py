"""Work survives its worker: abandoned tasks go back on the database queue, and ``runstack`` restarts a
dead worker without taking the web server down."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import psutil
import pytest
import requests
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core import task_leases
from core.management.commands import runstack
from tests.servers import database_unreachable, free_port, server_env, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASKS["default"]["QUEUES"]}
    }
    settings.REVIEW_SCREENING = True


def _pending_note(make_user):
    from notes.services import create_note

    note = create_note(author=make_user("wen"), title="Night market", body="Grilled squid and mango ice")
    assert note.state == "pending"
    return note


def _run_worker_once(tmp_path) -> None:
    """A real worker process that runs what is ready and exits."""
    env = server_env(tmp_path, redis=False)
    cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--batch", "--no-reload", "-v", "0"]
    subprocess.run(cmd, env=env, check=True, timeout=300)


def test_a_task_claimed_by_a_worker_that_died_is_done_after_the_restart(database_queue, make_user, tmp_path):
    from notes.models import Note

    note = _pending_note(make_user)
    task = DBTaskResult.objects.get(task_path__contains="review.tasks")  # the note's screening
    # What a SIGKILL mid-task leaves behind: the task claimed (RUNNING) by a worker of a runstack that
    # is gone. Nothing ever picks it up again...
    task.claim(task_leases.worker_id(supervisor_pid=2**22 + 12345, n=0))
    _run_worker_once(tmp_path)
    assert Note.objects.get(pk=note.pk).state == "pending"
    # ...until runstack starts again and puts it back.
    assert task_leases.requeue_orphans(current_supervisor=os.getpid()) == 1
    _run_worker_once(tmp_path)
    assert Note.objects.get(pk=note.pk).state == "published"
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL
    assert task_leases.requeue_orphans(current_supervisor=os.getpid()) == 0  # nothing twice


def test_a_live_workers_task_stays_with_it_until_its_lease_runs_out(database_queue, make_user):
    _pending_note(make_user)
    task = DBTaskResult.objects.get(task_path__contains="review.tasks")  # the note's screening
    task.claim(task_leases.worker_id(supervisor_pid=os.getpid(), n=0))  # this process is alive
    assert task_leases.requeue_orphans(current_supervisor=os.getpid() + 1) == 0
    assert task_leases.requeue_expired(lease_seconds=900) == 0
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert task_leases.requeue_expired(lease_seconds=900) == 1
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.READY


def test_runstack_puts_a_dead_workers_task_back_once_the_database_answers(database_queue, make_user):
    """A worker that dies while PostgreSQL restarts: putting its task back fails until the database is
    back, and neither that failure nor the wait ends runstack (which would take gunicorn with it)."""
    _pending_note(make_user)
    task = DBTaskResult.objects.get(task_path__contains="review.tasks")  # the note's screening
    dead = task_leases.worker_id(supervisor_pid=os.getpid(), n="urgent0")
    task.claim(dead)
    said = io.StringIO()
    supervisor = runstack.Command(stdout=io.StringIO(), stderr=said)
    with database_unreachable():
        supervisor._owe("tasks of urgent", lambda: task_leases.requeue_tasks_of(dead))
        supervisor._settle_owed(now=100.0)
        assert len(supervisor.owed) == 1  # still owed
        supervisor._settle_owed(now=100.0 + runstack.HOUSEKEEPING_RETRY_S)
        assert len(supervisor.owed) == 1
    supervisor._settle_owed(now=100.0 + runstack.HOUSEKEEPING_RETRY_S)  # not due yet: tried 2 s after a failure
    assert len(supervisor.owed) == 1
    supervisor._settle_owed(now=100.0 + 3 * runstack.HOUSEKEEPING_RETRY_S)
    assert supervisor.owed == []
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.READY
    assert "trying again" in said.getvalue()


def _worker_pids(supervisor: int) -> set[int]:
    children = psutil.Process(supervisor).children()
    return {c.pid for c in children if "db_worker" in " ".join(c.cmdline())}


def test_runstack_restarts_a_killed_worker_and_the_site_stays_up(make_user, tmp_path, token_for):
    port = free_port()
    env = server_env(tmp_path, redis=False)
    cmd = [sys.executable, "manage.py", "runstack", "--port", str(port), "--workers", "1", "--threads", "2"]
    stack = subprocess.Popen(cmd, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url)
        deadline = time.monotonic() + 60
        while not (first := _worker_pids(stack.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert first, "runstack started no worker"
        os.kill(first.pop(), signal.SIGKILL)
        # The web server keeps answering while the worker is down and comes back.
        for _ in range(10):
            assert requests.get(url + "/api/v1/instance", timeout=30).status_code == 200
            time.sleep(0.2)
        deadline = time.monotonic() + 60
        while not _worker_pids(stack.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _worker_pids(stack.pid), "the worker was not started again"
        # And the new worker does the work: a posted note is screened and published.
        token = token_for(make_user("ren"))
        posted = requests.post(
            url + "/api/v1/statuses",
            json={"status": "Fresh dumplings at the corner shop"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert posted.status_code == 200, posted.text
        from notes.models import Note

        deadline = time.monotonic() + 120
        while Note.objects.get(pk=int(posted.json()["id"])).state != "published":
            assert time.monotonic() < deadline, "the note was never published"
            time.sleep(0.5)
        assert stack.poll() is None
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
