"""The Redis deployment's task backend (core/rq_backend.py) against the real Redis and an RQ worker: tasks
queued one after another share this process's connection instead of opening one each, and what is
queued is still what a worker runs, a later task still waits in the scheduled registry, and a Redis that
stops and comes back still sends tasks to the database queue meanwhile and to Redis again after.

Runs in the PostgreSQL + Redis test run (``REDIS_URL`` set); skipped on the embedded default.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from core import queues, redis_outage, rq_backend
from tests.core.tasks_for_tests import RAN, record

pytestmark = pytest.mark.skipif(
    not django_settings.REDIS_URL, reason="needs Redis: the RQ backend is the REDIS_URL deployment's"
)

# Where this process connects while a test watches (sys.addaudithook: Python's own report of every
# socket.connect, whichever library makes it). A hook cannot be removed, so it is added once.
_watching: list[list[Any]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _watching:
        _watching[-1].append(args[1])


sys.addaudithook(_audit)


@contextmanager
def connections_opened() -> Iterator[list[Any]]:
    """The addresses this process connects to inside the block."""
    opened: list[Any] = []
    _watching.append(opened)
    try:
        yield opened
    finally:
        _watching.remove(opened)


@pytest.fixture
def on_rq(settings):
    """Tasks on RQ as the Redis deployment has them; the default queue emptied before and after."""
    settings.TASKS = {"default": {"BACKEND": "core.rq_backend.RQBackend", "QUEUES": list(settings.RQ_QUEUES)}}
    queue = rq_backend.queue(queues.DEFAULT)
    queue.empty()
    yield queue
    queue.empty()


def test_tasks_queued_one_after_another_open_no_connection_each(on_rq):
    record.enqueue("first")  # this process's client may connect here, once
    with connections_opened() as opened:
        for n in range(20):
            record.enqueue(f"task {n}")
    assert opened == []  # django-tasks-rq's own backend opened 20: a new client for every task
    assert on_rq.count == 21


def test_the_queue_depth_is_read_over_the_same_connection(on_rq):
    from core import queue_depth

    record.enqueue("one")
    queue_depth.forget()
    with connections_opened() as opened:
        assert queue_depth.depth(queues.DEFAULT) == 1
    assert opened == []


def test_a_queued_task_is_run_by_an_rq_worker(on_rq):
    import django_rq
    from django_tasks import default_task_backend
    from django_tasks.base import TaskResultStatus
    from rq import SimpleWorker

    RAN.clear()
    result = record.enqueue("through Redis")
    assert on_rq.fetch_job(result.id).meta["backend_name"] == "default"
    worker_class: Any = SimpleWorker  # in this process (django-rq's stubs want a forking Worker)
    django_rq.get_worker(queues.DEFAULT, worker_class=worker_class).work(burst=True)
    assert RAN == ["through Redis"]
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    assert on_rq.count == 0


def test_a_task_to_run_later_waits_in_the_scheduled_registry(on_rq):
    result = record.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("later")
    assert on_rq.count == 0
    assert on_rq.scheduled_job_registry.get_job_ids() == [result.id]


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)")
def test_tasks_go_to_the_database_while_redis_is_down_and_to_redis_once_it_is_back(settings, tmp_path):
    """The shared client keeps its connection between tasks: one that Redis dropped must not stay broken."""
    import redis
    from django_tasks_db.models import DBTaskResult

    from tests.servers import OwnRedis

    own = OwnRedis(tmp_path, persist=False)
    own.start()
    try:
        settings.RQ_QUEUES = {name: {**config, "URL": own.url} for name, config in settings.RQ_QUEUES.items()}
        settings.TASKS = {
            "default": {"BACKEND": "core.rq_backend.RQBackend", "QUEUES": list(settings.RQ_QUEUES)},
            "fallback": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(settings.RQ_QUEUES)},
        }
        settings.REDIS_RETRY_S = 0.2
        redis_outage.reset()
        waiting = redis.Redis.from_url(own.url)
        record.enqueue("before")
        assert waiting.llen("rq:queue:default") == 1

        own.stop()
        record.enqueue("during")
        assert list(DBTaskResult.objects.filter(backend_name="fallback").values_list("args_kwargs", flat=True)) == [
            {"args": ["during"], "kwargs": {}}
        ]

        own.start()  # empty: persist=False
        redis_outage.reset()  # as REDIS_RETRY_S after the failure would
        record.enqueue("after")
        assert waiting.llen("rq:queue:default") == 1
        assert DBTaskResult.objects.filter(backend_name="fallback").count() == 1
    finally:
        own.stop()
        redis_outage.reset()
