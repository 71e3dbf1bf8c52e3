"""Writes to feeds: fan-out on write, backfill on follow, rebuild."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F, Q

from accounts.models import Block, Follow, Mute, User
from feeds.timelines import RedisTimelines, store
from notes.models import Note, NoteState, NoteTag, TagFollow, Visibility

logger = logging.getLogger("notebridge.feeds")
BACKFILL_NOTES = 20


def fan_out(*, note_id: int) -> int:
    """Insert a published note into the author's and every follower's home timeline. Idempotent."""
    note = Note.objects.filter(pk=note_id).values("author_id", "state", "visibility").first()
    if note is None or note["state"] != NoteState.PUBLISHED:
        return 0
    author_id = note["author_id"]
    recipients = [author_id, *Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)]
    if note["visibility"] == Visibility.PUBLIC:
        recipients = list(dict.fromkeys([*recipients, *tag_followers(note_id=note_id, author_id=author_id)]))
    inserted = 0
    for start in range(0, len(recipients), 1000):
        inserted += store().add(recipients[start : start + 1000], note_id, author_id)
    return inserted


def backfill(*, follower_id: int, followee_id: int) -> int:
    recent = (
        Note.objects.filter(author_id=followee_id, state=NoteState.PUBLISHED)
        .order_by("-id")
        .values_list("id", flat=True)[:BACKFILL_NOTES]
    )
    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return 0
    return store().add_many(follower_id, [(n, followee_id) for n in recent])


def _shut_out(author_id: int) -> set[int]:
    """Users who must not get ``author_id``'s notes by a followed tag: blocked either way, or muting them."""
    blocks = Block.objects.filter(Q(blocker_id=author_id) | Q(blocked_id=author_id)).values_list(
        "blocker_id", "blocked_id"
    )
    out = {b if a == author_id else a for a, b in blocks}
    out.update(Mute.objects.filter(muted_id=author_id).values_list("muter_id", flat=True))
    return out


def tag_followers(*, note_id: int, author_id: int) -> list[int]:
    """Followers of any of the note's tags who may get it: not blocked with the author, not muting them.
    Public notes only (the caller checks); withholding by country is applied when the timeline is read."""
    tag_ids = list(NoteTag.objects.filter(note_id=note_id).values_list("tag_id", flat=True))
    if not tag_ids:
        return []
    users = set(TagFollow.objects.filter(tag_id__in=tag_ids, user__is_active=True).values_list("user_id", flat=True))
    if not users:
        return []
    return sorted(users - _shut_out(author_id))


def _hidden_for(user_id: int) -> set[int]:
    blocks = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list("blocker_id", "blocked_id")
    out = {b if a == user_id else a for a, b in blocks}
    out.update(Mute.objects.filter(muter_id=user_id).values_list("muted_id", flat=True))
    return out


def _tag_notes(tag_ids: list[int], *, limit: int) -> list[tuple[int, int]]:
    """(note id, author id) of the newest public, published notes with any of ``tag_ids``."""
    if not tag_ids:
        return []
    return list(
        Note.objects.public()
        .filter(notetag__tag_id__in=tag_ids)
        .order_by("-id")
        .values_list("id", "author_id")
        .distinct()[:limit]
    )


def backfill_tag(*, user_id: int, tag_id: int) -> int:
    """After a tag follow: its recent public notes into the user's home timeline (not from authors
    the user blocked, was blocked by or muted). Idempotent; nothing when the follow is gone."""
    if not TagFollow.objects.filter(user_id=user_id, tag_id=tag_id).exists():
        return 0
    hidden = _hidden_for(user_id)
    rows = [(n, a) for n, a in _tag_notes([tag_id], limit=BACKFILL_NOTES * 2) if a not in hidden]
    return store().add_many(user_id, rows[:BACKFILL_NOTES])


def drop_tag_from_timeline(*, user_id: int, tag_id: int) -> int:
    """After a tag unfollow: the tag's notes leave the home timeline, except those that are there for
    another reason (the user's own, a followed author's, another followed tag's)."""
    keep_authors = {user_id, *Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True)}
    other_tags = list(TagFollow.objects.filter(user_id=user_id).exclude(tag_id=tag_id).values_list("tag_id", flat=True))
    candidates = [(n, a) for n, a in _tag_notes([tag_id], limit=settings.TIMELINE_MAX_LENGTH) if a not in keep_authors]
    if other_tags and candidates:
        also = set(
            NoteTag.objects.filter(note_id__in=[n for n, _a in candidates], tag_id__in=other_tags).values_list(
                "note_id", flat=True
            )
        )
        candidates = [(n, a) for n, a in candidates if n not in also]
    store().remove_entries(user_id, candidates)
    return len(candidates)


def remove_author_from_timeline(*, user_id: int, author_id: int) -> None:
    store().remove_author(user_id, author_id)


def rebuild_timeline(*, user_id: int) -> int:
    """Rebuild one home timeline from the follow graph (derived data)."""
    s = store()
    s.clear(user_id)
    authors = [user_id, *Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True)]
    rows = list(
        Note.objects.filter(author_id__in=authors, state=NoteState.PUBLISHED)
        .order_by("-id")
        .values_list("id", "author_id")[: settings.TIMELINE_MAX_LENGTH]
    )
    tags = list(TagFollow.objects.filter(user_id=user_id).values_list("tag_id", flat=True))
    if tags:
        hidden = _hidden_for(user_id)
        by_tag = _tag_notes(tags, limit=settings.TIMELINE_MAX_LENGTH)
        rows = sorted({*rows, *((n, a) for n, a in by_tag if a not in hidden)}, reverse=True)
        rows = rows[: settings.TIMELINE_MAX_LENGTH]
    return s.add_many(user_id, rows)


def rebuild_all() -> int:
    total = 0
    for user_id in User.objects.filter(is_active=True).values_list("id", flat=True).iterator():
        total += rebuild_timeline(user_id=user_id)
    store().mark_complete()
    return total


def rebuild_lost_timelines(token: str) -> int:
    """Rebuild every active reader's home timeline after Redis lost them (feeds/timelines.py), the most
    recently active first; each reader reads their timeline from Redis again as soon as theirs is done.
    Stops when the lock it was queued with is gone or taken over (another empty restart queues anew).
    Returns the number of timelines rebuilt."""
    s = store()
    if not isinstance(s, RedisTimelines):
        return 0
    readers = (
        User.objects.filter(is_active=True)
        .order_by(F("last_login").desc(nulls_last=True), "-id")
        .values_list("id", flat=True)
    )
    done = 0
    for user_id in readers.iterator():
        if not s.rebuild_owner(token):
            logger.warning("timeline rebuild %s stopped after %s readers: its lock is gone", token, done)
            return done
        rebuild_timeline(user_id=user_id)
        s.mark_rebuilt(user_id)
        done += 1
    if s.rebuild_owner(token):
        s.mark_complete()
        logger.info("home timelines rebuilt in Redis: %s readers", done)
    return done
