"""Records of the trust app (docs/trust.md)."""

from __future__ import annotations

from django.db import models

# --- rate limits and sign-up defence (trust/limits.py, trust/signup.py, trust/waitlist.py) -------------


class RateCounter(models.Model):
    """One fixed window of one rate-limit key: the database store of ``trust.limits`` (the embedded
    default, where every web worker and the task worker share the SQLite file). Rows expire after two
    windows and are purged as new ones are written (and by ``manage.py purge_trust``)."""

    key = models.CharField(max_length=200)
    bucket = models.BigIntegerField()  # the window's number: its start in seconds divided by its length
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="trust_ratecounter_key_bucket")]

    def __str__(self) -> str:
        return f"{self.key}@{self.bucket}={self.count}"
