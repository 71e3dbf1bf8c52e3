"""``manage.py translations retry|rebuild|status``: operate the translation memory and jobs."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from translation import services
from translation.models import TranslationJob
from translation.selectors import translation_status


class Command(BaseCommand):
    help = "Retry due translation jobs, rebuild the translation memory, or show the status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retry", help="queue failed jobs whose retry time has come")
        rebuild = sub.add_parser("rebuild", help="forget stored translations and queue every job again")
        rebuild.add_argument("--engine", help="only this engine's translations (e.g. after a model upgrade)")
        rebuild.add_argument("--now", action="store_true", help="translate in this process instead of queueing")
        sub.add_parser("status", help="engines, queue and cache hit rate as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "retry":
            self.stdout.write(f"queued {services.retry_due_jobs()} jobs")
        elif action == "rebuild":
            count = services.rebuild(engine=options["engine"], enqueue=not options["now"])
            if options["now"]:
                ids = list(TranslationJob.objects.filter(state="pending").values_list("pk", flat=True))
                for start in range(0, len(ids), 16):
                    services.process_jobs(ids[start : start + 16])
            self.stdout.write(f"rebuilt {count} jobs")
        else:
            self.stdout.write(json.dumps(translation_status(), indent=2, default=str))
