"""Delete what the trust app keeps only for a while: expired rate-limit counters and old security-log
entries (raw addresses)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trust.limits import purge_counters
from trust.signup import purge_security_log


class Command(BaseCommand):
    help = "Delete expired rate-limit counters and security-log entries older than SECURITY_LOG_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        counters = purge_counters()
        events = purge_security_log()
        self.stdout.write(f"deleted {counters} counters and {events} security-log entries")
