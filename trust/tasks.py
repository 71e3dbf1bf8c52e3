"""Trust tasks. They take ids and call one service; each is idempotent."""

from __future__ import annotations

from core import queues
from core.tasks import background_task
from trust.impersonation import check_account


@background_task(queue_name=queues.REVIEW)
def check_impersonation_task(user_id: int, check_avatar: bool = True) -> int:
    """Compare the account with the protected ones; returns how many new findings went to review."""
    return len(check_account(user_id=user_id, check_avatar=check_avatar))
