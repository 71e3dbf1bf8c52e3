"""How trust reacts to what happens in the apps below it (subscribed in ``TrustConfig.ready``)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.events import Followed, ProfileChanged, Unfollowed, UserRegistered
from accounts.models import User
from core import standing
from core.network import client_ip
from core.tasks import enqueue_on_commit
from notes.events import CommentCreated, NoteSubmitted, UsersMentioned
from trust import links, newcomers, payloads, posts, risk, signup
from trust.models import ProfileLink
from trust.tasks import (
    assess_poster_task,
    check_impersonation_task,
    schedule_most_followed_refresh,
    schedule_newcomer_checks,
    verify_links_task,
)

# What of a profile the impersonation detector looks at (the handle is set at sign-up and never changes).
CHECKED_FIELDS = frozenset({"display_name", "avatar"})


def check_new_account(event: UserRegistered) -> None:
    """A new account's handle and display name are compared with the protected accounts in the next
    batch after it commits (trust.newcomers): a burst of sign-ups queues a job every few seconds, not
    one per account."""
    newcomers.add(event.user_id)
    schedule_newcomer_checks()


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
    """Mass following: counted per hour, the follower's risk reassessed. The followed account may have
    entered the most-followed set: a refresh is scheduled (at most once every few minutes)."""
    risk.count(user_id=event.follower_id, kind="follow")
    risk.reassess(user_id=event.follower_id)
    schedule_most_followed_refresh()


def count_unfollow(event: Unfollowed) -> None:
    risk.count(user_id=event.follower_id, kind="unfollow")
    risk.reassess(user_id=event.follower_id)


def reassess_poster(event: NoteSubmitted) -> None:
    """A young account's note: its photos or payloads may be the ones a cluster of newcomers posts, and
    its risk must be current before review screens the note (high risk holds it). Review's screening
    runs that assessment first (``core.standing.assess_poster``, ``trust.posts``), in its worker or
    inline; only where notes are not screened is it queued here, off the request either way."""
    if not standing.screens_posts():
        enqueue_on_commit(assess_poster_task, "note", event.note_id, event.author_id)


def reassess_commenter(event: CommentCreated) -> None:
    if not standing.screens_posts():
        enqueue_on_commit(assess_poster_task, "comment", event.comment_id, event.author_id)


# What of a profile can carry a payload (a contact id, a link, a price).
PAYLOAD_FIELDS = frozenset({"display_name", "bio"})


def reassess_profile_text(event: ProfileChanged) -> None:
    """A young account's changed display name or bio counts like a post of its payloads: a cluster of
    newcomers with one WeChat id in their bios is the same wave as one pushing it in comments."""
    if event.fields & PAYLOAD_FIELDS:
        posts.after_post(event.user_id, lambda: payloads.record_profile(user_id=event.user_id))


def reassess_mentioner(event: UsersMentioned) -> None:
    """Mentions of many distinct accounts by a days-old account (read from the mentions themselves)."""
    risk.reassess(user_id=event.actor_id)


def log_sign_in(sender: object, request: HttpRequest | None = None, user: User | None = None, **kwargs: object) -> None:
    """Django's ``user_logged_in``: the address goes to the short security log, and the claimed region
    is compared with where the account signs in from (``region_mismatch``)."""
    if request is None or user is None or user.pk is None:
        return
    signup.log_event("login", ip=client_ip(request), user=user)
    if user.region:
        risk.reassess(user_id=user.pk)
