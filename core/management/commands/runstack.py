"""Run the web server and a background worker together: the embedded default's one command.

``runstack`` supervises its children as a production supervisor would: a child that dies is started
again after a back-off (1 s, doubling up to 30 s; reset once it has run for a minute), and the web
server never goes down because the worker died. When the worker dies mid-task, the tasks it had
claimed go back on the queue before it is started again (core/task_leases.py), and every minute
tasks running past their lease are put back too. Workers run ``db_worker_graceful``, which puts its
task back rather than failing it when it is stopped mid-task. Once the server is up, the local translation
engine is prepared in the background at the lowest CPU priority (``--no-prepare`` or
``NOTEBRIDGE_LOCAL_MODEL=0`` to skip). Housekeeping commands run on their own schedule
(``periodic_commands``: ``sweep_lost_work`` every ``SWEEP_EVERY_S``, which sends rows whose task was lost
altogether back to work (core/sweeper.py); unposted videos every ``VIDEO_SWEEP_EVERY_S``), one at a time
each, at the lowest CPU priority. Ctrl-C or SIGTERM stops everything.

``--prod`` (``make run-prod``, docs/deploy.md) is the production stack on one machine: gunicorn with
``deploy/gunicorn.conf.py`` (one worker per core, JSON logs) and task workers by priority (``worker_plan``):
an *urgent* worker only ever takes screening, fan-out, notifications and media, so a long translation
or a training run never delays a note's publication, and a *background* worker takes the same queues
first and translation and housekeeping when they are empty. With Redis a third worker drains the
database queue that tasks fall back to while Redis is down (core/tasks.py).

The supervisor itself outlives a database outage: the database workers exit when PostgreSQL restarts
under them (and are started again after their back-off), and putting their tasks back, which needs the
database, is tried again every ``HOUSEKEEPING_RETRY_S`` until it is done, rather than ending runstack
and the web server with it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from core import events, queues, task_leases
from core.events import StackStarted

BACKOFF_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0
LEASE_CHECK_EVERY_S = 60.0
# While the database is down, how often the putting back of a dead worker's tasks is tried again.
HOUSEKEEPING_RETRY_S = 2.0


# Queues by priority (core/queues.py): what a user waits for, then everything else.
URGENT_QUEUES = [queues.HIGH, queues.REVIEW, queues.DEFAULT, queues.MEDIA]
BACKGROUND_QUEUES = [*URGENT_QUEUES, queues.TRANSLATION, queues.LOW]


def worker_plan(python: str, *, redis: bool, prod: bool) -> list[tuple[str, list[str]]]:
    """The task workers to run: (name, command). RQ takes its queues in the order given, every time it
    picks a job; the database worker takes the listed queues by task priority, then age."""
    if redis:
        rq = [python, "manage.py", "rqworker", "--with-scheduler"]
        plan = [("worker", [*rq, *BACKGROUND_QUEUES])]
        if prod:
            plan = [("urgent", [*rq, *URGENT_QUEUES]), ("background", [*rq, *BACKGROUND_QUEUES])]
        # Tasks queued while Redis was down wait on the database queue (core/tasks.py).
        fallback = ["--backend", "fallback", "--queue-name", "*", "--interval", "2"]
        return [*plan, ("fallback", [python, "manage.py", "db_worker_graceful", *fallback, "--no-reload", "-v", "0"])]
    db = [python, "manage.py", "db_worker_graceful", "--interval", "0.5", "--no-reload", "-v", "0"]
    if prod:
        return [
            ("urgent", [*db, "--queue-name", ",".join(URGENT_QUEUES)]),
            ("background", [*db, "--queue-name", "*"]),
        ]
    return [("worker", [*db, "--queue-name", "*"])]


def periodic_commands() -> list[tuple[str, float]]:
    """Housekeeping that runstack runs itself, as (management command, every so many seconds): the
    embedded default has no cron (docs/deploy.md lists these for installations that use one)."""
    return [("sweep_lost_work", settings.SWEEP_EVERY_S), ("sweep_videos", settings.VIDEO_SWEEP_EVERY_S)]


@dataclass
class Periodic:
    command: str
    every_s: float
    due_at: float
    proc: subprocess.Popen[bytes] | None = None

    def tick(self, now: float, python: str) -> None:
        """Start the command when it is due and its previous run has ended."""
        if now < self.due_at or (self.proc is not None and self.proc.poll() is None):
            return
        nice = ["nice", "-n", "19"] if shutil.which("nice") else []
        self.proc = subprocess.Popen([*nice, python, "manage.py", self.command])
        self.due_at = now + self.every_s


@dataclass
class Child:
    name: str
    command: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float = 0.0
    worker_id: str = ""
    starts: int = field(default=0)


class Command(BaseCommand):
    help = "Start gunicorn and a task worker, restart either if it dies, stop both on Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        # Unset: 2 workers x 4 threads, or with --prod what deploy/gunicorn.conf.py measures (one per core).
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None)
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--prod",
            action="store_true",
            help="production: gunicorn with deploy/gunicorn.conf.py, workers per queue priority (docs/deploy.md)",
        )
        parser.add_argument(
            "--no-prepare",
            action="store_true",
            help="do not prepare the local translation engine in the background (or NOTEBRIDGE_LOCAL_MODEL=0)",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Database housekeeping still to do, as (what, function): tried until the database answers.
        self.owed: list[tuple[str, Callable[[], int]]] = []
        self.owed_retry_at = 0.0

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        prod = options["prod"]
        if prod:
            conf = str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py")
            bind = f"{options['host']}:{options['port']}"
            command = [python, "-m", "gunicorn", "notebridge.wsgi:application", "-c", conf, "--bind", bind]
            for flag in ("workers", "threads"):
                if options[flag]:
                    command += [f"--{flag}", str(options[flag])]
            web = Child("web", command)
        else:
            web = self._embedded_web(python, options)
        children = [web]
        if not options["no_worker"]:
            supervisor = os.getpid()
            self._owe("tasks of a previous run", lambda: task_leases.requeue_orphans(supervisor))
            self._settle_owed(time.monotonic())
            for name, command in worker_plan(python, redis=bool(settings.REDIS_URL), prod=prod):
                children.append(Child(name, command))
        self._run(children, options)

    def _embedded_web(self, python: str, options: dict[str, Any]) -> Child:
        return Child(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "notebridge.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"] or os.environ.get("WEB_WORKERS", "2")),
                "--threads",
                str(options["threads"] or os.environ.get("WEB_THREADS", "4")),
                "--access-logfile",
                "-",
                "--timeout",
                "60",
                # Its own control socket: two instances on one machine never remove each other's.
                "--control-socket",
                str(settings.DATA_DIR / "gunicorn.ctl"),
            ],
        )

    def _run(self, children: list[Child], options: dict[str, Any]) -> None:
        python = sys.executable
        background: list[subprocess.Popen[bytes]] = []

        def stop(*_: Any) -> None:
            self.stopping = True
            for child in children:
                if child.proc is not None and child.proc.poll() is None:
                    child.proc.terminate()
            for proc in background:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for child in children:
            self._start(child)
        self.stdout.write(self.style.SUCCESS(f"Notebridge is running on http://{options['host']}:{options['port']}/"))
        # After the server is up: bring the local translation engine (translation/preparation.py) at the
        # lowest CPU priority. It exits at once when everything is there; nothing waits for it.
        if settings.LOCAL_MODEL_PREPARE and not options["no_prepare"]:
            events.emit(StackStarted(background_preparation=True))
            nice = ["nice", "-n", "19"] if shutil.which("nice") else []
            env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")}
            background.append(subprocess.Popen([*nice, python, "manage.py", "prepare_translation_model"], env=env))
            # The log translation.preparation.log_path() writes (core does not import the translation app).
            log = os.path.join(settings.DATA_DIR, "logs", "translation-engine.log")
            self.stdout.write(
                "Preparing the local translation engine in the background (about 15 minutes the first time; "
                f"progress on /ops/translation/ and in {log})."
            )
        started = time.monotonic()
        next_lease_check = started + LEASE_CHECK_EVERY_S
        # First runs one interval (at most a minute) after start, not at once: a crash loop must not run
        # them every second.
        periodic = [
            Periodic(cmd, every, started + min(every, LEASE_CHECK_EVERY_S))
            for cmd, every in periodic_commands()
            if every > 0
        ]
        try:
            while not self.stopping:
                now = time.monotonic()
                for child in children:
                    self._watch(child, now)
                if now >= next_lease_check:
                    next_lease_check = now + LEASE_CHECK_EVERY_S
                    self._owe("tasks past their lease", task_leases.requeue_expired)
                self._settle_owed(now)
                for job in periodic:
                    job.tick(now, python)
                    if job.proc is not None and job.proc not in background:
                        background.append(job.proc)
                time.sleep(0.5)
        finally:
            stop()
            for proc in [c.proc for c in children if c.proc is not None] + background:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def _owe(self, what: str, function: Callable[[], int]) -> None:
        self.owed.append((what, function))

    def _settle_owed(self, now: float) -> None:
        """Do the database housekeeping owed, in order; while the database is down, try again later."""
        if not self.owed or now < self.owed_retry_at:
            return
        while self.owed:
            what, function = self.owed[0]
            try:
                put_back = function()
            except DatabaseError as error:
                # A connection broken by a restart is not reused: the next try opens a new one.
                connections.close_all()
                self.owed_retry_at = now + HOUSEKEEPING_RETRY_S
                self.stderr.write(f"runstack: putting back {what} failed ({type(error).__name__}); trying again")
                return
            self.owed.pop(0)
            if put_back:
                self.stderr.write(f"runstack: {put_back} {what} put back on the queue")

    def _start(self, child: Child) -> None:
        command = list(child.command)
        if "db_worker_graceful" in command:
            child.worker_id = task_leases.worker_id(os.getpid(), f"{child.name}{child.starts}")
            command += ["--worker-id", child.worker_id]
        child.starts += 1
        child.proc = subprocess.Popen(command)
        child.started_at = time.monotonic()

    def _watch(self, child: Child, now: float) -> None:
        if child.proc is None:
            if now >= child.restart_at and not self.stopping:
                self._start(child)
            return
        code = child.proc.poll()
        if code is None:
            if child.failures and now - child.started_at > HEALTHY_AFTER_S:
                child.failures = 0
            return
        if self.stopping:
            return
        child.failures += 1
        delay = min(BACKOFF_MAX_S, 2.0 ** (child.failures - 1))
        self.stderr.write(f"runstack: {child.name} exited with code {code}; starting it again in {delay:.0f} s")
        if child.worker_id:
            dead = child.worker_id
            self._owe(f"tasks of {child.name}, which died", lambda: task_leases.requeue_tasks_of(dead))
            self._settle_owed(now)
        child.proc = None
        child.restart_at = now + delay
