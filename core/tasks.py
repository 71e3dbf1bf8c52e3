"""Glue for background work: declare a task with retries, enqueue it on commit.

Tasks take ids, load rows and call one service; they must be idempotent, because a retried or
duplicated task runs again. ``background_task`` wraps the body so that an exception re-enqueues the
same call later with exponential backoff until ``max_attempts``; after that the error is logged and
re-raised so the backend records the failure.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task as django_task

from core import queues

logger = logging.getLogger("notebridge.tasks")

ATTEMPT_KWARG = "_attempt"


def background_task(
    *, queue_name: str = queues.DEFAULT, max_attempts: int = 5, base_delay: float = 5.0, priority: int = 0
) -> Callable[[Callable[..., Any]], Any]:
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

        task_obj = django_task(queue_name=queue_name, priority=priority)(body)
        holder["task"] = task_obj
        return task_obj

    return decorate


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` once the current transaction commits (at once when none is open)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
