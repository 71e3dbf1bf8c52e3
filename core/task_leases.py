"""Work whose worker died is done anyway: abandoned tasks of the database queue go back to the queue.

The database queue (``django_tasks_db``, the embedded default) marks a task RUNNING with the claiming
worker's id and never looks at it again: a worker killed mid-task (out of memory, SIGKILL, a reboot)
leaves it RUNNING forever, and a note waiting for its screening stays pending. Two ways back:

- ``runstack`` names every worker it starts (``runstack-<its pid>-<n>``) and, when one dies, puts that
  worker's RUNNING tasks back at once (``requeue_tasks_of``); when it starts, it does the same for the
  workers of a previous ``runstack`` that is no longer alive (``requeue_orphans``);
- anything else (a worker started by hand, on another machine) is covered by a lease: a task RUNNING
  for longer than ``TASK_LEASE_S`` is put back (``requeue_expired``), which ``runstack`` checks every
  minute. Tasks are idempotent (core/tasks.py), so running one twice is safe; the lease is long enough
  (15 minutes by default) that a healthy task is never taken from its worker.

A task that kills its worker every time (a crash in native code: a model runtime built for the wrong
CPU segfaulted the task worker on every translation) would otherwise go round forever, taking a worker
down each time. A task whose ``TASK_MAX_DEATHS`` claims all ended with the worker dead is marked FAILED
instead of going back, with the reason in its traceback field and a log error naming it.

RQ (``REDIS_URL``) has its own: a dead worker's job is found by RQ's registry clean-up. The database
queue that tasks fall back to while Redis is down (core/tasks.py) is covered as above.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("notebridge.tasks")

PREFIX = "runstack-"


def worker_id(supervisor_pid: int, n: int | str) -> str:
    return f"{PREFIX}{supervisor_pid}-{n}"


def _requeue(rows: Iterable[DBTaskResult], why: str) -> int:
    count = 0
    for row in rows:
        # Only a row still RUNNING under the same claim goes back (a worker may finish it meanwhile).
        claim = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, worker_ids=row.worker_ids)
        if len(row.worker_ids or []) >= settings.TASK_MAX_DEATHS:
            # Every claim so far ended with its worker gone: this task is what kills them.
            reason = f"given up: its worker died or was lost {len(row.worker_ids)} times running it ({why})"
            if claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="core.task_leases.WorkerDied",
                traceback=reason,
            ):
                logger.error("task %s (%s) %s", row.pk, row.task_path, reason)
            continue
        updated = claim.update(status=TaskResultStatus.READY, started_at=None, run_after=timezone.now())
        if updated:
            count += 1
            logger.warning("task %s (%s) put back on its queue: %s", row.pk, row.task_path, why)
    return count


def _running() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "task_path", "worker_ids"))


def requeue_tasks_of(worker: str) -> int:
    """Put back the RUNNING tasks last claimed by ``worker``, which has died."""
    return _requeue([r for r in _running() if r.worker_ids and r.worker_ids[-1] == worker], f"{worker} died")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_orphans(current_supervisor: int) -> int:
    """Put back tasks claimed by workers of a ``runstack`` that is gone (this machine's)."""
    orphans = []
    for row in _running():
        last = row.worker_ids[-1] if row.worker_ids else ""
        if not last.startswith(PREFIX):
            continue
        try:
            pid = int(last[len(PREFIX) :].split("-")[0])
        except ValueError:
            continue
        if pid != current_supervisor and not _alive(pid):
            orphans.append(row)
    return _requeue(orphans, "its runstack is gone")


def requeue_expired(lease_seconds: float | None = None) -> int:
    """Put back tasks RUNNING for longer than the lease, whoever claimed them."""
    lease = settings.TASK_LEASE_S if lease_seconds is None else lease_seconds
    cutoff = timezone.now() - timedelta(seconds=lease)
    rows = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).only(
            "pk", "task_path", "worker_ids"
        )
    )
    return _requeue(rows, f"running for more than {lease:.0f} s")
