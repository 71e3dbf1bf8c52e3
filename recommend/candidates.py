"""Candidate sources for For you. Each takes the shared ``Pool`` of recent public notes and a
``Reader`` and returns ``{note_id: score in [0, 1]}``, so each can be measured alone (docs/recommend.md).

The pool is built once a minute per process (recent public notes, their tags, languages, countries,
decayed popularity and embeddings); the reader is one query over their recent interactions."""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from accounts.selectors import following_ids
from core.text import normalize_tag
from notes.models import Note, NoteTag
from notes.selectors import popularity
from recommend import embeddings
from recommend.models import POSITIVE, WEIGHTS, HideReason, Interaction, Kind, LanguageMix, ReaderPreference
from recommend.training import Model

POOL_SIZE = 3000
POOL_DAYS = 30
POOL_SECONDS = 60
HISTORY = 300
SOURCE_LIMIT = 200
FRESH_HOURS = 48.0
# A note this close to an interest's embedding starts to count, fully from FLOOR + SPAN (USE multilingual:
# "#food" against a Chinese hot-pot note is about 0.23, against unrelated notes under 0.08).
INTEREST_FLOOR = 0.1
INTEREST_SPAN = 0.12


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

    def __len__(self) -> int:
        return len(self.ids)


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


_pool: tuple[str, Pool] | None = None


def pool() -> Pool:
    """The shared pool, rebuilt when its generation in the cache expires (a minute) or the cache is cleared."""
    global _pool
    gen = cache.get("rec:pool:gen")
    if gen is None:
        gen = uuid.uuid4().hex
        cache.set("rec:pool:gen", gen, POOL_SECONDS)
    if _pool is None or _pool[0] != gen:
        _pool = (gen, _build_pool())
    return _pool[1]


def forget_pool() -> None:
    """Rebuild the pool on the next read (after training, and in tests that add notes)."""
    cache.delete("rec:pool:gen")


def base_language(code: str) -> str:
    return (code or "").split("-")[0].lower()


@dataclass
class Reader:
    user_id: int
    languages: set[str]
    region: str
    interests: set[str]
    interest_words: list[str]
    following: set[int]
    history: dict[int, float]  # note id -> summed positive weight
    history_kind: dict[int, str]  # note id -> the strongest kind (for the reason line)
    history_authors: dict[int, float]  # author id -> summed positive weight
    hidden_notes: set[int]
    hidden_authors: dict[int, int]  # author id -> number of hides
    blocked_authors: set[int]  # "show less from this author"
    hidden_tags: dict[str, float]  # tag -> penalty weight
    language_mix: int = LanguageMix.MIX
    # Embeddings of the history's notes; None: read from NoteEmbedding when first needed.
    history_vectors: dict[int, np.ndarray] | None = None

    def vectors(self) -> dict[int, np.ndarray]:
        if self.history_vectors is None:
            self.history_vectors = embeddings.vectors_for(list(self.history)[:HISTORY])
        return self.history_vectors

    def speaks(self, language: str) -> bool:
        return not language or base_language(language) in self.languages


def reader_for(user: User) -> Reader:
    rows = list(
        Interaction.objects.filter(user_id=user.pk)
        .exclude(kind=Kind.IMPRESSION)
        .order_by("-created_at")
        .values_list("note_id", "author_id", "kind", "reason")[:HISTORY]
    )
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
    pref = ReaderPreference.objects.filter(user_id=user.pk).values_list("language_mix", flat=True).first()
    langs = {base_language(c) for c in (user.languages or []) if c} or {base_language(user.preferred_language)}
    interests = [str(i) for i in (user.interests or []) if i]
    return Reader(
        user_id=user.pk,
        languages=langs,
        region=(user.region or "").upper(),
        interests={k for i in interests if (k := normalize_tag(i))},
        interest_words=interests,
        following=following_ids(user),
        history=history,
        history_kind=history_kind,
        history_authors={a: w for a, w in history_authors.items() if a not in hidden_authors},
        hidden_notes=hidden_notes,
        hidden_authors=hidden_authors,
        blocked_authors=blocked_authors,
        hidden_tags=hidden_tags,
        language_mix=pref if pref is not None else LanguageMix.MIX,
    )


def _top(scores: dict[int, float], limit: int = SOURCE_LIMIT) -> dict[int, float]:
    best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
    if not best:
        return {}
    top = max(best[0][1], 1e-9)
    return {k: max(0.0, v / top) for k, v in best}


def _recency(p: Pool, i: int, now: float, half_life_hours: float = 24.0) -> float:
    return math.pow(0.5, max(0.0, now - p.created[i]) / 3600.0 / half_life_hours)


def followed_authors(p: Pool, r: Reader) -> dict[int, float]:
    """Recent notes of the authors the reader follows, newer first."""
    if not r.following:
        return {}
    now = time.time()
    return _top({int(p.ids[i]): 0.2 + _recency(p, i, now) for i in range(len(p)) if int(p.authors[i]) in r.following})


def liked_authors(p: Pool, r: Reader) -> dict[int, float]:
    """Other notes of authors whose notes the reader engaged with (and does not follow yet)."""
    weights: dict[int, float] = {}
    if not r.history_authors:
        return {}
    for i in range(len(p)):
        author = int(p.authors[i])
        if author in r.history_authors and author not in r.following:
            weights[int(p.ids[i])] = r.history_authors[author]
    return _top(weights)


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


def similar_notes(p: Pool, r: Reader, profile: np.ndarray | None = None) -> dict[int, float]:
    """Notes close in the multilingual embedding space to what the reader engaged with, any language."""
    profile = profile if profile is not None else profile_vector(r)
    if profile is None or not p.has_vector.any():
        return {}
    sims = p.vectors @ profile
    sims[~p.has_vector] = -1.0
    order = np.argsort(-sims)[:SOURCE_LIMIT]
    return {int(p.ids[i]): float(sims[i]) for i in order if sims[i] > 0.25 and int(p.ids[i]) not in r.history}


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


def collaborative(p: Pool, r: Reader, model: Model | None) -> dict[int, float]:
    """Item-item neighbours of the reader's history (from the trained model), kept to the pool."""
    if model is None or not r.history:
        return {}
    scored = model.neighbours.score(r.history, limit=SOURCE_LIMIT * 3)
    return _top({k: v for k, v in scored.items() if k in p.index})


def interests(p: Pool, r: Reader) -> dict[int, float]:
    """Cold start: notes tagged with the reader's onboarding interests, and notes whose embedding is
    close to the interests' words (so "food" finds 美食 and 火锅 notes too)."""
    out: dict[int, float] = {}
    if r.interests:
        for i in range(len(p)):
            if r.interests.intersection(p.tags[i]):
                out[int(p.ids[i])] = 0.7 + 0.3 * float(p.popularity[i])
    vecs = embeddings.interest_vectors(r.interest_words) if r.interest_words and p.has_vector.any() else None
    if vecs is not None:
        sims = (p.vectors @ vecs.T).max(axis=1)
        sims[~p.has_vector] = -1.0
        for i in np.argsort(-sims)[:SOURCE_LIMIT]:
            if sims[i] > INTEREST_FLOOR:
                pk = int(p.ids[i])
                out[pk] = max(out.get(pk, 0.0), min(1.0, (float(sims[i]) - INTEREST_FLOOR) / INTEREST_SPAN))
    return _top(out)


def trending_language(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity among notes in the reader's languages."""
    return _top({int(p.ids[i]): float(p.popularity[i]) for i in range(len(p)) if r.speaks(p.languages[i])})


def trending_region(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity among notes posted from the reader's region."""
    if not r.region:
        return {}
    return _top({int(p.ids[i]): float(p.popularity[i]) for i in range(len(p)) if p.countries[i] == r.region})


def fresh(p: Pool, r: Reader) -> dict[int, float]:
    """The newest notes, for exploration (decaying over two days)."""
    now = time.time()
    order = np.argsort(-p.created)[:SOURCE_LIMIT]
    return {int(p.ids[i]): _recency(p, int(i), now, FRESH_HOURS) for i in order}


def popular(p: Pool, r: Reader) -> dict[int, float]:
    """Decayed popularity over the whole pool: what keeps a page from ever being empty."""
    return _top({int(p.ids[i]): float(p.popularity[i]) for i in range(len(p))})
