"""How many tasks wait on a queue: what back-pressure and the readiness endpoint read.

RQ (``REDIS_URL``): the length of the queue's Redis list, one O(1) command. The database queue: the
READY rows of that queue. A posting path asks this on every note, so the answer is kept per process for
``TTL_S`` seconds; a queue that is tens of tasks over its bound for a second is no harm.
"""

from __future__ import annotations

import time

from django.conf import settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core import redis_outage, rq_backend

TTL_S = 1.0

_seen: dict[str, tuple[float, int]] = {}


def _backend(alias: str = "default") -> str:
    return str(settings.TASKS.get(alias, {}).get("BACKEND", ""))


def _count(queue_name: str) -> int:
    backend = _backend()
    if backend.endswith("RQBackend") and redis_outage.available():
        try:
            return int(rq_backend.queue(queue_name).count)
        except redis_outage.ERRORS as error:
            redis_outage.failed("queue depth", error)
    if backend.endswith("RQBackend") or backend.endswith("DatabaseBackend"):
        alias = "fallback" if backend.endswith("RQBackend") else "default"
        return DBTaskResult.objects.filter(
            queue_name=queue_name, status=TaskResultStatus.READY, backend_name=alias
        ).count()
    return 0  # the immediate backend (tests) queues nothing


def depth(queue_name: str) -> int:
    """Tasks waiting on ``queue_name`` (ready to run, not yet claimed), as of at most ``TTL_S`` ago."""
    now = time.monotonic()
    seen = _seen.get(queue_name)
    if seen is not None and now - seen[0] < TTL_S:
        return seen[1]
    count = _count(queue_name)
    _seen[queue_name] = (now, count)
    return count


def over(queue_name: str, bound: int) -> bool:
    return depth(queue_name) >= bound


def forget() -> None:
    """Read afresh next time (tests)."""
    _seen.clear()
