"""How feeds react to notes and follows (subscribed in ``FeedsConfig.ready``)."""

from __future__ import annotations

from accounts.events import Followed, Unfollowed
from core.tasks import enqueue_on_commit
from feeds import services, tasks
from feeds.timelines import store
from notes.events import NotePublished, NoteSubmitted, TagFollowed, TagUnfollowed


def own_entry_at_once(event: NoteSubmitted) -> None:
    """The author reads their own write: their timeline entry is written in the posting transaction
    (their pending note is visible to them), not left to the fan-out worker."""
    if not event.edit:
        store().add([event.author_id], event.note_id, event.author_id)


def fan_out_published(event: NotePublished) -> None:
    if event.first_time:
        enqueue_on_commit(tasks.fan_out_note, event.note_id)


def backfill_followed(event: Followed) -> None:
    enqueue_on_commit(tasks.backfill_follow, event.follower_id, event.followee_id)


def drop_unfollowed(event: Unfollowed) -> None:
    services.remove_author_from_timeline(user_id=event.follower_id, author_id=event.followee_id)


def backfill_followed_tag(event: TagFollowed) -> None:
    enqueue_on_commit(tasks.backfill_tag_follow, event.user_id, event.tag_id)


def drop_unfollowed_tag(event: TagUnfollowed) -> None:
    services.drop_tag_from_timeline(user_id=event.user_id, tag_id=event.tag_id)
