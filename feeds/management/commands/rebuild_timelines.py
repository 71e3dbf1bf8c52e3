from typing import Any

from django.core.management.base import BaseCommand

from feeds.services import rebuild_all, rebuild_timeline


class Command(BaseCommand):
    help = "Rebuild home timelines from the follow graph (all users, or --user ID)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            count = rebuild_timeline(user_id=options["user"])
        else:
            count = rebuild_all()
        self.stdout.write(f"{count} timeline entries written")
