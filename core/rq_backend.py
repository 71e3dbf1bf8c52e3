"""The task backend of the Redis deployment: django-tasks' RQ backend, queueing over one Redis client per
process.

django-tasks-rq asks django-rq for the queue on every enqueue, and django-rq builds a new ``redis.Redis``
from the queue's URL each time: a new connection pool, so a TCP connection and its hand-shake (HELLO,
two CLIENT SETINFO, SELECT, redis-py reading its own version from the package metadata, then RQ's INFO
for the server's version) for every task queued, thrown away after. A post queues its screening task
that way, and the connection was two thirds of the Redis round trips a post made (docs/benchmarks.md,
"posting at scale"). Here every queue of one URL shares one client, whose pool keeps its connections;
a job is written in one round trip (its hash, the queue's list and the set of queues, in one
transaction). What is stored, and how workers run it, is django-tasks-rq's: the job class, meta and
callbacks are its own.

The client carries the timeouts the cache and the timelines have (connect 2 s, read 5 s): a Redis that
hangs fails the enqueue, and ``core.tasks`` puts the task on the database queue instead.
"""

from __future__ import annotations

from typing import Any

import django_rq
import redis
from django.conf import settings
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import RQBackend as LibraryRQBackend
from django_tasks_rq.backend import Job, failed_callback, success_callback
from rq import Queue
from rq.job import Callback, JobStatus

CONNECT_TIMEOUT_S = 2
READ_TIMEOUT_S = 5

_clients: dict[str, redis.Redis] = {}
_queues: dict[tuple[str, str], Queue] = {}


def client(url: str) -> redis.Redis:
    """This process's client for ``url``. Safe to share between threads: each command takes a connection
    from the pool, and the pool starts afresh in a forked process."""
    found = _clients.get(url)
    if found is None:  # two threads may both build one here: harmless, the last one is kept
        found = _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=READ_TIMEOUT_S
        )
    return found


def queue(name: str) -> Queue:
    """The RQ queue ``name`` of ``settings.RQ_QUEUES``, over this process's shared client."""
    url = str(settings.RQ_QUEUES[name]["URL"])
    found = _queues.get((name, url))
    if found is None:
        found = _queues[(name, url)] = django_rq.get_queue(name, job_class=Job, connection=client(url))
    return found


class RQBackend(LibraryRQBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[type-arg]
        self.validate_task(task)
        result: TaskResult = TaskResult(  # type: ignore[type-arg]
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        target = queue(task.queue_name)
        job = target.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        pipe = target.connection.pipeline()
        if task.run_after is None:
            job = target.enqueue_job(job, pipeline=pipe, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = target.schedule_job(job, task.run_after, pipeline=pipe)
        pipe.execute()
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result
