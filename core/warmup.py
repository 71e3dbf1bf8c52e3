"""What a task worker loads once, before it takes jobs, rather than once per job.

RQ runs every job in a fresh fork of its worker (a work horse), so whatever a task loads lazily into a
per-process cache (the screening encoder and its prototypes, the profanity lists, the photo detector)
was loaded again for every job and thrown away with the horse: each note screened on the Redis
deployment paid about 3 s of CPU to embed the prototypes again, 20 s on a busy 2-core machine, and
screening fell minutes behind a few clients posting (found by tests/core/test_faults.py). Loaded in the
worker before it forks, it is shared by every horse.

``core`` knows no app: each app registers what its tasks load (``register`` in ``AppConfig.ready()``),
and ``core.rq_worker.Worker`` calls ``warm()`` once when it starts. A loader that fails is logged and
skipped: the task loads it lazily, as before, and reports its own error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger("notebridge.tasks")

_loaders: dict[str, Callable[[], object]] = {}


def register(name: str, loader: Callable[[], object]) -> None:
    """Register a loader (from an AppConfig.ready(); registering a name again replaces it)."""
    _loaders[name] = loader


def registered() -> list[str]:
    return sorted(_loaders)


def warm() -> dict[str, float]:
    """Run every loader once; seconds each took (-1: it failed)."""
    took: dict[str, float] = {}
    for name in registered():
        started = time.monotonic()
        try:
            _loaders[name]()
            took[name] = round(time.monotonic() - started, 2)
        except Exception:
            logger.exception("warming %s failed; its tasks will load it themselves", name)
            took[name] = -1.0
    if took:
        logger.info("worker warmed: %s", ", ".join(f"{n} {s} s" for n, s in took.items()))
    return took
