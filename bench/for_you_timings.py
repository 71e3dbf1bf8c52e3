"""A gunicorn config file (``-c``) for ``bench/recommend_scale.py --timings``: each request's wall time,
its thread's CPU time and a breakdown by stage of For you, one JSON line per request in
``$BENCH_TIMINGS.<pid>``, for whichever checkout gunicorn serves (the stages are wrapped by name where
the served code has them, so one file measures both sides of an A/B run).

Each record also has the process's CPU over the request (``proc``). A stage's wall time above its
CPU time is waiting: for the GIL (another thread of the worker runs
Python), for the database or Redis, or for a core. ``pool_build`` counts the requests that built the
candidate pool themselves (``recommend.candidates._build_pool`` called on a request thread)."""

from __future__ import annotations

import functools
import gc
import json
import os
import threading
import time
from typing import Any

# (module, attribute, stage): wrapped where the served code has them.
STAGES = [
    ("core.request_reads", "get_many", "reads"),
    ("recommend.candidates", "pool", "pool"),
    ("recommend.candidates", "_build_pool", "pool_build"),
    ("recommend.candidates", "_load_stored", "pool_load"),
    ("recommend.candidates", "reader_for", "reader"),
    ("recommend.training", "current_model", "model"),
    ("recommend.ranking", "score", "score"),
    ("recommend.ranking", "rerank", "rerank"),
    ("recommend.selectors", "visible_notes", "gate"),
    ("recommend.selectors", "_store", "store"),
    # Every SQL query and Redis round trip of the request, whichever stage made it.
    ("django.db.backends.utils", "CursorWrapper.execute", "sql"),
    ("django.db.backends.utils", "CursorWrapper.executemany", "sql"),
    ("redis.client", "Redis.execute_command", "redis"),
    ("redis.client", "Pipeline.execute", "redis"),
]

_local = threading.local()
_out: list[Any] = []


def _wrap(func: Any, stage: str) -> Any:
    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        stages = getattr(_local, "stages", None)
        if stages is None:
            return func(*args, **kwargs)
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            wall, cpu = stages.get(stage, (0.0, 0.0, 0))[:2]
            calls = stages.get(stage, (0.0, 0.0, 0))[2]
            stages[stage] = (
                wall + (time.perf_counter() - t0) * 1000,
                cpu + (time.thread_time() - c0) * 1000,
                calls + 1,
            )

    return timed


def post_worker_init(worker: Any) -> None:
    import importlib

    for module_name, attr, stage in STAGES:
        owner: Any = importlib.import_module(module_name)
        *outer, name = attr.split(".")
        for part in outer:
            owner = getattr(owner, part)
        func = getattr(owner, name, None)
        if func is not None:
            setattr(owner, name, _wrap(func, stage))
    gc.callbacks.append(_gc)
    _out.append(open(f"{os.environ['BENCH_TIMINGS']}.{os.getpid()}", "a", buffering=1))  # noqa: SIM115


def _gc(phase: str, info: dict) -> None:
    """Garbage collections run on a request's thread, as the stage ``gc``."""
    stages = getattr(_local, "stages", None)
    if stages is None:
        return
    if phase == "start":
        _local.gc0 = (time.perf_counter(), time.thread_time())
        return
    t0, c0 = getattr(_local, "gc0", (time.perf_counter(), time.thread_time()))
    wall, cpu, calls = stages.get("gc", (0.0, 0.0, 0))
    stages["gc"] = (wall + (time.perf_counter() - t0) * 1000, cpu + (time.thread_time() - c0) * 1000, calls + 1)


def pre_request(worker: Any, req: Any) -> None:
    _local.stages = {}
    _local.t0 = time.perf_counter()
    _local.c0 = time.thread_time()
    _local.p0 = time.process_time()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    stages = getattr(_local, "stages", None)
    if stages is None or not _out:
        return
    record = {
        "at": time.time(),
        "pid": os.getpid(),
        "path": req.path,
        "port": environ.get("REMOTE_PORT"),
        "wall": round((time.perf_counter() - _local.t0) * 1000, 2),
        "cpu": round((time.thread_time() - _local.c0) * 1000, 2),
        # The whole process's CPU meanwhile: above "cpu", the worker's other threads ran (held the GIL,
        # mostly); what "wall" has beyond it, the process waited for a core, the database or Redis.
        "proc": round((time.process_time() - _local.p0) * 1000, 2),
        "stages": {k: [round(v[0], 2), round(v[1], 2), v[2]] for k, v in stages.items()},
    }
    _local.stages = None
    _out[0].write(json.dumps(record) + "\n")
