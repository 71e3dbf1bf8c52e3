"""Home timeline storage: a table on the embedded default, Redis sorted sets at scale.

Both stores hold note ids per user, newest first, capped at ``TIMELINE_MAX_LENGTH``. Ids are
time-sortable, so the id is the sort key and cursors (max_id / since_id / min_id) are plain ids.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from django.conf import settings

from feeds.models import TimelineEntry


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
        qs = TimelineEntry.objects.filter(user_id=user_id)
        if max_id is not None:
            qs = qs.filter(note_id__lt=max_id)
        if since_id is not None:
            qs = qs.filter(note_id__gt=since_id)
        if min_id is not None:
            # Oldest first just above min_id, returned newest first (Mastodon's min_id semantics).
            ids = list(qs.filter(note_id__gt=min_id).order_by("note_id").values_list("note_id", flat=True)[:limit])
            return ids[::-1]
        return list(qs.order_by("-note_id").values_list("note_id", flat=True)[:limit])

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
        import redis

        self.redis = redis.Redis.from_url(url)
        self.cap = settings.TIMELINE_MAX_LENGTH

    def _key(self, user_id: int) -> str:
        return f"nb:tl:{user_id}"

    def add(self, user_ids: list[int], note_id: int, author_id: int) -> int:
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
        self.redis.zadd(self._key(user_id), {f"{n}:{a}": n for n, a in entries})
        self.redis.zremrangebyrank(self._key(user_id), 0, -self.cap - 1)
        return len(entries)

    def page(
        self, user_id: int, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[int]:
        key = self._key(user_id)
        high = f"({max_id}" if max_id is not None else "+inf"
        if min_id is not None:
            members = self.redis.zrangebyscore(key, f"({min_id}", high, start=0, num=limit)
            return [_note_id(m) for m in members][::-1]
        low = f"({since_id}" if since_id is not None else "-inf"
        members = self.redis.zrevrangebyscore(key, high, low, start=0, num=limit)
        return [_note_id(m) for m in members]

    def remove_note(self, note_id: int) -> None:
        # Deleted notes are dropped when hydrated (they no longer exist); nothing to scan here.
        return None

    def remove_author(self, user_id: int, author_id: int) -> None:
        key = self._key(user_id)
        suffix = f":{author_id}".encode()
        stale = [m for m in self.redis.zrange(key, 0, -1) if bytes(m).endswith(suffix)]  # type: ignore[arg-type]
        if stale:
            self.redis.zrem(key, *stale)  # type: ignore[arg-type]

    def remove_entries(self, user_id: int, entries: list[tuple[int, int]]) -> None:
        if entries:
            self.redis.zrem(self._key(user_id), *[f"{n}:{a}" for n, a in entries])

    def clear(self, user_id: int) -> None:
        self.redis.delete(self._key(user_id))


def _note_id(member: object) -> int:
    raw = member.decode() if isinstance(member, bytes) else str(member)
    return int(raw.split(":", 1)[0])


@lru_cache(maxsize=1)
def store() -> DatabaseTimelines | RedisTimelines:
    if settings.TIMELINE_BACKEND == "redis":
        return RedisTimelines(settings.REDIS_URL)
    return DatabaseTimelines()
