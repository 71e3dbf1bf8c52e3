from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.videos import sweep_unposted_videos


class Command(BaseCommand):
    help = "Delete uploaded videos (files and rows) never posted with a note, older than VIDEO_UNPOSTED_HOURS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help=f"age in hours (default VIDEO_UNPOSTED_HOURS, now {settings.VIDEO_UNPOSTED_HOURS:g})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if hours is not None and hours < 0:
            raise CommandError("--hours cannot be negative.")
        self.stdout.write(f"{sweep_unposted_videos(older_than_hours=hours)} unposted video(s) swept")
