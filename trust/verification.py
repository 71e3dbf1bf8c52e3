"""Admin-granted verification badges for official accounts (docs/trust.md). Verified accounts show a
badge in pages and in the Mastodon Account entity, and are protected by the impersonation detector."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.events import ProfileChanged
from accounts.models import User
from core import events
from core.errors import NotFound
from core.tasks import enqueue_on_commit
from trust.tasks import recheck_against_task


def _get(username: str) -> User:
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None:
        raise NotFound(f"No account named {username!r}.")
    return user


@transaction.atomic
def verify_account(*, username: str) -> User:
    """Grant the badge (idempotent: the first grant's time is kept). Accounts that joined recently are
    then compared with the newly protected one (a task on the low queue)."""
    user = _get(username)
    if user.verified_at is None:
        user.verified_at = timezone.now()
        user.save(update_fields=["verified_at"])
        # Whoever caches the account (API entities) hears that it changed.
        events.emit(ProfileChanged(user_id=user.pk, fields=frozenset({"verified"})))
        enqueue_on_commit(recheck_against_task, user.pk)
    return user


@transaction.atomic
def revoke_verification(*, username: str) -> User:
    user = _get(username)
    if user.verified_at is not None:
        user.verified_at = None
        user.save(update_fields=["verified_at"])
        events.emit(ProfileChanged(user_id=user.pk, fields=frozenset({"verified"})))
    return user
