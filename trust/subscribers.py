"""How trust reacts to what happens in the apps below it (subscribed in ``TrustConfig.ready``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.events import Followed, ProfileChanged, Unfollowed, UserRegistered
from accounts.models import User
from core.tasks import enqueue_on_commit
from notes.events import CommentCreated, NoteSubmitted, UsersMentioned
from trust import links, risk
from trust.models import ProfileLink
from trust.tasks import check_impersonation_task, verify_links_task

# What of a profile the impersonation detector looks at (the handle is set at sign-up and never changes).
CHECKED_FIELDS = frozenset({"display_name", "avatar"})


def check_new_account(event: UserRegistered) -> None:
    """A new account's handle and display name are compared with the protected accounts once it commits."""
    enqueue_on_commit(check_impersonation_task, event.user_id, False)


def check_changed_profile(event: ProfileChanged) -> None:
    """A changed display name or avatar is compared again (a new finding goes to review)."""
    if event.fields & CHECKED_FIELDS:
        enqueue_on_commit(check_impersonation_task, event.user_id, "avatar" in event.fields)


def verify_links(event: ProfileChanged) -> None:
    """A changed bio: its links are checked for a rel="me" link back, off the request."""
    if "bio" not in event.fields:
        return
    bio = User.objects.filter(pk=event.user_id).values_list("bio", flat=True).first() or ""
    if links.profile_urls(bio) or ProfileLink.objects.filter(user_id=event.user_id).exists():
        enqueue_on_commit(verify_links_task, event.user_id)


def count_follow(event: Followed) -> None:
    """Mass following: counted per hour, the follower's risk reassessed."""
    risk.count(user_id=event.follower_id, kind="follow")
    risk.reassess(user_id=event.follower_id)


def count_unfollow(event: Unfollowed) -> None:
    risk.count(user_id=event.follower_id, kind="unfollow")
    risk.reassess(user_id=event.follower_id)


def _young(user_id: int) -> bool:
    joined = User.objects.filter(pk=user_id).values_list("date_joined", flat=True).first()
    return joined is not None and joined >= timezone.now() - timedelta(days=risk.config()["young_days"])


def reassess_poster(event: NoteSubmitted) -> None:
    """A young account's note: its photos may be the ones a cluster of newcomers posts, and its risk
    must be current before review screens the note (high risk holds it)."""
    if _young(event.author_id):
        risk.reassess(user_id=event.author_id)


def reassess_commenter(event: CommentCreated) -> None:
    if _young(event.author_id):
        risk.reassess(user_id=event.author_id)


def reassess_mentioner(event: UsersMentioned) -> None:
    """Mentions of many distinct accounts by a days-old account (read from the mentions themselves)."""
    risk.reassess(user_id=event.actor_id)
