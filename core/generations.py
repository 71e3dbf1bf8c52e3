"""Generations: one counter per name that every worker process on the machine reads for the price of a
``stat()``, so that a per-process cache can be dropped in all workers at once.

Authorization must change on the next request everywhere (a revoked token, a changed password, a
suspended account, a block). At scale the cache is Redis, shared by every worker, and deleting the key
is enough. On the embedded default the cache is in-process: gunicorn's other workers would go on
answering from theirs for up to the entry's lifetime. So keys of such caches carry the generation
(``f"auth:{generations.current('auth')}:{token}"``) and a change bumps it: every worker's next read
misses, whatever it holds.

The counter is the modification time, in nanoseconds, of a file under ``DATA_DIR/generations/``:
everything that shares the data directory (the web workers, the task workers, `manage.py`) shares it.
With a shared cache (``REDIS_URL``) ``current`` is always 0 and costs nothing; callers delete keys instead.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from django.conf import settings

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


def cache_is_shared() -> bool:
    backend = str(settings.CACHES["default"]["BACKEND"])
    return "locmem" not in backend.lower() and "dummy" not in backend.lower()


def _path(name: str) -> Path:
    if not _NAME.match(name):
        raise ValueError(f"bad generation name {name!r}")
    return Path(settings.DATA_DIR) / "generations" / name


# (data directory, name) -> the file's path as a string: ``current`` runs several times on every API
# request, and building the Path and checking the name cost more than the stat() itself.
_paths: dict[tuple[str, str], str] = {}


def current(name: str) -> int:
    """The generation of ``name``: changes whenever ``bump(name)`` runs in any process here."""
    if cache_is_shared():
        return 0
    where = (str(settings.DATA_DIR), name)
    path = _paths.get(where)
    if path is None:
        path = _paths[where] = str(_path(name))
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0


def bump(name: str) -> None:
    """Start a new generation of ``name`` for every process that shares the data directory."""
    if cache_is_shared():
        return
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = current(name)
    path.touch()
    # Strictly later than before even when two bumps fall in one clock tick of the filesystem.
    stamp = max(time.time_ns(), previous + 1)
    os.utime(path, ns=(stamp, stamp))
