"""Reads about notes: what a viewer may see, hydrated in batches, cached.

Every read path (feeds, note pages, search, profiles, notifications, both APIs) goes through
``visible_notes`` / ``filter_visible_ids`` so the rules live in one place.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, router
from django.db.models import Count, F, Model, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Follow, User
from accounts.selectors import blocked_ids, following_ids, hidden_author_ids
from core import languages as content_languages
from core import rows
from core.language_detection import detect_language_cached
from core.text import normalize_tag, script_variants
from notes import note_copy
from notes.models import (
    Board,
    Collect,
    Comment,
    CommentLike,
    Like,
    Note,
    NoteState,
    NoteTag,
    Photo,
    Place,
    Tag,
    TagFollow,
    Video,
    VideoState,
    Visibility,
)

T = TypeVar("T", User, Tag, Board)

# v5: plain rows (see _packed); v4: the video (select_related); v3: ip_country. A new key never meets an old value
NOTE_KEY = "note:v5:{}"


def forget_note(note_id: int) -> None:
    key = NOTE_KEY.format(note_id)
    cache.delete(key)
    note_copy.changed(note_id, key)


def _base_queryset() -> QuerySet[Note]:
    # Tags in one stated order (their ids: the order SQLite's plan gave before it was stated), so a note
    # rendered from the tags in hand (get_own_new_note) shows them as a read from the database does.
    return Note.objects.select_related("author", "place", "video").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
        Prefetch("tags", queryset=Tag.objects.order_by("id")),
    )


# A cached note is its rows as tuples of column values (each model's concrete fields, in order), not
# pickled model instances: unpickling a model instance looks its class up in the app registry and runs
# its __setstate__, and a feed page unpickled about 90 of them (25 notes with authors, tags, photos),
# the largest single cost of a warm home-timeline request (docs/benchmarks.md, "Home timeline profile").
Row = tuple | None  # type: ignore[type-arg]
Packed = tuple[str, tuple, tuple, Row, list[tuple], list[tuple], Row]  # type: ignore[type-arg]


def _row(obj: Model) -> tuple:  # type: ignore[type-arg]
    values = obj.__dict__
    return tuple(values[name] for name in rows.attnames(type(obj)))


_instance = rows.instance


def _packed(note: Note) -> Packed:
    """What the cache holds: the note's, its author's, place's, photos', tags' and video's rows."""
    return (
        note._state.db or "default",
        _row(note),
        _row(note.author),
        _row(note.place) if note.place is not None else None,
        [_row(p) for p in note.photos.all()],  # type: ignore[misc]
        [_row(t) for t in note.tags.all()],  # type: ignore[misc]
        _row(video) if (video := note.attached_video) is not None else None,
    )


def note_rows(note: Note) -> Packed:
    """Everything a note is shown from, as plain rows (what the note cache holds): serialisers key
    their own caches on it, so any change to any of these rows is a new key."""
    return _packed(note)


# What _unpacked's querysets start from: one empty QuerySet per model. Building a QuerySet (and its
# Query) costs more than the rest of unpacking a note, and a filled result cache never reads the Query;
# anything chained from such a queryset (.filter, .order_by) clones the Query first, so the shared one is
# never changed. The dicts a queryset may update in place are its own.
_EMPTY = {model: QuerySet(model=model).__dict__ for model in (Photo, Tag)}


def _results(model: type[Photo] | type[Tag], rows: list) -> QuerySet:
    qs: QuerySet = QuerySet.__new__(QuerySet)
    qs.__dict__.update(_EMPTY[model], _result_cache=rows, _prefetch_done=True, _hints={}, _known_related_objects={})
    return qs


def _attach(note: Note, photos: list[Photo], tags: list[Tag], video: Video | None) -> Note:
    # The same shape a prefetch gives: note.photos.all() / note.tags.all() answer from memory.
    note._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "photos": _results(Photo, photos),  # in Photo's Meta.ordering, as they were fetched
        "tags": _results(Tag, tags),
    }
    # As select_related leaves it: the video, or a cached "none" that answers without a query.
    note._state.fields_cache["video"] = video
    if video is not None:
        video._state.fields_cache["note"] = note
    return note


class _PrefetchedRows(dict):  # type: ignore[type-arg]
    """``note._prefetched_objects_cache`` of a note read from the note cache: its photos and tags are built
    from their cached rows the first time anything asks for them (``note.photos.all()``, Django's prefetch
    checks, a refresh). A warm feed page serves every status from the status cache and never asks, so it
    no longer builds a model instance for each tag and photo of each note (docs/benchmarks.md, "Home
    timeline: session 12"). Every way Django reads, tests, pops or deletes an entry fills it first."""

    def __init__(self, note: Note, db: str, photo_rows: list[tuple], tag_rows: list[tuple]) -> None:  # type: ignore[type-arg]
        super().__init__()
        self._note, self._db = note, db
        self._pending: dict[str, list[tuple]] = {"photos": photo_rows, "tags": tag_rows}  # type: ignore[type-arg]

    def _fill(self, name: object) -> None:
        pending = self._pending
        if not pending or name not in pending:
            return
        found = pending.pop(name)  # type: ignore[call-overload]
        if name == "photos":
            photos = [_instance(Photo, row, self._db) for row in found]
            for photo in photos:
                photo._state.fields_cache["note"] = self._note  # as the prefetch leaves them
            dict.__setitem__(self, name, _results(Photo, photos))  # in Photo's Meta.ordering, as fetched
        else:
            dict.__setitem__(self, name, _results(Tag, [_instance(Tag, row, self._db) for row in found]))

    def _fill_all(self) -> None:
        for name in list(self._pending):
            self._fill(name)

    def __missing__(self, name: str) -> QuerySet:
        self._fill(name)
        if not dict.__contains__(self, name):
            raise KeyError(name)  # as a plain dict: the related manager then reads the database
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        self._fill(name)
        return dict.__contains__(self, name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._fill(name)
        return dict.get(self, name, default)

    def pop(self, name: str, *default: object) -> object:  # type: ignore[override]
        self._fill(name)
        return dict.pop(self, name, *default)

    def __delitem__(self, name: str) -> None:
        self._fill(name)
        dict.__delitem__(self, name)

    def __setitem__(self, name: str, value: QuerySet) -> None:
        self._pending.pop(name, None)
        dict.__setitem__(self, name, value)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._fill_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill_all()
        return dict.__len__(self)

    def keys(self):  # type: ignore[no-untyped-def]
        self._fill_all()
        return dict.keys(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._fill_all()
        return dict.values(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._fill_all()
        return dict.items(self)

    def copy(self) -> dict:  # type: ignore[type-arg,override]
        self._fill_all()
        return dict(dict.items(self))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Pickled (a note put in some cache) as the plain dict it stands for.
        self._fill_all()
        return (dict, (dict(dict.items(self)),))


def _unpacked(packed: Packed) -> Note:
    db, note_row, author_row, place_row, photo_rows, tag_rows, video_row = packed
    note = _instance(Note, note_row, db)
    cache_of = note._state.fields_cache
    cache_of["author"] = _instance(User, author_row, db)
    cache_of["place"] = _instance(Place, place_row, db) if place_row is not None else None
    # The same shape _attach gives, the photos and tags built on first use.
    note._prefetched_objects_cache = _PrefetchedRows(note, db, photo_rows, tag_rows)  # type: ignore[attr-defined]
    video = _instance(Video, video_row, db) if video_row is not None else None
    cache_of["video"] = video
    if video is not None:
        video._state.fields_cache["note"] = note
    return note


def hydrated(note: Note, photos: list[Photo], tags: list[Tag], video: Video | None) -> Note:
    """``note`` in the shape ``notes_by_ids`` gives (``photos`` in their order, ``tags``, ``video``
    answering from memory), from parts a service has in hand (``create_note(..., hydrated=True)``)."""
    return _attach(note, photos, tags, video)


def get_own_new_note(*, viewer: User, note: Note, country: str | None = None) -> Note | None:
    """``get_visible_note`` for a note the viewer has just made, as ``create_note(..., hydrated=True)``
    returned it (its row and author as its transaction left them, its photos, tags and video in hand):
    no note cache and no query, only the gate an author meets (regional withholding, removal). Only the
    author's own notes."""
    if note.author_id != viewer.pk:
        raise ValueError("get_own_new_note is for the viewer's own note")
    if withheld_note_ids([note.pk], country):
        return None
    tags = sorted(note.tags.all(), key=lambda t: t.pk)  # as _base_queryset orders them
    found = _attach(note, list(note.photos.all()), tags, note.attached_video)
    return found if can_see(found, viewer, country=country) else None


def notes_by_ids(ids: Iterable[int]) -> dict[int, Note]:
    """Notes with author, place, photos and tags, from this process's copy (notes/note_copy.py) or the
    cache where possible (3 queries on a miss)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    local, generation = note_copy.generation()
    packed = note_copy.kept(ids, generation) if local else {}
    unread = [i for i in ids if i not in packed] if packed else ids
    if unread:
        keys = {NOTE_KEY.format(i): i for i in unread}
        found: dict[int, Packed] = {keys[k]: v for k, v in cache.get_many(list(keys)).items()}
        missing = [i for i in unread if i not in found]
        if missing:
            fresh = packed_notes(missing)
            cache.set_many({NOTE_KEY.format(pk): p for pk, p in fresh.items()}, settings.NOTE_CACHE_SECONDS)
            found.update(fresh)
        if local:
            note_copy.keep(found, generation)
        packed.update(found)
    return {i: _unpacked(packed[i]) for i in ids if i in packed}


def packed_notes(ids: Sequence[int]) -> dict[int, Packed]:
    """The rows ``_base_queryset`` would read for ``ids`` (note, author, place, video; photos in their
    order; tags by id), packed as the note cache holds them, by three hand-written SELECTs: building the
    ORM's query, its joins and two prefetches cost about four times the CPU of running them, and a
    For-you page of notes nobody was served lately paid it on every miss. The values are converted as
    the ORM converts them (``core.rows``), so a note read here is the note the ORM reads."""
    if not ids:
        return {}
    db = router.db_for_read(Note)
    note, author = rows.columns(Note, "n", db), rows.columns(User, "u", db)
    place, video = rows.columns(Place, "p", db), rows.columns(Video, "v", db)
    photo, tag = rows.columns(Photo, "ph", db), rows.columns(Tag, "t", db)
    link = rows.columns(NoteTag, "nt", db)
    quote = connections[db].ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    ids = list(ids)
    # Only table and column names are formatted in (from the models); every value is a parameter.
    main = (
        f"SELECT {note.sql}, {author.sql}, {place.sql}, {video.sql} FROM {quote(Note._meta.db_table)} n "  # noqa: S608
        f"INNER JOIN {quote(User._meta.db_table)} u ON {author.column('id')} = {note.column('author')} "
        f"LEFT OUTER JOIN {quote(Place._meta.db_table)} p ON {place.column('id')} = {note.column('place')} "
        f"LEFT OUTER JOIN {quote(Video._meta.db_table)} v ON {video.column('note')} = {note.column('id')} "
        f"WHERE {note.column('id')} IN ({marks})"
    )
    photos_sql = (
        f"SELECT {photo.sql} FROM {quote(Photo._meta.db_table)} ph "  # noqa: S608
        f"WHERE {photo.column('note')} IN ({marks}) ORDER BY {photo.column('position')}, {photo.column('id')}"
    )
    tags_sql = (
        f"SELECT {link.column('note')}, {tag.sql} FROM {quote(Tag._meta.db_table)} t "  # noqa: S608
        f"INNER JOIN {quote(NoteTag._meta.db_table)} nt ON {link.column('tag')} = {tag.column('id')} "
        f"WHERE {link.column('note')} IN ({marks}) ORDER BY {tag.column('id')}"
    )
    photos: dict[int, list[tuple]] = {}  # type: ignore[type-arg]
    tags: dict[int, list[tuple]] = {}  # type: ignore[type-arg]
    with connections[db].cursor() as cursor:
        cursor.execute(main, ids)
        found = cursor.fetchall()
        if not found:
            return {}
        cursor.execute(photos_sql, ids)
        note_at = photo.attnames.index("note_id")
        for raw in cursor.fetchall():
            values = photo.values(raw)
            photos.setdefault(values[note_at], []).append(values)
        cursor.execute(tags_sql, ids)
        for raw in cursor.fetchall():
            tags.setdefault(raw[0], []).append(tag.values(raw, 1))
    out: dict[int, Packed] = {}
    at_author = note.width
    at_place = at_author + author.width
    at_video = at_place + place.width
    pk_at = note.attnames.index("id")
    place_id_at, video_id_at = at_place + place.attnames.index("id"), at_video + video.attnames.index("id")
    for raw in found:
        values = note.values(raw)
        pk = values[pk_at]
        out[pk] = (
            db,
            values,
            author.values(raw, at_author),
            place.values(raw, at_place) if raw[place_id_at] is not None else None,
            photos.get(pk, []),
            tags.get(pk, []),
            video.values(raw, at_video) if raw[video_id_at] is not None else None,
        )
    return out


class WithholdingPolicy(Protocol):
    """Where notes are withheld by country. The review app decides that and installs itself here
    (``ReviewConfig.ready``); notes only apply it, so it needs no import of review."""

    def withheld_note_ids(self, note_ids: Iterable[int], country: str | None) -> set[int]: ...

    def withheld_counts(self, kind: str, ids: Iterable[int], country: str | None) -> dict[int, int]: ...


class _NothingWithheld:
    def withheld_note_ids(self, note_ids: Iterable[int], country: str | None) -> set[int]:
        return set()

    def withheld_counts(self, kind: str, ids: Iterable[int], country: str | None) -> dict[int, int]:
        return {}


_withholding: WithholdingPolicy = _NothingWithheld()


def set_withholding_policy(policy: WithholdingPolicy) -> None:
    global _withholding
    _withholding = policy


def withheld_note_ids(note_ids: Iterable[int], country: str | None) -> set[int]:
    """Notes withheld in the viewer's country."""
    return _withholding.withheld_note_ids(note_ids, country)


def can_see(
    note: Note,
    viewer: User | None,
    *,
    following: set[int] | None = None,
    hidden: set[int] | None = None,
    country: str | None = None,
) -> bool:
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    if note.author_id == viewer_id:
        return note.state != NoteState.REMOVED
    if note.state != NoteState.PUBLISHED or not note.author.is_active:
        return False
    if hidden is not None and note.author_id in hidden:
        return False
    if note.visibility == Visibility.FOLLOWERS:
        if viewer_id is None:
            return False
        if following is None:
            return Follow.objects.filter(follower_id=viewer_id, followee_id=note.author_id).exists()
        return note.author_id in following
    return True


def visible_notes(
    ids: Iterable[int],
    viewer: User | None,
    *,
    country: str | None = None,
    for_feed: bool = True,
    following: set[int] | None = None,
) -> list[Note]:
    """Hydrate ``ids`` in order and keep what ``viewer`` may see from ``country``."""
    ids = list(ids)
    notes = notes_by_ids(ids)
    hidden = hidden_author_ids(viewer) if for_feed else blocked_ids(viewer)
    if following is None and viewer is not None and viewer.is_authenticated:
        if any(n.visibility == Visibility.FOLLOWERS and n.author_id != viewer.pk for n in notes.values()):
            following = following_ids(viewer)
    withheld = withheld_note_ids(notes.keys(), country)
    out = []
    for pk in ids:
        note = notes.get(pk)
        if note is None or pk in withheld:
            continue
        if can_see(note, viewer, following=following or set(), hidden=hidden, country=country):
            out.append(note)
    return out


def get_visible_note(*, viewer: User | None, note_id: int, country: str | None = None) -> Note | None:
    found = visible_notes([note_id], viewer, country=country, for_feed=False)
    return found[0] if found else None


def viewer_state(viewer: User | None, note_ids: list[int]) -> tuple[set[int], set[int]]:
    """(liked, collected) note ids among ``note_ids`` for the viewer: two small queries."""
    if viewer is None or not viewer.is_authenticated or not note_ids:
        return set(), set()
    # One hand-written query: on every feed page and status list, building the two ORM queries cost
    # more CPU than the rest of the page's database work (docs/benchmarks.md, "Home timeline CPU").
    # Only table names and placeholders are formatted in; every value is a parameter.
    marks = ", ".join(["%s"] * len(note_ids))
    sql = (
        f"SELECT note_id, 0 FROM {Like._meta.db_table} WHERE user_id = %s AND note_id IN ({marks}) "  # noqa: S608
        f"UNION ALL SELECT note_id, 1 FROM {Collect._meta.db_table} WHERE user_id = %s AND note_id IN ({marks})"
    )
    liked: set[int] = set()
    collected: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, *note_ids, viewer.pk, *note_ids])
        for note_id, kind in cursor.fetchall():
            (collected if kind else liked).add(note_id)
    return liked, collected


def author_note_ids(author: User, viewer: User | None, *, max_id: int | None = None, limit: int = 20) -> list[int]:
    qs = Note.objects.filter(author=author)
    if viewer is None or viewer.pk != author.pk:
        qs = qs.filter(state=NoteState.PUBLISHED).exclude(visibility=Visibility.UNLISTED)
    else:
        qs = qs.exclude(state=NoteState.REMOVED)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return list(qs.order_by("-id").values_list("id", flat=True)[:limit])


def tag_note_ids(tag_name: str, *, max_id: int | None = None, min_id: int | None = None, limit: int = 20) -> list[int]:
    qs = Note.objects.public().filter(notetag__tag__name=tag_name)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if min_id is not None:
        qs = qs.filter(pk__gt=min_id)
        return list(qs.order_by("id").values_list("id", flat=True)[:limit])[::-1]
    return list(qs.order_by("-id").values_list("id", flat=True)[:limit])


def comments_for(note: Note, viewer: User | None, *, limit: int = 200) -> list[Comment]:
    """Top-level comments, each with ``thread_replies`` attached, oldest first; hidden authors dropped."""
    hidden = hidden_author_ids(viewer)
    comments = list(
        Comment.objects.filter(note=note, state=NoteState.PUBLISHED)
        .exclude(author_id__in=hidden)
        .select_related("author", "reply_to")
        .order_by("id")[:limit]
    )
    top = [c for c in comments if c.parent_id is None]
    by_parent: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id is not None:
            by_parent.setdefault(c.parent_id, []).append(c)
    for c in top:
        c.thread_replies = by_parent.get(c.pk, [])  # type: ignore[attr-defined]
    return top


def boards_of(owner: User, viewer: User | None) -> QuerySet[Board]:
    qs = Board.objects.filter(owner=owner).order_by("-is_default", "name")
    if viewer is None or viewer.pk != owner.pk:
        qs = qs.filter(is_private=False)
    return qs


def get_board(board_id: int, viewer: User | None) -> Board | None:
    """A board the viewer may see; private boards of others, boards of inactive owners and of owners
    blocked either way look like missing ones (404)."""
    board = Board.objects.select_related("owner").filter(pk=board_id, owner__is_active=True).first()
    if board is None:
        return None
    if board.is_private and (viewer is None or viewer.pk != board.owner_id):
        return None
    if board.owner_id in blocked_ids(viewer):
        return None
    return board


def board_note_ids(board: Board, *, limit: int = 60, max_id: int | None = None) -> list[int]:
    qs = Collect.objects.filter(board=board)
    if max_id is not None:
        qs = qs.filter(note_id__lt=max_id)
    return list(qs.order_by("-created_at").values_list("note_id", flat=True)[:limit])


def board_covers(
    boards: Iterable[Board], viewer: User | None, *, country: str | None = None, per_board: int = 3
) -> dict[int, list[Note]]:
    """The latest notes of each board that ``viewer`` may see from ``country``, for its cover tiles.

    One query for the newest collects of every board (a window over each board, so a board of
    thousands reads a few rows), then one ``visible_notes`` batch for all of them: a constant number
    of queries whatever the number of boards. A board's private or withheld notes never show.
    """
    ids = [b.pk for b in boards]
    if not ids:
        return {}
    # Read a few more than needed: some of the newest may be hidden from this viewer.
    rows = list(
        Collect.objects.filter(board_id__in=ids)
        .annotate(rank=Window(RowNumber(), partition_by=F("board_id"), order_by=F("created_at").desc()))
        .filter(rank__lte=per_board * 3)
        .order_by("board_id", "rank")
        .values_list("board_id", "note_id")
    )
    seen = {n.pk: n for n in visible_notes([note_id for _, note_id in rows], viewer, country=country, for_feed=False)}
    covers: dict[int, list[Note]] = {pk: [] for pk in ids}
    for board_id, note_id in rows:
        note = seen.get(note_id)
        if note is not None and len(covers[board_id]) < per_board:
            covers[board_id].append(note)
    return covers


def get_visible_comment(*, viewer: User | None, comment_id: int, country: str | None = None) -> Comment | None:
    """A published comment on a note the viewer may see, by an author the viewer is not blocked with."""
    comment = (
        Comment.objects.select_related("author", "reply_to")
        .filter(pk=comment_id, state=NoteState.PUBLISHED, author__is_active=True)
        .first()
    )
    if comment is None or comment.author_id in blocked_ids(viewer):
        return None
    if get_visible_note(viewer=viewer, note_id=comment.note_id, country=country) is None:
        return None
    return comment


def visible_comments(*, viewer: User | None, comment_ids: Iterable[int], country: str | None = None) -> list[Comment]:
    """``get_visible_comment`` for many ids at once (in the order given): one query for the comments,
    then the visibility of their notes in one batch."""
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        return []
    found = {
        c.pk: c
        for c in Comment.objects.select_related("author", "reply_to").filter(
            pk__in=ids, state=NoteState.PUBLISHED, author__is_active=True
        )
    }
    blocked = blocked_ids(viewer)
    note_ids = {c.note_id for c in found.values()}
    seen = {n.pk for n in visible_notes(note_ids, viewer, country=country, for_feed=False)}
    return [c for i in ids if (c := found.get(i)) is not None and c.author_id not in blocked and c.note_id in seen]


def liked_comment_ids(viewer: User | None, comment_ids: Iterable[int]) -> set[int]:
    """Which of ``comment_ids`` the viewer liked: one query (none for a visitor or no comments)."""
    ids = list(comment_ids)
    if viewer is None or not viewer.is_authenticated or not ids:
        return set()
    return set(CommentLike.objects.filter(user=viewer, comment_id__in=ids).values_list("comment_id", flat=True))


def comment_likers_page(comment_id: int, *, max_id: int | None = None, limit: int = 40) -> list[CommentLike]:
    """Who liked a comment, newest first (Mastodon's ``favourited_by`` for a comment)."""
    return _page(
        CommentLike.objects.filter(comment_id=comment_id, user__is_active=True).select_related("user"),
        max_id=max_id,
        min_id=None,
        limit=limit,
    )


def _page(qs: QuerySet, *, max_id: int | None, min_id: int | None, limit: int) -> list:
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if min_id is not None:
        return list(qs.filter(pk__gt=min_id).order_by("pk")[:limit])[::-1]
    return list(qs.order_by("-pk")[:limit])


def liked_page(user: User, *, max_id: int | None = None, min_id: int | None = None, limit: int = 20) -> list[Like]:
    """The user's likes, newest first, paginated by like id (Mastodon's favourites list)."""
    return _page(Like.objects.filter(user=user), max_id=max_id, min_id=min_id, limit=limit)


def collected_page(
    user: User, *, max_id: int | None = None, min_id: int | None = None, limit: int = 20
) -> list[Collect]:
    """The user's collects in any board, newest first, by collect id (Mastodon's bookmarks list)."""
    return _page(Collect.objects.filter(user=user), max_id=max_id, min_id=min_id, limit=limit)


def likers_page(note_id: int, *, max_id: int | None = None, limit: int = 40) -> list[Like]:
    qs = Like.objects.filter(note_id=note_id, user__is_active=True).select_related("user")
    return _page(qs, max_id=max_id, min_id=None, limit=limit)


def public_tags(tags: QuerySet[Tag]) -> QuerySet[Tag]:
    """Tags as anyone may see them: only those on at least one public, published note, with
    ``notes_count`` replaced by the number of such notes. A tag used only in followers-only, held or
    removed notes is neither listed nor counted, so it tells no one that those notes exist. Most used first."""
    shown = Q(notetag__note__state=NoteState.PUBLISHED, notetag__note__visibility=Visibility.PUBLIC)
    counted = tags.annotate(public_notes=Count("notetag", filter=shown))
    return counted.filter(public_notes__gt=0).order_by("-public_notes", "name")


def _with_public_counts(tags: Iterable[Tag]) -> list[Tag]:
    out = list(tags)
    for tag in out:
        tag.notes_count = tag.public_notes  # type: ignore[attr-defined]
    return out


def search_tags(query: str, *, limit: int = 20, offset: int = 0, also: Sequence[str] = ()) -> list[Tag]:
    """Tags starting with ``query`` in either Chinese script (#火鍋 finds #火锅), or with one of ``also``
    (a higher layer's other-language forms of the query: "hot pot" -> 火锅)."""
    keys = {v for k in (query, *also) if (key := normalize_tag(k)) for v in script_variants(key)}
    if not keys:
        return []
    wanted = Q()
    for key in sorted(keys)[:16]:
        wanted |= Q(name__startswith=key)
    found = public_tags(Tag.objects.filter(wanted))
    return _with_public_counts(found[offset : offset + limit])


def popular_tags(*, limit: int = 10, offset: int = 0) -> list[Tag]:
    found = public_tags(Tag.objects.filter(notes_count__gt=0))
    return _with_public_counts(found[offset : offset + limit])


def search_places(query: str, *, limit: int = 20) -> list[Place]:
    query = query.strip()
    if not query:
        return []
    return list(Place.objects.filter(name__icontains=query).order_by("name")[:limit])


def place_note_ids(place_id: int, *, max_id: int | None = None, limit: int = 20) -> list[int]:
    qs = Note.objects.public().filter(place_id=place_id)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return list(qs.order_by("-id").values_list("id", flat=True)[:limit])


def own_photo(owner: User, photo_id: int) -> Photo | None:
    """One of the owner's photos, in any state (the uploader following its processing)."""
    return Photo.objects.filter(pk=photo_id, owner=owner).first()


def draft_photos(owner: User, photo_ids: Iterable[int], *, note_id: int | None = None) -> list[Photo]:
    """The owner's photos not yet attached to a note (or attached to ``note_id``, when editing it),
    in the order asked: the photos of a compose draft."""
    ids = list(dict.fromkeys(photo_ids))
    if not ids:
        return []
    free = Q(note__isnull=True) | Q(note_id=note_id) if note_id is not None else Q(note__isnull=True)
    found = {p.pk: p for p in Photo.objects.filter(free, owner=owner, pk__in=ids)}
    return [found[i] for i in ids if i in found]


def draft_video(owner: User, video_id: int) -> Video | None:
    """The owner's video not yet attached to a note (a compose draft), unless it failed."""
    return Video.objects.filter(pk=video_id, owner=owner, note__isnull=True).exclude(state=VideoState.FAILED).first()


def popular_tags_cached(*, limit: int = 10) -> list[Tag]:
    """``popular_tags`` shared by every viewer and cached a minute: the topic tabs on every feed page."""
    key = f"popular-tags:{limit}"
    tags = cache.get(key)
    if tags is None:
        tags = popular_tags(limit=limit)
        cache.set(key, tags, 60)
    return list(tags)


def popular_tags_for_reader(reader_languages: Sequence[str], *, limit: int = 6) -> list[Tag]:
    """The most used tags, those a reader can read first: the topic tabs of someone who picked no
    interests. A tag's language is detected from its name (cached); one with none (a number, a brand)
    counts as readable. Tags in other languages only fill the row when too few are in the reader's,
    so a new English visitor is not greeted by #欢迎新朋友 while English tags are there to show."""
    pool = popular_tags_cached(limit=limit * 5)
    families = {content_languages.family(code) for code in reader_languages if code}
    if not families:
        return pool[:limit]

    def readable(tag: Tag) -> bool:
        detected = detect_language_cached(tag.display)
        return not detected or content_languages.family(detected) in families

    first = [t for t in pool if readable(t)]
    return (first + [t for t in pool if t not in first])[:limit]


def likes_and_collects_received(author: User) -> int:
    """Likes plus collects on the author's published notes: the profile's headline figure."""
    from django.db.models import Sum

    totals = Note.objects.filter(author=author, state=NoteState.PUBLISHED).aggregate(
        likes=Sum("like_count"), collects=Sum("collect_count")
    )
    return int(totals["likes"] or 0) + int(totals["collects"] or 0)


def tag_by_name(name: str) -> Tag | None:
    """A tag that anyone may see (``public_tags``), its count being its public notes."""
    key = normalize_tag(name or "")
    found = public_tags(Tag.objects.filter(name=key)).first() if key else None
    return _with_public_counts([found])[0] if found is not None else None


def with_counts_seen_from(objs: Iterable[T], country: str | None) -> list[T]:
    """Users, tags or boards with ``notes_seen`` set: their stored notes count less the notes withheld
    in ``country``, so no count tells a viewer there that a withheld note exists. One grouped query
    for the whole list, none where nothing is withheld in ``country``."""
    objs = list(objs)
    if not objs:
        return objs
    kind = {User: "author", Tag: "tag", Board: "board"}[type(objs[0])]
    minus = _withholding.withheld_counts(kind, (o.pk for o in objs), country)
    for o in objs:
        o.notes_seen = max(0, o.notes_count - minus.get(o.pk, 0))  # type: ignore[attr-defined]
    return objs


def count_seen_from(obj: T, country: str | None) -> int:
    """``with_counts_seen_from`` for one user, tag or board: the count to show a viewer in ``country``."""
    return int(with_counts_seen_from([obj], country)[0].notes_seen)  # type: ignore[attr-defined]


# --- Discover's ranking ------------------------------------------------------------------------

DISCOVER_POOL = 1000
DISCOVER_WINDOW_DAYS = 30
DISCOVER_CACHE_SECONDS = 60


def popularity(like_count: int, collect_count: int, comment_count: int, age_hours: float) -> float:
    """Engagement decayed by age, in the spirit of Hacker News ranking: fresh and liked rises."""
    engagement = like_count + 2.0 * collect_count + 1.5 * comment_count
    return (1.0 + engagement) / math.pow(age_hours + 2.0, 1.2)


def discover_ranking() -> list[int]:
    """Ids of recent public notes ranked by popularity; shared by every viewer, cached a minute."""
    cached = cache.get("discover:ranking")
    if cached is not None:
        return list(cached)
    ids = rank_recent_notes()
    cache.set("discover:ranking", ids, DISCOVER_CACHE_SECONDS)
    return ids


def rank_recent_notes() -> list[int]:
    """Discover's ranking computed now (a worker's view: trending translation), not cached."""
    since = timezone.now() - timedelta(days=DISCOVER_WINDOW_DAYS)
    rows = list(
        Note.objects.public()
        .filter(created_at__gte=since, visibility=Visibility.PUBLIC)
        .order_by("-id")
        .values_list("id", "like_count", "collect_count", "comment_count", "created_at")[:DISCOVER_POOL]
    )
    if len(rows) < 60:
        # A young or quiet instance: fall back to the newest notes of any age.
        rows = list(
            Note.objects.public()
            .order_by("-id")
            .values_list("id", "like_count", "collect_count", "comment_count", "created_at")[:DISCOVER_POOL]
        )
    now = time.time()
    ranked = sorted(
        rows,
        key=lambda r: popularity(r[1], r[2], r[3], max(0.0, (now - r[4].timestamp()) / 3600.0)),
        reverse=True,
    )
    return [r[0] for r in ranked]


# --- followed tags and trending tags -------------------------------------------------------------

TREND_DAYS = 7
TREND_POOL = 200


def followed_tag_ids(user: User | None) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(TagFollow.objects.filter(user=user).values_list("tag_id", flat=True))


def is_following_tag(user: User | None, key: str) -> bool:
    """Whether ``user`` follows the tag stored under ``key``."""
    if user is None or not user.is_authenticated or not key:
        return False
    return TagFollow.objects.filter(user=user, tag__name=key).exists()


def followed_tags_page(
    user: User, *, max_id: int | None = None, min_id: int | None = None, limit: int = 100
) -> list[TagFollow]:
    """The user's tag follows with their tags, newest first, paginated by the follow's id."""
    return _page(TagFollow.objects.filter(user=user).select_related("tag"), max_id=max_id, min_id=min_id, limit=limit)


def tag_for_viewer(key: str, viewer: User | None) -> Tag:
    """The tag under ``key`` as a viewer may see it: with its public notes counted when some public
    note uses it; else the row (count 0) when the viewer follows it; else an unsaved tag of that name,
    as Mastodon answers for a tag nobody used: a tag used only in followers-only or held notes looks
    exactly like an unused one."""
    public = tag_by_name(key)
    if public is not None:
        return public
    row = Tag.objects.filter(name=key).first()
    if row is not None and row.pk in followed_tag_ids(viewer):
        row.notes_count = 0
        return row
    return Tag(name=key, display=key, notes_count=0)


def _day_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def tag_history(tag_ids: Iterable[int], *, country: str | None, days: int = TREND_DAYS) -> dict[int, list[dict]]:
    """Mastodon's per-day history of each tag over the last ``days`` days (today first): how many
    public notes used it and how many accounts wrote them. Notes withheld in ``country`` are left
    out, so the figures tell no one there that they exist. One query for all the tags."""
    ids = list(dict.fromkeys(tag_ids))
    today = _day_start(timezone.now())
    starts = [today - timedelta(days=i) for i in range(days)]
    rows = list(
        NoteTag.objects.filter(
            tag_id__in=ids,
            note__state=NoteState.PUBLISHED,
            note__visibility=Visibility.PUBLIC,
            note__created_at__gte=starts[-1],
        ).values_list("tag_id", "note_id", "note__author_id", "note__created_at")
    )
    withheld = withheld_note_ids({r[1] for r in rows}, country) if rows else set()
    uses: dict[tuple[int, datetime], int] = {}
    authors: dict[tuple[int, datetime], set[int]] = {}
    for tag_id, note_id, author_id, created in rows:
        if note_id in withheld:
            continue
        slot = (tag_id, _day_start(created))
        uses[slot] = uses.get(slot, 0) + 1
        authors.setdefault(slot, set()).add(author_id)
    return {
        tag_id: [
            {
                "day": day,
                "uses": uses.get((tag_id, day), 0),
                "accounts": len(authors.get((tag_id, day), ())),
            }
            for day in starts
        ]
        for tag_id in ids
    }


def trending_tag_ranking(*, days: int = TREND_DAYS) -> list[int]:
    """Ids of tags ranked by how many accounts used them in public notes over the last ``days``
    days, then by uses; then the most used public tags of all time, so a quiet instance still has
    trends. Shared by every viewer, cached a minute (as Discover's ranking)."""
    key = f"trending-tags:{days}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    since = timezone.now() - timedelta(days=days)
    rows = list(
        NoteTag.objects.filter(
            note__state=NoteState.PUBLISHED, note__visibility=Visibility.PUBLIC, note__created_at__gte=since
        )
        .values("tag_id")
        .annotate(accounts=Count("note__author_id", distinct=True), uses=Count("note_id", distinct=True))
        .order_by("-accounts", "-uses", "tag_id")
        .values_list("tag_id", "accounts", "uses")[:TREND_POOL]
    )
    recent = [row[0] for row in rows]
    ids = list(dict.fromkeys([*recent, *public_tags(Tag.objects.all()).values_list("pk", flat=True)[:TREND_POOL]]))
    ids = ids[:TREND_POOL]
    cache.set(key, ids, DISCOVER_CACHE_SECONDS)
    return ids


def trending_tags(*, limit: int = 10, offset: int = 0) -> list[Tag]:
    """A page of the trending tags, each with ``notes_count`` its public notes (``public_tags``)."""
    page = trending_tag_ranking()[offset : offset + limit]
    found = {t.pk: t for t in _with_public_counts(public_tags(Tag.objects.filter(pk__in=page)))}
    return [found[pk] for pk in page if pk in found]


# --- a profile's Collects and Liked tabs ---------------------------------------------------------


def collected_note_ids(
    owner: User, viewer: User | None, *, max_id: int | None = None, limit: int = 30
) -> list[tuple[int, int]]:
    """(collect id, note id) of the notes ``owner`` collected, newest first, each note once: from every
    board for the owner, from public boards for anyone else. The caller passes the notes through
    ``visible_notes``; whether others see the tab at all is the owner's choice (``User.shows_collects_to``)."""
    qs = Collect.objects.filter(user=owner)
    if viewer is None or viewer.pk != owner.pk:
        qs = qs.filter(board__is_private=False)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    rows = list(qs.order_by("-pk").values_list("pk", "note_id")[: limit * 2])
    seen: set[int] = set()
    out = []
    for pk, note_id in rows:
        if note_id not in seen:
            seen.add(note_id)
            out.append((pk, note_id))
    return out[:limit]


def liked_note_ids(owner: User, *, max_id: int | None = None, limit: int = 30) -> list[tuple[int, int]]:
    """(like id, note id) of the notes ``owner`` liked, newest first (the gate comes after)."""
    qs = Like.objects.filter(user=owner)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return list(qs.order_by("-pk").values_list("pk", "note_id")[:limit])


def get_place(place_id: int) -> Place | None:
    """A place that has at least one public, published note: a place known only from followers-only
    or held notes looks like a missing one."""
    place = Place.objects.filter(pk=place_id).first()
    if place is None or not Note.objects.public().filter(place_id=place_id).exists():
        return None
    return place
