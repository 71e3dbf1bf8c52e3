"""``manage.py prepare_translation_model``: bring the local translation engine, in the background.

``runstack`` (``make run``) starts it at the lowest CPU priority once the server is up. Idempotent and
resumable: what is already done (a cached runtime wheel, downloaded parts, a verified model) is skipped.
See translation/preparation.py and docs/translation.md.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from translation import preparation


class Command(BaseCommand):
    help = (
        "Build or reuse the llama-cpp-python wheel, install it, download, join and verify the model; "
        "progress in DATA_DIR/translation-engine.json. NOTEBRIDGE_LOCAL_MODEL=0 turns it off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-runtime", action="store_true", help="only the model, not the runtime")
        parser.add_argument("--offline", action="store_true", help="use only what is in the cache")
        parser.add_argument("--status", action="store_true", help="print the last status and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            status = preparation.read_status()
            for key, value in status.items():
                self.stdout.write(f"{key}: {value}")
            if not status:
                self.stdout.write("no preparation has run yet")
            return
        # Stopped by runstack (SIGTERM): unwind, so that a build in progress is stopped and the lock freed.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        status = preparation.prepare(
            runtime=not options["no_runtime"],
            pip_download=not options["offline"],
            out=lambda line: self.stdout.write(line),
        )
        if status["state"] == "failed":
            raise CommandError(f"translation engine not prepared: {status['message']}")
        if status["state"] in ("busy", "off"):
            self.stdout.write(f"translation engine: {status['state']}: {status['message']}")
