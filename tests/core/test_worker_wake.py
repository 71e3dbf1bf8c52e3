"""The database queue's workers are woken when a task is queued (core/worker_wake.py), so a task does
not wait out the worker's polling interval."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from core.worker_wake import Listener, wake_workers
from tests.servers import server_env


@pytest.fixture
def wake_dir():
    # Short, as a Unix socket path must be; pytest's tmp_path can be too long.
    path = Path(tempfile.mkdtemp(prefix="nbwake"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_listener_sleeps_out_its_time_unless_woken(wake_dir):
    listener = Listener(wake_dir)
    try:
        assert listener.sock is not None
        assert listener.wait(0.05) is False
        assert wake_workers(wake_dir) == 1
        assert wake_workers(wake_dir) == 1  # two wake-ups before a look: one early return, then quiet
        assert listener.wait(5) is True
        assert listener.wait(0.05) is False
    finally:
        listener.close()
    assert list(wake_dir.iterdir()) == []


def test_a_dead_workers_socket_is_removed_and_nothing_raises(wake_dir):
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dead.bind(str(wake_dir / "w999999"))
    dead.close()  # died without removing its file
    (wake_dir / "notes.txt").write_text("not a socket of ours")
    assert wake_workers(wake_dir) == 0
    assert sorted(p.name for p in wake_dir.iterdir()) == ["notes.txt"]
    assert wake_workers(wake_dir / "missing") == 0


def test_a_folder_too_long_for_a_socket_means_polling_only(tmp_path):
    listener = Listener(tmp_path / ("x" * 120))
    assert listener.sock is None
    started = time.monotonic()
    assert listener.wait(0.01) is False
    assert time.monotonic() - started >= 0.01
    listener.close()


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_starts_at_once_though_the_worker_polls_once_a_minute(settings, tmp_path, wake_dir):
    from tests.core.tasks_for_tests import sleepy

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASKS["default"]["QUEUES"]}
    }
    settings.TASK_WAKE_DIR = wake_dir
    env = server_env(tmp_path, redis=False)
    env["TASK_WAKE_DIR"] = str(wake_dir)
    cmd = [sys.executable, "manage.py", "db_worker_graceful", "--queue-name", "*", "--no-reload", "-v", "0"]
    cmd += ["--interval", "60", "--no-startup-delay"]
    worker = subprocess.Popen(cmd, env=env)
    marker = tmp_path / "started"
    try:
        deadline = time.monotonic() + 120
        while not any(wake_dir.iterdir()):
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never listened"
            time.sleep(0.1)
        time.sleep(2)  # its first look at the (empty) queue is over: it now sleeps for a minute
        sleepy.enqueue(0, str(marker))
        deadline = time.monotonic() + 30  # half the interval: only a wake-up starts it this soon
        while not marker.exists():
            assert time.monotonic() < deadline, "the task waited for the worker's next look"
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    assert not any(wake_dir.iterdir())  # the worker removed its socket on the way out
