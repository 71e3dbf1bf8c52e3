"""Home timeline storage: a table on the embedded default, Redis sorted sets at scale.

Both stores hold note ids per user, newest first, capped at ``TIMELINE_MAX_LENGTH``. Ids are
time-sortable, so the id is the sort key and cursors (max_id / since_id / min_id) are plain ids.

While Redis is down (core/redis_outage.py) a page of a home timeline is pulled from the database
instead: the newest published notes of the people the reader follows and their own, by the same
cursors (``pulled_page``; followed tags are left out until Redis is back). Writes to the sorted sets
raise, so the fan-out task that made them is retried by its queue and nothing is lost.

Redis that comes back empty (it was restarted without persistence, or flushed) has lost every home
timeline, and the fan-out of later notes would leave each reader a timeline holding only those. So the
sorted sets count as complete only while the key ``nb:tl:complete`` exists (set when a rebuild of all
timelines finishes, and by ``rebuild_timelines``). When a reader finds it missing, one rebuild of every
active reader's timeline is queued (``feeds.tasks.rebuild_lost_timelines``, one at a time: a lock key
with a token), readers are served ``pulled_page`` until their own timeline is rebuilt (the set
``nb:tl:rebuilt``), and the most recently active readers are rebuilt first (docs/deploy.md).
"""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from typing import Protocol

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Q

from accounts.models import Follow
from core import redis_outage
from feeds.models import TimelineEntry
from notes.models import Note, NoteState

logger = logging.getLogger("notebridge.feeds")

COMPLETE_KEY = "nb:tl:complete"
REBUILT_KEY = "nb:tl:rebuilt"
REBUILDING_KEY = "nb:tl:rebuilding"


class TimelineStore(Protocol):
    def add(self, user_ids: list[int], note_id: int, author_id: int) -> int: ...
    def add_many(self, user_id: int, entries: list[tuple[int, int]]) -> int: ...
    def page(
        self, user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[int]: ...
    def remove_note(self, note_id: int) -> None: ...
    def remove_author(self, user_id: int, author_id: int) -> None: ...
    def remove_entries(self, user_id: int, entries: list[tuple[int, int]]) -> None: ...
    def clear(self, user_id: int) -> None: ...
    def mark_complete(self) -> None: ...


class DatabaseTimelines:
    def add(self, user_ids: list[int], note_id: int, author_id: int) -> int:
        rows = [TimelineEntry(user_id=u, note_id=note_id, author_id=author_id) for u in user_ids]
        TimelineEntry.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return len(rows)

    def add_many(self, user_id: int, entries: list[tuple[int, int]]) -> int:
        rows = [TimelineEntry(user_id=user_id, note_id=n, author_id=a) for n, a in entries]
        TimelineEntry.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return len(rows)

    def page(
        self, user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[int]:
        # Hand-written: this runs on every home-timeline request, and building the ORM query cost
        # several times what SQLite or PostgreSQL spend answering it (docs/benchmarks.md).
        where, params = ["user_id = %s"], [user_id]
        for op, bound in (("<", max_id), (">", since_id), (">", min_id)):
            if bound is not None:
                where.append(f"note_id {op} %s")
                params.append(bound)
        # With min_id: oldest first just above it, returned newest first (Mastodon's min_id semantics).
        order = "ASC" if min_id is not None else "DESC"
        # Only the table name and fixed fragments are formatted in; every value is a parameter.
        sql = (
            f"SELECT note_id FROM {TimelineEntry._meta.db_table} WHERE {' AND '.join(where)} "  # noqa: S608
            f"ORDER BY note_id {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            ids = [row[0] for row in cursor.fetchall()]
        return ids[::-1] if min_id is not None else ids

    def remove_note(self, note_id: int) -> None:
        TimelineEntry.objects.filter(note_id=note_id).delete()

    def remove_author(self, user_id: int, author_id: int) -> None:
        TimelineEntry.objects.filter(user_id=user_id, author_id=author_id).delete()

    def remove_entries(self, user_id: int, entries: list[tuple[int, int]]) -> None:
        """Remove (note id, author id) entries from one timeline."""
        ids = [n for n, _a in entries]
        for start in range(0, len(ids), 500):
            TimelineEntry.objects.filter(user_id=user_id, note_id__in=ids[start : start + 500]).delete()

    def clear(self, user_id: int) -> None:
        TimelineEntry.objects.filter(user_id=user_id).delete()

    def mark_complete(self) -> None:
        """The table is never lost apart from the notes; nothing to mark."""
        return None

    def trim(self, user_id: int) -> None:
        cutoff = (
            TimelineEntry.objects.filter(user_id=user_id)
            .order_by("-note_id")
            .values_list("note_id", flat=True)[settings.TIMELINE_MAX_LENGTH : settings.TIMELINE_MAX_LENGTH + 1]
        )
        edge = list(cutoff)
        if edge:
            TimelineEntry.objects.filter(user_id=user_id, note_id__lte=edge[0]).delete()


class RedisTimelines:
    """``tl:{user}`` is a sorted set of note ids scored by id; ``tla:{user}:{author}`` tracks an author's."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.cap = settings.TIMELINE_MAX_LENGTH

    def _key(self, user_id: int) -> str:
        return f"nb:tl:{user_id}"

    def _check(self) -> None:
        """Fail at once while this process knows Redis is down: the caller's task is retried later."""
        if not redis_outage.available():
            raise redis.exceptions.ConnectionError("Redis unavailable (recent failure)")

    def add(self, user_ids: list[int], note_id: int, author_id: int) -> int:
        self._check()
        pipe = self.redis.pipeline(transaction=False)
        member = f"{note_id}:{author_id}"
        for u in user_ids:
            pipe.zadd(self._key(u), {member: note_id})
            pipe.zremrangebyrank(self._key(u), 0, -self.cap - 1)
        pipe.execute()
        return len(user_ids)

    def add_many(self, user_id: int, entries: list[tuple[int, int]]) -> int:
        if not entries:
            return 0
        self._check()
        self.redis.zadd(self._key(user_id), {f"{n}:{a}": n for n, a in entries})
        self.redis.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)
        return len(entries)

    def page(
        self, user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[int]:
        if redis_outage.available():
            try:
                ids = self._page(user_id, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
                if ids is None:
                    self._lost()
                    # The rebuild may already have run (a queue that runs tasks at once); else read the notes.
                    ids = self._page(user_id, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
                if ids is not None:
                    return ids
            except redis_outage.ERRORS as error:
                redis_outage.failed("home timeline", error)
        return pulled_page(user_id, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)

    def _page(
        self, user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[int] | None:
        """The page from the sorted set, or None when Redis does not hold this reader's whole timeline
        (lost with an empty restart and not rebuilt yet). One round trip: the checks ride with the read."""
        key = self._key(user_id)
        high = f"({max_id}" if max_id is not None else "+inf"
        pipe = self.redis.pipeline(transaction=False)
        pipe.exists(COMPLETE_KEY)
        pipe.sismember(REBUILT_KEY, str(user_id))
        if min_id is not None:
            pipe.zrangebyscore(key, f"({min_id}", high, start=0, num=limit)
        else:
            low = f"({since_id}" if since_id is not None else "-inf"
            pipe.zrevrangebyscore(key, high, low, start=0, num=limit)
        complete, rebuilt, members = pipe.execute()
        if not complete and not rebuilt:
            return None
        ids = [_note_id(m) for m in members]
        return ids[::-1] if min_id is not None else ids

    def _lost(self) -> None:
        """Queue one rebuild of every timeline, unless one is already under way."""
        token = uuid.uuid4().hex
        if not self.redis.set(REBUILDING_KEY, token, nx=True, ex=settings.TIMELINE_REBUILD_LOCK_S):
            return
        logger.warning(
            "home timelines are missing from Redis (restarted empty?): rebuilding them from the database; "
            "readers are served from the notes meanwhile"
        )
        from feeds.tasks import rebuild_lost_timelines  # import cycle: feeds.tasks -> services -> timelines

        rebuild_lost_timelines.enqueue(token)

    def rebuild_owner(self, token: str) -> bool:
        """Whether the rebuild holding ``token`` still owns the lock (an empty restart drops it), and
        keep the lock for another ``TIMELINE_REBUILD_LOCK_S``."""
        raw = self.redis.get(REBUILDING_KEY)
        owner = (raw.decode() if isinstance(raw, bytes) else raw) == token
        if owner:
            self.redis.expire(REBUILDING_KEY, settings.TIMELINE_REBUILD_LOCK_S)
        return owner

    def mark_rebuilt(self, user_id: int) -> None:
        self.redis.sadd(REBUILT_KEY, user_id)

    def mark_complete(self) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(COMPLETE_KEY, 1)
        pipe.delete(REBUILT_KEY, REBUILDING_KEY)
        pipe.execute()

    def remove_note(self, note_id: int) -> None:
        # Deleted notes are dropped when hydrated (they no longer exist); nothing to scan here.
        return None

    def remove_author(self, user_id: int, author_id: int) -> None:
        self._check()
        key = self._key(user_id)
        suffix = f":{author_id}".encode()
        stale = [m for m in self.redis.zrange(key, 0, -1) if bytes(m).endswith(suffix)]  # type: ignore[arg-type]
        if stale:
            self.redis.zrem(key, *stale)  # type: ignore[arg-type]

    def remove_entries(self, user_id: int, entries: list[tuple[int, int]]) -> None:
        if entries:
            self._check()
            self.redis.zrem(self._key(user_id), *[f"{n}:{a}" for n, a in entries])

    def clear(self, user_id: int) -> None:
        self._check()
        self.redis.delete(self._key(user_id))


def pulled_page(user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int) -> list[int]:
    """A page of a home timeline read from the notes themselves (the fallback while Redis is down):
    two queries, the follow list and the newest notes by those authors (index ``author, -id``)."""
    followed = list(Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True))
    # The reader's own notes in any state, as their own timeline entry has them (the selectors' access
    # gate then shows them what they may see: their pending notes, not their removed ones).
    qs = Note.objects.filter(Q(author_id=user_id) | Q(author_id__in=followed, state=NoteState.PUBLISHED))
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    if since_id is not None:
        qs = qs.filter(id__gt=since_id)
    if min_id is not None:
        return list(qs.filter(id__gt=min_id).order_by("id").values_list("id", flat=True)[:limit])[::-1]
    return list(qs.order_by("-id").values_list("id", flat=True)[:limit])


def _note_id(member: object) -> int:
    raw = member.decode() if isinstance(member, bytes) else str(member)
    return int(raw.split(":", 1)[0])


@lru_cache(maxsize=1)
def store() -> DatabaseTimelines | RedisTimelines:
    if settings.TIMELINE_BACKEND == "redis":
        return RedisTimelines(settings.REDIS_URL)
    return DatabaseTimelines()
