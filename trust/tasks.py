"""Trust tasks. They take ids and call one service; each is idempotent."""

from __future__ import annotations

from core import queues
from core.tasks import background_task
from trust.impersonation import check_account, recheck_against


@background_task(queue_name=queues.REVIEW)
def check_impersonation_task(user_id: int, check_avatar: bool = True) -> int:
    """Compare the account with the protected ones; returns how many new findings went to review."""
    return len(check_account(user_id=user_id, check_avatar=check_avatar))


@background_task(queue_name=queues.LOW)
def recheck_against_task(protected_id: int) -> int:
    """A newly verified account: compare recent accounts with it; returns how many new findings."""
    return recheck_against(protected_id=protected_id)
