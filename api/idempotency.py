"""Idempotency keys for posting (``Idempotency-Key`` on ``POST /api/v1/statuses``), in the database.

A key is kept for ``IDEMPOTENCY_KEY_TTL_S`` (an hour, as Mastodon keeps it) per account. ``once`` runs the
write and records the key in one transaction: if the write fails, neither is kept and the client may retry;
if two requests with one key arrive together, the second's insert waits on the unique constraint until
the first commits (PostgreSQL; SQLite serialises writers), then finds its status and answers with it.
Expired keys are deleted by ``purge_expired`` (run by ``manage.py sweep_lost_work``) and ignored before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from api.models import IdempotencyKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def once(*, account: User, key: str, write: Callable[[], int]) -> tuple[int, bool]:
    """Run ``write`` (which returns the new status id) unless this key already made a status.

    Returns (status id, True when this call made it). Call it outside any transaction: the key commits
    with the status or not at all.
    """
    digest = _digest(key)
    now = timezone.now()
    with transaction.atomic():
        IdempotencyKey.objects.filter(account=account, key=digest, expires_at__lte=now).delete()
        row = IdempotencyKey(
            account=account, key=digest, status_id=0, expires_at=now + timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_S)
        )
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            found = IdempotencyKey.objects.filter(account=account, key=digest)
            done = found.values_list("status_id", flat=True).first()
            if done is None:  # the holder rolled back between our insert and this read: the key is free
                raise
            return done, False
        status_id = write()
        IdempotencyKey.objects.filter(pk=row.pk).update(status_id=status_id)
    return status_id, True


def purge_expired() -> int:
    """Delete keys past their expiry (periodic; a stale key is already ignored by ``once``)."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
