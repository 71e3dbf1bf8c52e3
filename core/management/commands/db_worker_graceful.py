"""``db_worker`` that never marks the task it is running as failed because it was told to stop.

django-tasks' database worker finishes its task on the first SIGTERM or SIGINT, but a second signal
(Ctrl-C in a terminal reaches every process of the group, and ``runstack`` then sends its own SIGTERM;
or an operator's impatient second Ctrl-C) exits at once from inside the task, and the worker records
that exit as the task's failure. A failed task is never run again, so the note it was screening stayed
``pending``. Here an exit or interrupt puts the task back on its queue instead; real errors still fail it.

Between looks for work it also listens for a wake-up (core/worker_wake.py), so a task queued in the middle
of ``--interval`` starts at once rather than at the next look.
``runstack`` starts this command; it takes the same options as ``db_worker``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import django_tasks_db.management.commands.db_worker as upstream
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.worker_wake import Listener

logger = logging.getLogger("notebridge.tasks")


class GracefulWorker(upstream.Worker):
    def run_task(self, db_task_result: DBTaskResult) -> None:
        record_failure = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                put_back = DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY, started_at=None, run_after=timezone.now()
                )
                if put_back:
                    logger.warning("task %s put back on its queue: its worker was stopped", db_task_result.pk)
                return
            record_failure(exc)

        db_task_result.set_failed = set_failed  # type: ignore[method-assign]
        super().run_task(db_task_result)


class _WakeableClock:
    """``time`` as the upstream worker sees it, but for ``sleep``: a wait that a wake-up ends early."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def sleep(self, seconds: float) -> None:
        self.listener.wait(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class Command(upstream.Command):
    help = "db_worker that puts its task back on the queue, rather than failing it, when stopped mid-task."

    def handle(self, *args: Any, **options: Any) -> None:
        # The upstream command builds its Worker, and sleeps between looks, by these module-level names;
        # it runs ours for this call.
        listener = Listener()
        original, upstream.Worker = upstream.Worker, GracefulWorker  # type: ignore[misc]
        clock, upstream.time = upstream.time, _WakeableClock(listener)  # type: ignore[assignment]
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original  # type: ignore[misc]
            upstream.time = clock
            listener.close()
