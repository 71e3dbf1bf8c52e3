"""The RQ worker of the Redis deployment (``RQ["WORKER_CLASS"]``): RQ's forking worker, with what tasks
load warmed once before the first fork (core/warmup.py), so that every work horse shares it."""

from __future__ import annotations

from typing import Any

from rq.worker import Worker as ForkingWorker

from core import warmup


class Worker(ForkingWorker):
    def work(self, *args: Any, **kwargs: Any) -> bool:
        warmup.warm()
        return bool(super().work(*args, **kwargs))
