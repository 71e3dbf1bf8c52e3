"""Lost work is done anyway: a periodic sweep re-enqueues the work of rows stuck in a waiting state.

The task leases (core/task_leases.py) cover tasks that the database queue still knows about. A task can
also vanish outright: RQ on a Redis without persistence loses every queued job when Redis restarts, a
job can be dropped by an operator, a worker can be stopped hard. Its row then waits forever: a note
``pending`` screening, a photo or video ``processing``. The sweep finds such rows, waiting for longer
than ``SWEEP_LOST_WORK_AFTER_S`` (a lease: longer than any healthy queue wait), and enqueues their work
again. Every task is idempotent and moves its row under a lock only from the waiting state, so work
found twice is done once: a note is published once, its notifications sent once.

``core`` knows no app: each app registers its sweeps in ``AppConfig.ready()`` (``register``) and
``sweep()`` runs them all. ``manage.py sweep_lost_work`` runs it; ``runstack`` runs that command every
``SWEEP_EVERY_S`` (by default once a lease); a production scheduler (cron, a systemd timer) runs it where
runstack does not. Run once a lease, a row still waiting behind a long backlog gets at most one duplicate
task per lease (done once, as above), and each sweep takes at most ``limit`` rows of each kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("notebridge.tasks")

SweepFunction = Callable[[datetime, int], int]


@dataclass(frozen=True)
class Sweep:
    name: str
    function: SweepFunction  # (cutoff: rows waiting since before it are lost, limit) -> rows re-enqueued


_sweeps: dict[str, Sweep] = {}


def register(name: str, function: SweepFunction) -> None:
    """Register a sweep (from an AppConfig.ready(); registering a name again replaces it)."""
    _sweeps[name] = Sweep(name, function)


def registered() -> list[str]:
    return sorted(_sweeps)


def sweep(*, older_than_s: float | None = None, limit: int = 500) -> dict[str, int]:
    """Run every sweep once; how many rows each sent back to work. A failing sweep is logged and the
    others still run."""
    after = settings.SWEEP_LOST_WORK_AFTER_S if older_than_s is None else older_than_s
    cutoff = timezone.now() - timedelta(seconds=after)
    counts: dict[str, int] = {}
    for name in registered():
        try:
            counts[name] = _sweeps[name].function(cutoff, limit)
        except Exception:
            logger.exception("sweep %s failed", name)
            counts[name] = -1
        if counts[name] > 0:
            logger.warning("sweep %s: %s row(s) waiting since before %s sent back to work", name, counts[name], cutoff)
    return counts
