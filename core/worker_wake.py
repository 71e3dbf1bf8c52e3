"""Waking the database queue's workers as soon as a task is queued.

A database worker (``db_worker_graceful``) looks for work every ``--interval`` seconds. A task queued
just after a look waits out the rest of the interval: a quarter of a second on average at 0.5 s, which a
person sees (a new note stays "pending" that much longer; a translation's first words show that much
later). So each worker also listens on a Unix datagram socket in ``TASK_WAKE_DIR``, and the process that
queues a task on the database queue sends every socket there one byte once the task's row has
committed: the worker looks at once.

The byte carries nothing. A lost one costs only the wait it would have saved, since the interval still
bounds every wait; a socket whose worker died is removed by the next sender. RQ on Redis needs none of
this: its workers block on the queue itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import router, transaction

logger = logging.getLogger("notebridge.tasks")

PREFIX = "w"
# A Unix socket's path has room for 107 bytes on Linux; a longer folder means polling only.
MAX_PATH_BYTES = 100

_sender: socket.socket | None = None


class Listener:
    """A worker's end: ``wait(seconds)`` sleeps until the time is up or a wake-up arrives."""

    def __init__(self, directory: Path | None = None) -> None:
        self.sock: socket.socket | None = None
        self.path: Path | None = None
        directory = Path(directory or settings.TASK_WAKE_DIR)
        path = directory / f"{PREFIX}{os.getpid()}"
        if len(os.fsencode(path)) > MAX_PATH_BYTES:
            logger.info("worker wake-up off: %s is too long for a socket path; polling only", directory)
            return
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # a socket left by a process that had this pid before
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(str(path))
            sock.setblocking(False)
        except OSError as exc:
            logger.warning("worker wake-up off, polling only: %s", exc)
            return
        self.sock, self.path = sock, path

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when woken early."""
        if self.sock is None:
            time.sleep(seconds)
            return False
        ready, _, _ = select.select([self.sock], [], [], max(0.0, seconds))
        if not ready:
            return False
        while True:  # several tasks queued during one look need one more look, not several
            try:
                self.sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return True

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.path = None


def wake_workers(directory: Path | None = None) -> int:
    """Send every listening worker a wake-up; returns how many took it. Never raises."""
    global _sender
    directory = Path(directory or settings.TASK_WAKE_DIR)
    try:
        names = [name for name in os.listdir(directory) if name.startswith(PREFIX)]
    except OSError:
        return 0
    woken = 0
    for name in names:
        path = directory / name
        try:
            if _sender is None:
                _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                _sender.setblocking(False)
            _sender.sendto(b"!", str(path))
            woken += 1
        except ConnectionRefusedError:  # nobody listens: its worker died without removing it
            with contextlib.suppress(OSError):
                path.unlink()
        except BlockingIOError:  # its queue of wake-ups is full: it is awake already
            woken += 1
        except OSError:
            pass
    return woken


def on_task_enqueued(sender: type, **kwargs: Any) -> None:
    """``task_enqueued`` receiver: a task on a database queue wakes the workers once its row commits
    (at once when no transaction is open)."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(sender, type) and issubclass(sender, DatabaseBackend):
        transaction.on_commit(wake_workers, using=router.db_for_write(DBTaskResult))
