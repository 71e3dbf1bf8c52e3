"""How trust reacts to what happens in the apps below it (subscribed in ``TrustConfig.ready``)."""

from __future__ import annotations

from accounts.events import ProfileChanged, UserRegistered
from core.tasks import enqueue_on_commit
from trust.tasks import check_impersonation_task

# What of a profile the impersonation detector looks at (the handle is set at sign-up and never changes).
CHECKED_FIELDS = frozenset({"display_name", "avatar"})


def check_new_account(event: UserRegistered) -> None:
    """A new account's handle and display name are compared with the protected accounts once it commits."""
    enqueue_on_commit(check_impersonation_task, event.user_id, False)


def check_changed_profile(event: ProfileChanged) -> None:
    """A changed display name or avatar is compared again (a new finding goes to review)."""
    if event.fields & CHECKED_FIELDS:
        enqueue_on_commit(check_impersonation_task, event.user_id, "avatar" in event.fields)
