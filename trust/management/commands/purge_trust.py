"""Delete what the trust app keeps only for a while: expired rate-limit counters and old security-log
entries (raw addresses), payload sightings older than the payload rule's window."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trust import payloads
from trust.limits import purge_counters
from trust.risk import config
from trust.signup import purge_security_log


class Command(BaseCommand):
    help = "Delete expired rate-limit counters and security-log entries older than SECURITY_LOG_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        counters = purge_counters()
        events = purge_security_log()
        hours = max((r[1] for r in config()["rules"].values() if r[0] == "payload"), default=24)
        sightings = payloads.purge(older_than_hours=hours)
        self.stdout.write(
            f"deleted {counters} counters, {events} security-log entries and {sightings} payload sightings"
        )
