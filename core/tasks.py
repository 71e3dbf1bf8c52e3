"""Glue for background work: declare a task with retries, enqueue it on commit.

Tasks take ids, load rows and call one service; they must be idempotent, because a retried or
duplicated task runs again. ``background_task`` wraps the body so that an exception re-enqueues the
same call later with exponential backoff until ``max_attempts``; after that the error is logged and
re-raised so the backend records the failure.

Priority is a hint: the database queue orders by it, but RQ (the Redis deployment) has no priorities
and django-tasks refuses a task with one there ("Backend does not support setting priority of tasks").
So a task is declared with the default priority and ``PrioritisedTask.enqueue`` applies the wanted one
only where the backend that runs it supports it; elsewhere the task is queued without it.

With Redis (RQ), a second backend ``fallback`` is the database queue: a task that cannot be queued on
Redis because Redis is down goes there instead (core/redis_outage.py), so the write that queued it
commits and the work is done by the database worker that ``runstack`` runs beside the RQ workers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.base import DEFAULT_TASK_PRIORITY, Task, TaskResult
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core import queues, redis_outage

logger = logging.getLogger("notebridge.tasks")

ATTEMPT_KWARG = "_attempt"
FALLBACK_BACKEND_ALIAS = "fallback"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrioritisedTask(Task):  # type: ignore[type-arg]
    """A task whose priority is applied at enqueue time, and only where the backend supports it."""

    wanted_priority: int = DEFAULT_TASK_PRIORITY
    # Runs below the page reads' CPU priority (``BACKGROUND_WORKER_NICE``, set in its RQ work horse by
    # core/rq_worker.py) whatever queue it is on: bulk work that nobody watches happen.
    below_reads: bool = False

    def for_backend(self) -> Task:  # type: ignore[type-arg]
        """This task as the backend that will run it can take it."""
        if self.wanted_priority != self.priority and self.get_backend().supports_priority:
            return self.using(priority=self.wanted_priority)
        return self

    def enqueue(self, *args: Any, **kwargs: Any) -> TaskResult:  # type: ignore[type-arg]
        task = self.for_backend()
        fallback = FALLBACK_BACKEND_ALIAS in settings.TASKS and task.backend != FALLBACK_BACKEND_ALIAS
        if fallback and not redis_outage.available():
            return self._enqueue_on_fallback(args, kwargs)
        try:
            return task.get_backend().enqueue(task, args, kwargs)
        except redis_outage.ERRORS as error:
            if not fallback:
                raise
            redis_outage.failed(f"queueing {self.name}", error)
            return self._enqueue_on_fallback(args, kwargs)

    def _enqueue_on_fallback(self, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[type-arg]
        """The database queue, drained by ``db_worker --backend fallback`` (runstack starts one)."""
        task = self.using(backend=FALLBACK_BACKEND_ALIAS).for_backend()
        return task.get_backend().enqueue(task, args, kwargs)


def background_task(
    *,
    queue_name: str = queues.DEFAULT,
    max_attempts: int = 5,
    base_delay: float = 5.0,
    priority: int = 0,
    below_reads: bool = False,
) -> Callable[[Callable[..., Any]], Any]:
    """``below_reads``: the job runs at ``BACKGROUND_WORKER_NICE`` on RQ even from an urgent queue, as jobs
    from the ``translation`` and ``low`` queues do (core/rq_worker.py): for batches that a burst of
    requests makes large and that nobody waits for, yet that should not wait behind translation."""

    def decorate(func: Callable[..., Any]) -> Any:
        holder: dict[str, Any] = {}

        @functools.wraps(func)
        def body(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1) or 1)
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt >= max_attempts:
                    logger.exception("task %s failed after %s attempts", func.__qualname__, attempt)
                    raise
                delay = base_delay * (2 ** (attempt - 1))
                logger.warning("task %s failed (attempt %s); retry in %ss", func.__qualname__, attempt, delay)
                holder["task"].using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                    *args, **{**kwargs, ATTEMPT_KWARG: attempt + 1}
                )
                return None

        task_obj = PrioritisedTask(
            func=body,
            queue_name=queue_name,
            backend=DEFAULT_TASK_BACKEND_ALIAS,
            priority=DEFAULT_TASK_PRIORITY,
            wanted_priority=priority,
            below_reads=below_reads,
        )
        holder["task"] = task_obj
        return task_obj

    return decorate


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` so that it runs only once the current transaction commits (at once when none is
    open). A queue that is a table of this same database (``django_tasks_db``: the embedded default, and
    PostgreSQL without Redis) takes the task's row inside the transaction: it commits, or rolls back, with
    the write that queued it, and a worker sees it from the commit on, as it would have seen a row written
    after the commit; the post then writes once, not twice (on SQLite, one hold of the write lock, not
    two). Any other queue (RQ on Redis) is given the task after the commit, as a separate system cannot
    take part in the transaction."""
    if transaction.get_connection().in_atomic_block and _queues_in_this_database(task):
        task.enqueue(*args, **kwargs)
        return
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def _queues_in_this_database(task: Any) -> bool:
    """Whether ``task`` goes to a database queue whose rows are written on the default connection."""
    if not isinstance(task, Task):
        return False
    backend = task.get_backend() if not isinstance(task, PrioritisedTask) else task.for_backend().get_backend()
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
