"""The RQ worker of the Redis deployment (``RQ["WORKER_CLASS"]``): RQ's forking worker, with what tasks
load warmed once before the first fork (core/warmup.py), so that every work horse shares it, and the
heap then frozen (``freeze_heap``) so that a horse's garbage collector leaves those shared pages alone.

A job from the ``translation`` or ``low`` queue (translate-ahead, training, housekeeping, the per-sign-up
cluster checks), or of a task declared ``below_reads`` on any queue (the newcomers' impersonation
batches, core/tasks.py), runs in a work horse that lowers its own CPU priority to
``BACKGROUND_WORKER_NICE`` first, so that it takes only the CPU page reads leave free (a sign-up burst,
docs/trust.md). Only the
job is niced, never the worker: a worker niced as a whole once held screening jobs it had picked up
while the web workers kept the CPU busy, and notes stayed pending (``tests/core/test_faults.py``).
"""

from __future__ import annotations

import gc
import os
from typing import Any

from django.conf import settings
from rq.worker import Worker as ForkingWorker

from core import queues, warmup

NICED_QUEUES = frozenset({queues.TRANSLATION, queues.LOW})


def job_nice(queue_name: str, task: Any = None) -> int:
    """How much a job taken from ``queue_name`` lowers its work horse's priority (0: not at all): every
    job of the ``translation`` and ``low`` queues, and a task declared ``below_reads`` from any queue."""
    if queue_name not in NICED_QUEUES and not getattr(task, "below_reads", False):
        return 0
    return max(0, min(19, int(getattr(settings, "BACKGROUND_WORKER_NICE", 0))))


def task_of(job: Any) -> Any:
    """The django-tasks task a job runs, or None when it names none (RQ then fails the job itself)."""
    try:
        return job.func
    except Exception:
        return None


def keep_redis_version() -> None:
    """redis-py reads its own version from the installed packages' metadata for every new connection
    (``redis.utils.get_lib_version``: ``importlib.metadata`` scans site-packages, about 14 ms). A work
    horse opens its connections afresh, so every job paid it; read once here, the horses inherit it."""
    import redis.utils

    version = redis.utils.get_lib_version()
    redis.utils.get_lib_version = lambda: version


def freeze_heap() -> None:
    """Move every object the worker holds to the collector's permanent generation (``gc.freeze``), so
    that a work horse's garbage collections never traverse them. A full collection in a horse touched
    every object of the warmed worker (the screening encoder, the dictionaries), and each touched page
    was copied from its parent: 100 ms of CPU or more per job, for jobs that need 10 (an impersonation
    check of a newcomer took 165 ms of CPU in a fork of the warmed worker, 45 ms with the heap frozen;
    docs/benchmarks.md, "Sign-up burst", session 10)."""
    gc.collect()
    gc.freeze()


class Worker(ForkingWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        warmup.warm()
        keep_redis_version()
        freeze_heap()
        return bool(super().work(*args, **kwargs))

    def main_work_horse(self, job: Any, queue: Any) -> None:
        nice = job_nice(queue.name, task_of(job))
        if nice:
            os.nice(nice)  # in the forked horse only: the worker itself stays at its priority
        super().main_work_horse(job, queue)
