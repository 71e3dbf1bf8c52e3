"""Candidate sources for For you. Each takes the shared ``Pool`` of recent public notes and a
``Reader`` and returns ``{note_id: score in [0, 1]}``, so each can be measured alone (docs/recommend.md).

The pool (recent public notes, their tags, languages, countries, decayed popularity and embeddings) is
built about once a minute by the low queue and stored as a file; web processes only load it (``pool``).
The reader is one query over their recent interactions."""

from __future__ import annotations

import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import Follow, User
from core.text import normalize_tag
from notes.models import Note, NoteTag
from notes.selectors import popularity
from recommend import embeddings, training
from recommend.models import POSITIVE, WEIGHTS, HideReason, Interaction, Kind, LanguageMix, ReaderPreference
from recommend.training import Model

POOL_SIZE = 3000
POOL_DAYS = 30
POOL_SECONDS = 60  # a new pool is built about this often (by the low queue, never by a request)
HISTORY = 300
SOURCE_LIMIT = 200
FRESH_HOURS = 48.0
# A note this close to an interest's embedding starts to count, fully from FLOOR + SPAN (USE multilingual:
# "#food" against a Chinese hot-pot note is about 0.23, against unrelated notes under 0.08).
INTEREST_FLOOR = 0.1
INTEREST_SPAN = 0.12

logger = logging.getLogger("recommend")


@dataclass
class Pool:
    ids: np.ndarray
    authors: np.ndarray
    languages: list[str]
    countries: list[str]
    created: np.ndarray  # epoch seconds
    popularity: np.ndarray  # decayed engagement, normalised to [0, 1]
    tags: list[tuple[str, ...]]
    vectors: np.ndarray  # one row per note, zeros where a note has no embedding yet
    has_vector: np.ndarray
    index: dict[int, int] = field(default_factory=dict)
    # ``interests_column`` by (interests, interest words): it depends on nothing else of the reader, and
    # an instance's readers share a few dozen onboarding choices, so each set costs its matrix product
    # (and its cache read of the words' embeddings) once per pool, not once per ranking.
    interest_columns: dict[tuple[frozenset[str], tuple[str, ...]], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    # Column views of the pool, built once per pool (a minute) and shared by every reader's ranking, so
    # a candidate source is a few numpy operations over the pool rather than a Python loop over it.

    @cached_property
    def language_codes(self) -> tuple[np.ndarray, list[str]]:
        """(per note the index of its base language in the list, the list of base languages)."""
        vocab: dict[str, int] = {}
        codes = np.array([vocab.setdefault(base_language(x), len(vocab)) for x in self.languages], dtype=np.int32)
        return codes, list(vocab)

    @cached_property
    def country_array(self) -> np.ndarray:
        return np.array(self.countries, dtype=str) if self.countries else np.zeros(0, dtype=str)

    @cached_property
    def author_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(the pool's distinct authors, sorted; per note the index of its author among them)."""
        uniq, inverse = np.unique(self.authors, return_inverse=True)
        return uniq, inverse.reshape(-1)

    @cached_property
    def tag_matrix(self) -> tuple[sp.csr_matrix, dict[str, int]]:
        """(notes x tags, the number of times each note carries each tag; tag -> column)."""
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, names in enumerate(self.tags):
            for name in names:
                rows.append(i)
                cols.append(vocab.setdefault(name, len(vocab)))
        m = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(self.ids), max(1, len(vocab)))
        )
        m.sum_duplicates()
        return m, vocab

    def speaks_mask(self, r: Reader) -> np.ndarray:
        """Per note: in one of the reader's languages (a note without a language counts as theirs)."""
        codes, vocab = self.language_codes
        table = np.array([(not x) or x in r.languages for x in vocab], dtype=bool)
        return table[codes] if len(codes) else np.zeros(0, dtype=bool)

    def author_mask(self, authors: set[int] | dict[int, Any]) -> np.ndarray:
        """Per note: its author is among ``authors``."""
        return self.author_values(dict.fromkeys(authors, 1.0)) > 0

    def author_values(self, values: Mapping[int, float]) -> np.ndarray:
        """Per note: ``values`` of its author (0 for an author not in it)."""
        uniq, inverse = self.author_codes
        per_author = np.zeros(len(uniq), dtype=np.float64)
        if values and len(uniq):
            keys = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
            vals = np.fromiter(values.values(), dtype=np.float64, count=len(values))
            at = np.minimum(np.searchsorted(uniq, keys), len(uniq) - 1)
            hit = uniq[at] == keys
            per_author[at[hit]] = vals[hit]
        return per_author[inverse] if len(inverse) else np.zeros(0)

    def tag_values(self, values: Mapping[str, float]) -> np.ndarray:
        """Per note: the sum of ``values`` over its tags."""
        matrix, vocab = self.tag_matrix
        weights = np.zeros(matrix.shape[1], dtype=np.float64)
        for name, value in values.items():
            col = vocab.get(name)
            if col is not None:
                weights[col] = value
        return np.asarray(matrix @ weights).reshape(-1) if len(self.ids) else np.zeros(0)

    def rows_of(self, note_ids: Iterable[int]) -> np.ndarray:
        """Pool rows of those of ``note_ids`` that are in the pool."""
        index = self.index
        return np.array([index[n] for n in note_ids if n in index], dtype=np.int64)


def _build_pool() -> Pool:
    since = timezone.now() - timedelta(days=POOL_DAYS)
    cols = ("id", "author_id", "language", "ip_country", "like_count", "collect_count", "comment_count", "created_at")
    rows = list(Note.objects.public().filter(created_at__gte=since).order_by("-id").values_list(*cols)[:POOL_SIZE])
    if len(rows) < 60:  # a young or quiet instance: the newest notes of any age
        rows = list(Note.objects.public().order_by("-id").values_list(*cols)[:POOL_SIZE])
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    now = time.time()
    created = np.array([r[7].timestamp() for r in rows], dtype=np.float64)
    pop = np.array(
        [popularity(r[4], r[5], r[6], max(0.0, (now - c) / 3600.0)) for r, c in zip(rows, created, strict=True)]
    )
    if len(pop):
        pop = pop / max(float(pop.max()), 1e-9)
    tags: dict[int, list[str]] = {}
    for note_id, name in (
        NoteTag.objects.filter(note_id__in=ids.tolist()).order_by("position").values_list("note_id", "tag__name")
    ):
        tags.setdefault(note_id, []).append(name)
    vectors = np.zeros((len(ids), embeddings.DIM), dtype=np.float32)
    has = np.zeros(len(ids), dtype=bool)
    index = {int(pk): i for i, pk in enumerate(ids)}
    for pk, vec in embeddings.vectors_for(ids.tolist()).items():
        vectors[index[pk]] = vec
        has[index[pk]] = True
    return Pool(
        ids=ids,
        authors=np.array([r[1] for r in rows], dtype=np.int64),
        languages=[r[2] or "" for r in rows],
        countries=[r[3] or "" for r in rows],
        created=created,
        popularity=pop,
        tags=[tuple(tags.get(int(pk), ())) for pk in ids],
        vectors=vectors,
        has_vector=has,
        index=index,
    )


# --- the stored pool ---------------------------------------------------------------------------
#
# A request never builds the pool: building it reads ~3,000 notes, their tags and embeddings and runs
# Python over them, and in a web worker that held the GIL against the worker's other request threads
# (and both workers rebuilt at the same minute). The low queue builds it (``tasks.build_pool``) into
# ``<RECOMMEND_MODEL_DIR>/pool-<version>.npz``, beside the model; web processes only load the newest
# file that loads, looking for a newer one every ``POOL_CHECK_SECONDS``.

POOL_KEEP = 3
POOL_FORMAT = 1
POOL_CHECK_SECONDS = 5.0
# A process whose pool is older than POOL_SECONDS queues a build (one per instance: BUILD_LOCK_KEY); past
# POOL_STALE_SECONDS the builder is not keeping up (no low-queue worker?) and the log says so, once a pool.
POOL_STALE_SECONDS = 10 * POOL_SECONDS
BUILD_LOCK_KEY = "rec:pool:building"


class PoolMissing(Exception):
    """No stored pool loads and this process has none: the caller serves trending (a build is queued)."""


def _pool_dir() -> Path:
    return training.model_dir()


def stored_pools() -> list[Path]:
    """Stored pool files, newest first."""
    d = _pool_dir()
    return sorted(d.glob("pool-*.npz"), reverse=True) if d.exists() else []


def _save(p: Pool) -> Path:
    d = _pool_dir()
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"pool-{timezone.now().strftime('%Y%m%d%H%M%S%f')}.npz"
    flat_tags = [name for names in p.tags for name in names]
    offsets = np.cumsum([0] + [len(names) for names in p.tags], dtype=np.int64)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".pool-", suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez(
            f,
            format=np.array([POOL_FORMAT]),
            ids=p.ids,
            authors=p.authors,
            languages=np.array(p.languages, dtype=str),
            countries=np.array(p.countries, dtype=str),
            created=p.created,
            popularity=p.popularity,
            tag_names=np.array(flat_tags, dtype=str),
            tag_offsets=offsets,
            vectors=p.vectors,
            has_vector=p.has_vector,
        )
    os.replace(tmp, path)
    for old in stored_pools()[POOL_KEEP:]:
        old.unlink(missing_ok=True)
    return path


def _load_stored(path: Path) -> Pool:
    """A stored pool, checked for consistency (a truncated or foreign file raises), with its column
    views worked out here, once, rather than by the first rankings that need them."""
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"][0]) != POOL_FORMAT:
            raise ValueError(f"format {int(z['format'][0])}, expected {POOL_FORMAT}")
        ids = np.asarray(z["ids"], dtype=np.int64)
        n = len(ids)
        names = [str(x) for x in z["tag_names"]]
        offsets = np.asarray(z["tag_offsets"], dtype=np.int64)
        vectors = np.asarray(z["vectors"], dtype=np.float32)
        columns = {k: z[k] for k in ("authors", "languages", "countries", "created", "popularity", "has_vector")}
    if any(len(c) != n for c in columns.values()) or len(offsets) != n + 1 or vectors.shape != (n, embeddings.DIM):
        raise ValueError("inconsistent pool arrays")
    if n and (int(offsets[0]) != 0 or int(offsets[-1]) != len(names) or np.any(np.diff(offsets) < 0)):
        raise ValueError("inconsistent tag offsets")
    bounds = offsets.tolist()
    p = Pool(
        ids=ids,
        authors=np.asarray(columns["authors"], dtype=np.int64),
        languages=[str(x) for x in columns["languages"]],
        countries=[str(x) for x in columns["countries"]],
        created=np.asarray(columns["created"], dtype=np.float64),
        popularity=np.asarray(columns["popularity"], dtype=np.float64),
        tags=[tuple(names[bounds[i] : bounds[i + 1]]) for i in range(n)],
        vectors=vectors,
        has_vector=np.asarray(columns["has_vector"], dtype=bool),
        index={int(pk): i for i, pk in enumerate(ids.tolist())},
    )
    for view in ("language_codes", "country_array", "author_codes", "tag_matrix"):
        getattr(p, view)
    return p


def build_pool(*, unless_younger_than: float = 0.0) -> Path | None:
    """Build the pool from the database and store it for the web processes (the low queue's
    ``tasks.build_pool``, the commands, tests); None when the newest stored pool is younger than
    ``unless_younger_than`` seconds (another build just ran)."""
    newest = stored_pools()[:1]
    if newest and unless_younger_than > 0 and _age(newest[0]) < unless_younger_than:
        return None
    t0 = time.monotonic()
    path = _save(_build_pool())
    logger.info("recommend: built candidate pool %s in %.2fs", path.name, time.monotonic() - t0)
    return path


def rebuild_pool() -> Path | None:
    """Build and store a pool now, and have this process read it on its next ``pool()`` (after training,
    embedding, and in tests that add notes)."""
    path = build_pool()
    _loaded.pop(str(_pool_dir()), None)
    return path


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return math.inf


def _queue_build(why: str) -> None:
    """Queue one build for the instance (the lock, a cache entry, expires on its own if the task is
    lost; the task removes it when done). A failure to queue is logged, never the request's."""
    if not cache.add(BUILD_LOCK_KEY, True, POOL_SECONDS):
        return
    from recommend import tasks  # import cycle: the tasks module calls the selectors, which call this one

    logger.info("recommend: %s; queueing a pool build", why)
    try:
        tasks.build_pool.enqueue()
    except Exception:
        logger.exception("recommend: could not queue a pool build")
        cache.delete(BUILD_LOCK_KEY)


# Per model directory: (when last looked for a newer file, monotonic; that file; the pool it holds).
_loaded: dict[str, tuple[float, Path, Pool]] = {}
_warned: set[Path] = set()
_pool_lock = threading.Lock()


def pool() -> Pool:
    """The newest stored pool, looked for every ``POOL_CHECK_SECONDS``; never built here.

    One thread of a process looks (and loads a new file); the process's other threads meanwhile keep
    ranking with the pool they have. A file that does not load is logged and the previous version is
    used; with none stored a build is queued and ``PoolMissing`` raised (the caller serves trending)."""
    key = str(_pool_dir())
    hit = _loaded.get(key)
    if hit is not None and time.monotonic() - hit[0] < POOL_CHECK_SECONDS:
        return hit[2]
    if hit is not None and not _pool_lock.acquire(blocking=False):
        return hit[2]  # another thread is looking
    if hit is None:
        _pool_lock.acquire()
    try:
        return _refresh(key)
    finally:
        _pool_lock.release()


def _refresh(key: str) -> Pool:
    hit = _loaded.get(key)
    versions = stored_pools()
    if not versions:
        _queue_build("no candidate pool stored")
        versions = stored_pools()  # an immediate task backend (tests, a shell) has built it meanwhile
    chosen: tuple[Path, Pool] | None = None
    for i, path in enumerate(versions):
        if hit is not None and hit[1] == path:
            chosen = (path, hit[2])
            break
        try:
            chosen = (path, _load_stored(path))
        except Exception as exc:  # a corrupt, truncated or foreign file: try the previous version
            logger.warning(
                "recommend: candidate pool %s unusable (%s: %s); falling back to the previous version",
                path.name,
                type(exc).__name__,
                exc,
            )
            continue
        if i > 0:
            logger.warning("recommend: serving previous candidate pool %s", path.name)
        break
    if chosen is None and hit is not None:
        logger.warning("recommend: no stored candidate pool loads; keeping %s", hit[1].name)
        chosen = (hit[1], hit[2])
    if chosen is None:
        logger.warning("recommend: no candidate pool in %s; serving trending until one is built", key)
        _queue_build("no candidate pool loads")
        raise PoolMissing(key)
    age = _age(chosen[0])
    if age > POOL_SECONDS:
        _queue_build(f"candidate pool {chosen[0].name} is {age:.0f}s old")
    if age > POOL_STALE_SECONDS and chosen[0] not in _warned:
        _warned.add(chosen[0])
        logger.warning(
            "recommend: candidate pool %s is %.0fs old; is the low-queue worker running?", chosen[0].name, age
        )
    _loaded[key] = (time.monotonic(), chosen[0], chosen[1])
    return chosen[1]


def forget_loaded_pool() -> None:
    """Drop every process-held pool (tests)."""
    _loaded.clear()


def base_language(code: str) -> str:
    return (code or "").split("-")[0].lower()


@dataclass
class Reader:
    """What ranking knows of a reader. Every field but the id defaults to empty: a reader with no
    languages, interests, follows or history (a newcomer before onboarding, or a topic looked up alone)."""

    user_id: int
    languages: set[str] = field(default_factory=set)
    region: str = ""
    interests: set[str] = field(default_factory=set)
    interest_words: list[str] = field(default_factory=list)
    following: set[int] = field(default_factory=set)
    history: dict[int, float] = field(default_factory=dict)  # note id -> summed positive weight
    history_kind: dict[int, str] = field(default_factory=dict)  # note id -> the strongest kind (reason line)
    history_authors: dict[int, float] = field(default_factory=dict)  # author id -> summed positive weight
    hidden_notes: set[int] = field(default_factory=set)
    hidden_authors: dict[int, int] = field(default_factory=dict)  # author id -> number of hides
    blocked_authors: set[int] = field(default_factory=set)  # "show less from this author"
    hidden_tags: dict[str, float] = field(default_factory=dict)  # tag -> penalty weight
    language_mix: int = LanguageMix.MIX
    # Embeddings of the history's notes; None: read from NoteEmbedding when first needed.
    history_vectors: dict[int, np.ndarray] | None = None

    def vectors(self) -> dict[int, np.ndarray]:
        if self.history_vectors is None:
            self.history_vectors = embeddings.vectors_for(list(self.history)[:HISTORY])
        return self.history_vectors

    def speaks(self, language: str) -> bool:
        return not language or base_language(language) in self.languages


def _signals(user_id: int) -> tuple[list[tuple[int, int, str, str]], set[int], int | None]:
    """The reader's recent interactions (impressions aside, newest first, at most ``HISTORY``) as
    (note, author, kind, reason), the authors they follow and their language-mix setting (None when
    never set): one hand-written query, where three ORM queries cost more to build than to run on a
    cold reader's page. Only table and column names are formatted in; every value is a parameter."""
    interaction, follow = Interaction._meta.db_table, Follow._meta.db_table
    preference = ReaderPreference._meta.db_table
    sql = (
        "SELECT 0, note_id, author_id, kind, reason, created_at FROM ("  # noqa: S608
        f"SELECT note_id, author_id, kind, reason, created_at FROM {interaction} "
        "WHERE user_id = %s AND NOT (kind = %s) ORDER BY created_at DESC LIMIT %s) recent "
        f"UNION ALL SELECT 1, followee_id, NULL, NULL, NULL, NULL FROM {follow} WHERE follower_id = %s "
        f"UNION ALL SELECT 2, language_mix, NULL, NULL, NULL, NULL FROM {preference} WHERE user_id = %s "
        "ORDER BY 1, 6 DESC"
    )
    history: list[tuple[int, int, str, str]] = []
    following: set[int] = set()
    mix: int | None = None
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, str(Kind.IMPRESSION), HISTORY, user_id, user_id])
        for part, value, author_id, kind, reason, _at in cursor.fetchall():
            if part == 0:
                history.append((value, author_id, kind, reason))
            elif part == 1:
                following.add(value)
            else:
                mix = int(value)
    return history, following, mix


def reader_for(user: User, pool: Pool | None = None) -> Reader:
    """The reader's taste signals: one query for their recent interactions, their follows and their
    language mix (``_signals``). With ``pool``, the embeddings of engaged notes in it come from the pool
    (only the others are read from the database)."""
    rows, following, pref = _signals(user.pk)
    history: dict[int, float] = {}
    history_authors: dict[int, float] = {}
    history_kind: dict[int, str] = {}
    hidden_notes: set[int] = set()
    hidden_authors: dict[int, int] = {}
    blocked_authors: set[int] = set()
    for note_id, author_id, kind, reason in rows:
        if kind == Kind.HIDE:
            hidden_notes.add(note_id)
            hidden_authors[author_id] = hidden_authors.get(author_id, 0) + 1
            if reason == HideReason.AUTHOR:
                blocked_authors.add(author_id)
        elif kind in POSITIVE:
            history[note_id] = history.get(note_id, 0.0) + WEIGHTS[kind]
            if kind != Kind.FOLLOW:
                history_authors[author_id] = history_authors.get(author_id, 0.0) + WEIGHTS[kind]
            if WEIGHTS[kind] > WEIGHTS.get(history_kind.get(note_id, ""), -1.0):
                history_kind[note_id] = kind
    for note_id in hidden_notes:
        history.pop(note_id, None)
    hidden_tags: dict[str, float] = {}
    if hidden_notes:
        reasons = {n: r for n, _a, k, r in rows if k == Kind.HIDE}
        for note_id, name in NoteTag.objects.filter(note_id__in=hidden_notes).values_list("note_id", "tag__name"):
            hidden_tags[name] = hidden_tags.get(name, 0.0) + (1.0 if reasons.get(note_id) == HideReason.TOPIC else 0.4)
    langs = {base_language(c) for c in (user.languages or []) if c} or {base_language(user.preferred_language)}
    interests = [str(i) for i in (user.interests or []) if i]
    history_vectors: dict[int, np.ndarray] | None = None
    if pool is not None:
        history_vectors = {}
        elsewhere = []
        for note_id in list(history)[:HISTORY]:
            i = pool.index.get(note_id)
            if i is None:
                elsewhere.append(note_id)
            elif pool.has_vector[i]:
                history_vectors[note_id] = pool.vectors[i]
        if elsewhere:
            history_vectors.update(embeddings.vectors_for(elsewhere))
    return Reader(
        user_id=user.pk,
        languages=langs,
        region=(user.region or "").upper(),
        interests={k for i in interests if (k := normalize_tag(i))},
        interest_words=interests,
        following=following,
        history=history,
        history_kind=history_kind,
        history_authors={a: w for a, w in history_authors.items() if a not in hidden_authors},
        hidden_notes=hidden_notes,
        hidden_authors=hidden_authors,
        blocked_authors=blocked_authors,
        hidden_tags=hidden_tags,
        language_mix=pref if pref is not None else LanguageMix.MIX,
        history_vectors=history_vectors,
    )


def _top(scores: dict[int, float], limit: int = SOURCE_LIMIT) -> dict[int, float]:
    best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    if not best:
        return {}
    top = max(best[0][1], 1e-9)
    return {k: max(0.0, v / top) for k, v in best}


# A source's column over the pool holds each note's score, or NOT_FOUND where the source did not find it
# (a found note can score 0: it is still a candidate).
NOT_FOUND = -1.0


def _dense_top(
    values: np.ndarray, members: np.ndarray, *, order: np.ndarray | None = None, limit: int = SOURCE_LIMIT
) -> np.ndarray:
    """``_top`` over pool columns: the best ``limit`` members (equal values in pool order, or by
    ``order``), scaled so the best is 1 and clipped at 0; ``NOT_FOUND`` elsewhere."""
    out = np.full(len(values), NOT_FOUND)
    rows = np.flatnonzero(members)
    if not len(rows):
        return out
    v = values[rows]
    pick = np.argsort(-v, kind="stable")[:limit] if order is None else np.lexsort((order[rows], -v))[:limit]
    rows, v = rows[pick], v[pick]
    top = max(float(v[0]), 1e-9)
    out[rows] = np.maximum(0.0, v / top)
    return out


def as_dict(p: Pool, column: np.ndarray) -> dict[int, float]:
    """A source's pool column as ``{note_id: score}`` (the notes it found)."""
    rows = np.flatnonzero(column > NOT_FOUND)
    return dict(zip(p.ids[rows].tolist(), column[rows].tolist(), strict=True))


def recency(p: Pool, now: float, half_life_hours: float = 24.0) -> np.ndarray:
    """Per note: 0.5 per ``half_life_hours`` of age."""
    return np.power(0.5, np.maximum(0.0, now - p.created) / 3600.0 / half_life_hours)


def _recency(p: Pool, i: int, now: float, half_life_hours: float = 24.0) -> float:
    return math.pow(0.5, max(0.0, now - p.created[i]) / 3600.0 / half_life_hours)


def followed_column(p: Pool, r: Reader) -> np.ndarray:
    if not r.following or not len(p):
        return np.full(len(p), NOT_FOUND)
    return _dense_top(0.2 + recency(p, time.time()), p.author_mask(r.following))


def followed_authors(p: Pool, r: Reader) -> dict[int, float]:
    """Recent notes of the authors the reader follows, newer first."""
    return as_dict(p, followed_column(p, r))


def liked_authors_column(p: Pool, r: Reader) -> np.ndarray:
    if not r.history_authors or not len(p):
        return np.full(len(p), NOT_FOUND)
    weights = p.author_values(r.history_authors)
    members = p.author_mask(r.history_authors)
    if r.following:
        members &= ~p.author_mask(r.following)
    return _dense_top(weights, members)


def liked_authors(p: Pool, r: Reader) -> dict[int, float]:
    """Other notes of authors whose notes the reader engaged with (and does not follow yet)."""
    return as_dict(p, liked_authors_column(p, r))


def profile_vector(r: Reader) -> np.ndarray | None:
    if not r.history:
        return None
    vecs = r.vectors()
    if not vecs:
        return None
    keys = list(vecs)
    mean = np.stack([vecs[k] for k in keys]).T @ np.array([r.history.get(k, 0.0) for k in keys], dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def similar_column(p: Pool, r: Reader, profile: np.ndarray | None = None) -> np.ndarray:
    out = np.full(len(p), NOT_FOUND)
    profile = profile if profile is not None else profile_vector(r)
    if profile is None or not p.has_vector.any():
        return out
    sims = p.vectors @ profile
    sims[~p.has_vector] = -1.0
    order = np.argsort(-sims)[:SOURCE_LIMIT]
    order = order[sims[order] > 0.25]
    if r.history and len(order):
        order = order[~np.isin(p.ids[order], np.fromiter(r.history, dtype=np.int64, count=len(r.history)))]
    out[order] = sims[order]
    return out


def similar_notes(p: Pool, r: Reader, profile: np.ndarray | None = None) -> dict[int, float]:
    """Notes close in the multilingual embedding space to what the reader engaged with, any language."""
    return as_dict(p, similar_column(p, r, profile))


def similar_to_note(p: Pool, note_id: int, *, limit: int = 40, floor: float = 0.35) -> dict[int, float]:
    """Pool notes close to one note in the multilingual embedding space (an English note about hot
    pot finds Chinese ones about 火锅); none when that note has no embedding yet."""
    vector = embeddings.vectors_for([note_id]).get(note_id)
    if vector is None or not p.has_vector.any():
        return {}
    sims = p.vectors @ vector
    sims[~p.has_vector] = -1.0
    order = np.argsort(-sims)[: limit + 1]
    return {int(p.ids[i]): float(sims[i]) for i in order if sims[i] >= floor and int(p.ids[i]) != note_id}


def collaborative_column(p: Pool, r: Reader, model: Model | None) -> np.ndarray:
    if model is None or not r.history or not len(p):
        return np.full(len(p), NOT_FOUND)
    items, scores = model.neighbours.score_arrays(r.history, limit=SOURCE_LIMIT * 3)
    index = p.index
    keep = [(index[i], k) for k, i in enumerate(items.tolist()) if i in index]
    members = np.zeros(len(p), dtype=bool)
    values = np.zeros(len(p))
    order = np.zeros(len(p), dtype=np.int64)
    if keep:
        rows = np.array([row for row, _k in keep], dtype=np.int64)
        ranks = np.array([k for _row, k in keep], dtype=np.int64)
        members[rows] = True
        values[rows] = scores[ranks]
        order[rows] = ranks
    return _dense_top(values, members, order=order)


def collaborative(p: Pool, r: Reader, model: Model | None) -> dict[int, float]:
    """Item-item neighbours of the reader's history (from the trained model), kept to the pool."""
    return as_dict(p, collaborative_column(p, r, model))


INTEREST_COLUMNS = 1000  # distinct interest sets kept per pool; past that the memo starts again


def interests_column(p: Pool, r: Reader) -> np.ndarray:
    """The interests source's column (read-only: shared by every reader with the same interests until
    the pool is rebuilt, a minute; an encoder that failed to load is retried with the next pool)."""
    key = (frozenset(r.interests), tuple(r.interest_words))
    column = p.interest_columns.get(key)
    if column is None:
        column = _interests_column(p, r)
        column.flags.writeable = False
        if len(p.interest_columns) >= INTEREST_COLUMNS:
            p.interest_columns.clear()
        p.interest_columns[key] = column
    return column


def _interests_column(p: Pool, r: Reader) -> np.ndarray:
    n = len(p)
    values = np.zeros(n)
    members = np.zeros(n, dtype=bool)
    # Equal scores keep the order the notes were found in: tagged ones in pool order, then the rest by
    # closeness.
    order = np.full(n, 2 * n, dtype=np.int64)
    if r.interests and n:
        tagged = p.tag_values(dict.fromkeys(r.interests, 1.0)) > 0
        values[tagged] = 0.7 + 0.3 * p.popularity[tagged]
        members |= tagged
        order[tagged] = np.flatnonzero(tagged)
    vecs = embeddings.interest_vectors(r.interest_words) if r.interest_words and p.has_vector.any() else None
    if vecs is not None:
        sims = (p.vectors @ vecs.T).max(axis=1)
        sims[~p.has_vector] = -1.0
        close = np.argsort(-sims)[:SOURCE_LIMIT]
        ranks = np.arange(len(close))
        keep = sims[close] > INTEREST_FLOOR
        close, ranks = close[keep], ranks[keep]
        score = np.minimum(1.0, (sims[close].astype(np.float64) - INTEREST_FLOOR) / INTEREST_SPAN)
        new = ~members[close]
        order[close[new]] = n + ranks[new]
        values[close] = np.where(members[close], np.maximum(values[close], score), score)
        members[close] = True
    return _dense_top(values, members, order=order)


def interests(p: Pool, r: Reader) -> dict[int, float]:
    """Cold start: notes tagged with the reader's onboarding interests, and notes whose embedding is
    close to the interests' words (so "food" finds 美食 and 火锅 notes too)."""
    return as_dict(p, interests_column(p, r))


def trending_language_column(p: Pool, r: Reader) -> np.ndarray:
    return _dense_top(p.popularity, p.speaks_mask(r))


def trending_language(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity among notes in the reader's languages."""
    return as_dict(p, trending_language_column(p, r))


def trending_region_column(p: Pool, r: Reader) -> np.ndarray:
    if not r.region or not len(p):
        return np.full(len(p), NOT_FOUND)
    return _dense_top(p.popularity, p.country_array == r.region)


def trending_region(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity among notes posted from the reader's region."""
    return as_dict(p, trending_region_column(p, r))


def fresh_column(p: Pool, r: Reader) -> np.ndarray:
    out = np.full(len(p), NOT_FOUND)
    order = np.argsort(-p.created)[:SOURCE_LIMIT]
    out[order] = recency(p, time.time(), FRESH_HOURS)[order]
    return out


def fresh(p: Pool, r: Reader) -> dict[int, float]:
    """The newest notes, for exploration (decaying over two days)."""
    return as_dict(p, fresh_column(p, r))


def popular_column(p: Pool, r: Reader) -> np.ndarray:
    return _dense_top(p.popularity, np.ones(len(p), dtype=bool))


def popular(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity over the whole pool: what keeps a page from ever being empty."""
    return as_dict(p, popular_column(p, r))
