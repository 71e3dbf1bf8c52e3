"""How trust reacts to what happens in the apps below it (subscribed in ``TrustConfig.ready``)."""

from __future__ import annotations

from accounts.events import Followed, ProfileChanged, Unfollowed, UserRegistered
from core.tasks import enqueue_on_commit
from notes.events import UsersMentioned
from trust import risk
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


def count_follow(event: Followed) -> None:
    """Mass following: counted per hour, the follower's risk reassessed."""
    risk.count(user_id=event.follower_id, kind="follow")
    risk.reassess(user_id=event.follower_id)


def count_unfollow(event: Unfollowed) -> None:
    risk.count(user_id=event.follower_id, kind="unfollow")
    risk.reassess(user_id=event.follower_id)


def reassess_mentioner(event: UsersMentioned) -> None:
    """Mentions of many distinct accounts by a days-old account (read from the mentions themselves)."""
    risk.reassess(user_id=event.actor_id)
