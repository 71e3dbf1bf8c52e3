"""For you: a reader's personal Discover, each card with the reason it is there.

``for_you`` ranks once per reader (kept ``RANKING_SECONDS``; ``precompute_for_you`` ranks recently
active readers ahead, on a schedule), pages through that list with an offset cursor, and re-ranks only
what has not been shown yet when the reader did something since (a like, a hide:
``services.mark_changed``). The ranked list holds no viewer-dependent filtering: every page passes the
notes access gate when it is served (``notes.selectors.visible_notes``: blocked, muted, withheld in the
viewer's country, held, removed), so a cached list is never stale on what the reader may see. If
ranking fails the reader still gets trending notes, and the log says why."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import hidden_authors_key
from core.errors import ServiceError
from core.shared_cache import get_many as shared_get_many
from core.shared_cache import shared_cache
from core.tasks import enqueue_on_commit
from notes.models import Note
from notes.related import related_by_tags_and_place
from notes.selectors import discover_ranking, notes_by_ids, visible_notes
from recommend import candidates, ranking, training
from recommend.models import Interaction, Kind, LanguageMix, ReaderPreference, Surface
from recommend.services import DIRTY_KEY, SERVED_FEATURES_KEY, SERVED_KEY

logger = logging.getLogger("recommend")

RANKING_SECONDS = 600
# A list ranked while more than this share of the pool has no embedding is ranked again soon (provisional).
PROVISIONAL_SHARE = 0.1
RANKED = 300
MAX_LIMIT = 60
# The ranking does not depend on the viewer's country (what it withholds is left out per page), so one
# list per reader serves every country and can be ranked ahead of a visit.
# (when ranked, epoch seconds; [(note id, reason, detail), ...]), kept ``list_seconds()``.
RANK_KEY = "rec:rank:v2:{}"
FEATURES_KEY = "rec:rankfeat:{}"  # note id -> its ranking features, beside RANK_KEY
MIX_KEY = "rec:mix:{}"
REFRESH_LOCK_KEY = "rec:refreshing:{}"
REFRESH_LOCK_SECONDS = 120
SERVED_SECONDS = RANKING_SECONDS * 6  # what For you served a reader (SERVED_KEY), for training and paging
WARM_NOTES = 100  # notes of the next pages put in the note cache by a ranking done ahead


@dataclass
class Card:
    note: Note
    # followed, author_you_liked, similar, readers_like_you, interest, popular_language, popular_region, new, popular
    reason: str
    detail: str = ""
    position: int = 0

    @property
    def why(self) -> str:
        """The "Why am I seeing this?" line, in the active language."""
        return reason_text(self.reason, self.detail)


def reason_text(reason: str, detail: str = "") -> str:
    if reason == "followed":
        return _("From someone you follow")
    if reason == "author_you_liked":
        return _("More from an author you liked")
    if reason == "similar":
        if detail == Kind.COLLECT:
            return _("Like a note you saved")
        if detail == Kind.LIKE:
            return _("Like a note you liked")
        return _("Like notes you read")
    if reason == "readers_like_you":
        return _("Readers who liked what you liked liked this")
    if reason == "interest":
        return _("Because you follow the topic #%(tag)s") % {"tag": detail} if detail else _("Matches your interests")
    if reason == "popular_region":
        return _("Popular in your region")
    if reason == "popular_language":
        return _("Popular in your languages")
    if reason == "new":
        return _("New")
    return _("Popular on Discover")


def parse_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    if not isinstance(cursor, str) or not cursor.isdigit() or len(cursor) > 4:
        raise ServiceError("Invalid cursor", field="cursor", code="bad_cursor")
    return int(cursor)


def provisional(pool: candidates.Pool) -> bool:
    """Whether a list ranked from ``pool`` should be ranked again as soon as the pool is rebuilt: more
    than ``PROVISIONAL_SHARE`` of its notes have no embedding yet (a server just started, or a demo just
    loaded, while the low queue embeds them), so the content sources (interests, similar) saw only part
    of the catalogue, and a newcomer's first list would otherwise stay that thin for ``RANKING_SECONDS``."""
    n = len(pool)
    return bool(n) and float(np.count_nonzero(~pool.has_vector)) > PROVISIONAL_SHARE * n


def _rank(
    user: User, *, exclude: set[int] | None = None, limit: int = RANKED
) -> tuple[list[tuple[int, str, str]], dict[int, bytes], int, bool]:
    """The ranked list, each ranked note's features (kept with its impressions for training), the
    reader's language-mix setting as the ranking read it (kept beside the list: ``language_mix_of``) and
    whether the list is ``provisional``."""
    pool = candidates.pool()
    reader = candidates.reader_for(user, pool)
    # Re-ranking a page of ``limit`` never looks past the best limit + WINDOW of either language group.
    scored = ranking.score(pool, reader, training.current_model(), exclude=exclude, keep=limit + ranking.WINDOW)
    ranked = ranking.rerank(scored, reader, limit=limit, observed_own=ranking.observed_own_share(pool, reader))
    packed = training.pack_rows([s.row for s in ranked])
    features = dict(zip((s.note_id for s in ranked), packed, strict=True))
    return [(s.note_id, s.reason, s.detail) for s in ranked], features, int(reader.language_mix), provisional(pool)


def _trending(exclude: set[int]) -> list[tuple[int, str, str]]:
    return [(pk, "popular", "") for pk in discover_ranking() if pk not in exclude][:RANKED]


def list_seconds() -> int:
    """How long a reader's ranked list is kept (``RECOMMEND_LIST_SECONDS``): past ``RANKING_SECONDS`` it
    is still served, and re-ranked in the background (``refresh_for_you``), so an active reader's page
    stays a slice; only a reader away longer than this ranks on the request again."""
    return max(RANKING_SECONDS, int(getattr(settings, "RECOMMEND_LIST_SECONDS", 3600)))


def _store(
    user_id: int,
    ranked: list[tuple[int, str, str]],
    features: dict[int, bytes],
    *,
    mix: int | None,
    dirty: bool,
    also: dict[str, object] | None = None,
    provisional: bool = False,
) -> None:
    """Keep the list, its features and the language mix in one write (a setting's change deletes the mix:
    ``services.set_language_mix``); clear the "changed" mark only where the caller read one. ``also``:
    entries kept ``SERVED_SECONDS`` (what the page served), in the same write where both times agree.
    A ``provisional`` list is stored as if ranked long enough ago that the first request after the pool's
    next rebuild (``POOL_SECONDS``) re-ranks it in the background."""
    ranked_at = time.time()
    if provisional:
        ranked_at -= RANKING_SECONDS - candidates.POOL_SECONDS
    entries: dict[str, object] = {
        RANK_KEY.format(user_id): (ranked_at, ranked),
        FEATURES_KEY.format(user_id): features,
    }
    if mix is not None:
        entries[MIX_KEY.format(user_id)] = mix
    if also and list_seconds() == SERVED_SECONDS:
        entries.update(also)
        also = None
    shared_cache.set_many(entries, list_seconds())
    if also:
        shared_cache.set_many(also, SERVED_SECONDS)
    if dirty:
        shared_cache.delete(DIRTY_KEY.format(user_id))


@dataclass
class _Unstored:
    """A ranking ``for_you`` writes with what its page served, in one write (``_store``'s arguments)."""

    ranked: list[tuple[int, str, str]]
    features: dict[int, bytes]
    mix: int | None
    dirty: bool
    provisional: bool = False


def _rerank(
    user: User,
    *,
    offset: int,
    cached: list[tuple[int, str, str]] | None,
    old_features: dict[int, bytes],
    dirty: bool = True,
    unstored: list[_Unstored] | None = None,
) -> tuple[list[tuple[int, str, str]], dict[int, bytes]]:
    """Rank the reader's list again, keeping the first ``offset`` (already shown) entries of ``cached``.
    ``dirty``: whether the caller found the reader marked changed (``DIRTY_KEY``), so the mark is
    cleared; a mark set while ranking stays for the next page. With ``unstored`` the list is not
    written here but appended to it, for the caller to write with its own entries (``_store``)."""
    head = cached[:offset] if cached is not None and offset > 0 else []
    shown = {pk for pk, _r, _d in head}
    features = {pk: old_features[pk] for pk in shown if pk in old_features}
    mix: int | None = None
    thin = False
    try:
        tail, tail_features, mix, thin = _rank(user, exclude=shown)
        features.update(tail_features)
    except candidates.PoolMissing:  # logged where found; stored as provisional, ranked again soon
        tail, thin = _trending(shown), True
    except Exception:
        logger.exception("recommend: ranking failed for user %s; serving trending", user.pk)
        tail = _trending(shown)
    if not tail and not head:
        logger.warning("recommend: nothing ranked for user %s; serving trending", user.pk)
        tail = _trending(shown)
    result = head + tail
    if unstored is not None:
        unstored.append(_Unstored(result, features, mix, dirty, thin))
    else:
        _store(user.pk, result, features, mix=mix, dirty=dirty, provisional=thin)
    return result, features


def ranked_ids(user: User, *, offset: int) -> list[tuple[int, str, str]]:
    """The reader's ranked list (note id, reason, detail), computed or from the cache."""
    entry = shared_cache.get(RANK_KEY.format(user.pk))
    cached = entry[1] if entry is not None else None
    if cached is not None and not shared_cache.get(DIRTY_KEY.format(user.pk)):
        return cached  # type: ignore[no-any-return]
    old_features: dict[int, bytes] = (shared_cache.get(FEATURES_KEY.format(user.pk)) or {}) if cached else {}
    return _rerank(user, offset=offset, cached=cached, old_features=old_features)[0]


def _warm_notes(ranked: list[tuple[int, str, str]], start: int) -> None:
    """Put the next pages' notes in the note cache, so serving them reads no rows (where the cache is
    shared, Redis, and keeps notes long enough to matter)."""
    if settings.NOTE_CACHE_SECONDS >= 60:
        notes_by_ids([pk for pk, _r, _d in ranked[start : start + WARM_NOTES]])


def refresh_for_you(user: User, *, force: bool = False) -> bool:
    """Rank the reader's list ahead if it is missing, marked changed (``DIRTY_KEY``), older than
    ``RANKING_SECONDS`` or ``force``d, keeping what For you already served them (``SERVED_KEY``), as
    their next page would; then warm the note cache for their next pages. Returns whether it ranked."""
    keys = [RANK_KEY.format(user.pk), DIRTY_KEY.format(user.pk), SERVED_KEY.format(user.pk)]
    got = shared_cache.get_many(keys)
    entry, dirty, served = got.get(keys[0]), got.get(keys[1]), got.get(keys[2]) or {}
    offset = max(served.values(), default=-1) + 1
    if entry is not None and not dirty and not force and time.time() - entry[0] < RANKING_SECONDS:
        return False
    cached = entry[1] if entry is not None else None
    old_features: dict[int, bytes] = (shared_cache.get(FEATURES_KEY.format(user.pk)) or {}) if cached else {}
    ranked, _features = _rerank(user, offset=offset, cached=cached, old_features=old_features, dirty=bool(dirty))
    _warm_notes(ranked, offset)
    return True


def precompute_for_you(user_ids: Iterable[int]) -> int:
    """Rank ahead for these readers, so their next visit is a slice of the list plus the access gate.

    A reader whose list is cached, unchanged and younger than ``RANKING_SECONDS`` is skipped; one who
    did something since (``DIRTY_KEY``) keeps what For you already served them (``SERVED_KEY``) and gets
    the rest re-ranked, as their next page would (``refresh_for_you``). Returns how many readers were
    ranked. Useful where web processes share the cache (Redis); with each process's own memory cache a
    page ranks on demand, as before."""
    return sum(refresh_for_you(user) for user in User.objects.filter(pk__in=list(user_ids), is_active=True))


def _queue_refresh(user_id: int) -> None:
    """Re-rank a stale list in the background, once at a time per reader (the lock expires on its own
    if the task is lost)."""
    if not shared_cache.add(REFRESH_LOCK_KEY.format(user_id), True, REFRESH_LOCK_SECONDS):
        return
    from recommend import tasks  # import cycle: the tasks module calls these selectors

    enqueue_on_commit(tasks.refresh_for_you, user_id)


def active_readers(*, hours: float) -> list[int]:
    """Readers who were served For you (their impressions came back) in the last ``hours``."""
    since = timezone.now() - timedelta(hours=hours)
    return list(
        Interaction.objects.filter(created_at__gte=since, kind=Kind.IMPRESSION, surface=Surface.FOR_YOU)
        .values_list("user_id", flat=True)
        .distinct()
    )


def for_you(
    user: User, *, cursor: str | None = None, limit: int = 20, country: str | None = None
) -> tuple[list[Card], str | None]:
    """A page of the reader's For you and the cursor of the next page (None at the end).

    The common case, a reader with a list: one read of the reader's keys (with the viewer's hidden
    authors, which the access gate reads), a slice, the access gate on the slice, one write of what was
    served. A list older than ``RANKING_SECONDS`` is served as it is and re-ranked in the background; a
    reader who did something since (a like, a hide) is re-ranked here, so the next page shows it; a
    reader without a list is ranked here, and the list is written with what the page served."""
    offset = parse_cursor(cursor)
    limit = max(1, min(int(limit), MAX_LIMIT))
    keys = [
        RANK_KEY.format(user.pk),
        DIRTY_KEY.format(user.pk),
        FEATURES_KEY.format(user.pk),
        SERVED_KEY.format(user.pk),
        SERVED_FEATURES_KEY.format(user.pk),
    ]
    got = shared_get_many(keys, also=[hidden_authors_key(user.pk)])
    entry = got.get(keys[0])
    ranked_features: dict[int, bytes] = got.get(keys[2]) or {}
    unstored: list[_Unstored] = []
    if entry is None or got.get(keys[1]):
        cached = entry[1] if entry is not None else None
        ranked, ranked_features = _rerank(
            user,
            offset=offset,
            cached=cached,
            old_features=ranked_features if cached else {},
            dirty=bool(got.get(keys[1])),
            unstored=unstored,
        )
    else:
        ranked = entry[1]
        if time.time() - entry[0] >= RANKING_SECONDS:
            _queue_refresh(user.pk)
    page = ranked[offset : offset + limit]
    notes = {n.pk: n for n in visible_notes([pk for pk, _r, _d in page], user, country=country)}
    cards = [
        Card(note=notes[pk], reason=reason, detail=detail, position=offset + i)
        for i, (pk, reason, detail) in enumerate(page)
        if pk in notes
    ]
    served: dict[int, int] = {} if offset == 0 else got.get(keys[3]) or {}
    served_features: dict[int, bytes] = {} if offset == 0 else got.get(keys[4]) or {}
    served.update({card.note.pk: card.position for card in cards})
    served_features.update({c.note.pk: ranked_features[c.note.pk] for c in cards if c.note.pk in ranked_features})
    page_entries: dict[str, object] = {keys[3]: served, keys[4]: served_features}
    if unstored:
        u = unstored[0]
        _store(user.pk, u.ranked, u.features, mix=u.mix, dirty=u.dirty, also=page_entries, provisional=u.provisional)
    else:
        shared_cache.set_many(page_entries, SERVED_SECONDS)
    next_offset = offset + limit
    return cards, (str(next_offset) if next_offset < len(ranked) else None)


def language_mix_of(user: User) -> int:
    """The reader's language-mix setting (read with the ranking, so a page asks once)."""
    cached = shared_cache.get(MIX_KEY.format(user.pk))
    if cached is not None:
        return int(cached)
    found = ReaderPreference.objects.filter(user_id=user.pk).values_list("language_mix", flat=True).first()
    return int(found) if found is not None else int(LanguageMix.MIX)


# --- related notes under a note -------------------------------------------------------------------

RELATED_KEY = "rec:related:{}"
RELATED_SECONDS = 600
RELATED_POOL = 48
SIMILAR_WEIGHT = 1.5


def related_note_ids(note: Note) -> list[int]:
    """Ids of public notes related to ``note``: shared tags and the same place (notes.related) plus
    similar text in any language (the embeddings For you uses), best first. The same for every reader,
    so cached ``RELATED_SECONDS`` per note; ``related_notes`` applies the gate per reader."""
    key = RELATED_KEY.format(note.pk)
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    scores = related_by_tags_and_place(note)
    try:
        similar = candidates.similar_to_note(candidates.pool(), note.pk)
    except Exception:  # the embeddings are an extra: tags and place still answer
        logger.exception("recommend: similar notes failed for note %s", note.pk)
        similar = {}
    for note_id, similarity in similar.items():
        scores[note_id] = scores.get(note_id, 0.0) + SIMILAR_WEIGHT * similarity
    ids = [pk for pk, _s in sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))][:RELATED_POOL]
    cache.set(key, ids, RELATED_SECONDS)
    return ids


RELATED_BLOCK_KEY = "rec:related-block:{}:{}"
RELATED_SPARE = 6


def related_notes(note: Note, viewer: User | None, *, country: str | None, limit: int = 12) -> list[Note]:
    """Related notes that ``viewer`` may see from ``country``: through ``visible_notes``, so blocked,
    muted, withheld, held and removed notes and inactive authors never show.

    The block's ids (the first ``limit`` + ``RELATED_SPARE`` of the pool that a visitor from ``country``
    may see) are kept ``settings.RELATED_BLOCK_SECONDS`` per note and country, so a page reads those
    ~18 notes rather than the pool's 48. Each reader's copy still goes through the gate; one who hides
    more of them than the spares cover (blocks, mutes) gets the whole pool, gated, as without the cache."""
    seconds = settings.RELATED_BLOCK_SECONDS
    key = RELATED_BLOCK_KEY.format(note.pk, country or "")
    block: list[int] | None = cache.get(key) if seconds > 0 else None
    if block is None:
        pool = [pk for pk in related_note_ids(note) if pk != note.pk]
        block = [n.pk for n in visible_notes(pool, None, country=country)[: limit + RELATED_SPARE]]
        if seconds > 0:
            cache.set(key, block, seconds)
    shown = visible_notes(block, viewer, country=country)
    if len(shown) < limit and len(block) == limit + RELATED_SPARE:
        pool = [pk for pk in related_note_ids(note) if pk != note.pk]
        shown = visible_notes(pool, viewer, country=country)
    return shown[:limit]


TOPIC_KEY = "rec:topic:v1:{}"
TOPIC_SECONDS = 600
TOPIC_POOL = 60


def topic_note_ids(word: str) -> list[int]:
    """Ids of public notes about an onboarding interest ("travel"), best first: notes tagged with it
    and notes whose text is close to it in any language (so "travel" finds 环岛 and 骑行 notes that
    nobody tagged #travel). The same for every reader, cached ``TOPIC_SECONDS``."""
    word = word.strip().lower()
    key = TOPIC_KEY.format(word)
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    reader = candidates.Reader(user_id=0, interests={word}, interest_words=[word])
    try:
        scores = candidates.interests(candidates.pool(), reader)
    except Exception:  # the embeddings are an extra: the tag page still answers, empty
        logger.exception("recommend: topic notes failed for %r", word)
        scores = {}
    ids = [pk for pk, _s in sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))][:TOPIC_POOL]
    cache.set(key, ids, TOPIC_SECONDS)
    return ids


def topic_notes(word: str, viewer: User | None, *, country: str | None, limit: int = 30) -> list[Note]:
    """Notes about an onboarding interest that ``viewer`` may see from ``country`` (through
    ``visible_notes``), for the interest's tab when no note carries its tag yet."""
    return visible_notes(topic_note_ids(word)[: limit * 2], viewer, country=country)[:limit]
