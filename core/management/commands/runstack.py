"""Run the web server and a background worker together: the embedded default's one command."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start gunicorn and a task worker; stop both on Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument(
            "--no-prepare",
            action="store_true",
            help="do not prepare the local translation engine in the background (or NOTEBRIDGE_LOCAL_MODEL=0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "notebridge.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        if settings.REDIS_URL:
            worker = [python, "manage.py", "rqworker", "high", "default", "media", "review", "translation", "low"]
        else:
            worker = [
                python,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.5",
                "--no-reload",
                "-v",
                "0",
            ]
        procs = [subprocess.Popen(web)]
        if not options["no_worker"]:
            procs.append(subprocess.Popen(worker))
        self.stdout.write(self.style.SUCCESS(f"Notebridge is running on http://{options['host']}:{options['port']}/"))
        # After the server is up: bring the local translation engine (translation/preparation.py) at the
        # lowest CPU priority. It exits at once when everything is there; nothing waits for it.
        background: list[subprocess.Popen[bytes]] = []
        if settings.LOCAL_MODEL_PREPARE and not options["no_prepare"]:
            nice = ["nice", "-n", "19"] if shutil.which("nice") else []
            env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")}
            background.append(subprocess.Popen([*nice, python, "manage.py", "prepare_translation_model"], env=env))
            self.stdout.write(
                "Preparing the local translation engine in the background (about 15 minutes the first time; "
                "progress on /ops/translation/ and in var/logs/translation-engine.log)."
            )

        def stop(*_: Any) -> None:
            for proc in procs + background:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            stop()
            for proc in procs + background:
                proc.wait(timeout=20)
