"""``db_worker`` that never marks the task it is running as failed because it was told to stop.

django-tasks' database worker finishes its task on the first SIGTERM or SIGINT, but a second signal
(Ctrl-C in a terminal reaches every process of the group, and ``runstack`` then sends its own SIGTERM;
or an operator's impatient second Ctrl-C) exits at once from inside the task, and the worker records
that exit as the task's failure. A failed task is never run again, so the note it was screening stayed
``pending``. Here an exit or interrupt puts the task back on its queue instead; real errors still fail it.
``runstack`` starts this command; it takes the same options as ``db_worker``.
"""

from __future__ import annotations

import logging
from typing import Any

import django_tasks_db.management.commands.db_worker as upstream
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

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


class Command(upstream.Command):
    help = "db_worker that puts its task back on the queue, rather than failing it, when stopped mid-task."

    def handle(self, *args: Any, **options: Any) -> None:
        # The upstream command builds its Worker by this module-level name; it runs ours for this call.
        original, upstream.Worker = upstream.Worker, GracefulWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original  # type: ignore[misc]
