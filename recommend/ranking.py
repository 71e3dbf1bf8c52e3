"""The ranking and the re-ranking of For you.

Each candidate gets a feature vector (``RANKER_FEATURES``: the candidate sources' scores, language
match, author followed, interest match, age, popularity, how many sources found it, the position it
is served at). A model with a learned ranker (``training.Ranker``, a logistic regression trained on
For-you impressions and what the reader did next) scores it as the probability of engagement; without
one (no model file, or too few impressions yet) the hand blend scores it: sum over sources of weight x
score (``DEFAULT_WEIGHTS``) plus small language and age terms. Either way the score is then multiplied
by the reader's penalties (a hidden author, a hidden topic, closeness to hidden notes), and re-ranking
fills the page greedily: no two notes of one author within three cards, no three of one topic in a
row, and the page's share of notes in the reader's languages steered to the language-mix setting. The
largest weighted source of each card is its reason."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from recommend import candidates as c
from recommend.models import OWN_LANGUAGE_SHARE
from recommend.training import DEFAULT_WEIGHTS, SOURCES, Model

# What a card's reason is when a feature is its largest contribution.
REASON_OF = {
    "follow": "followed",
    "author": "author_you_liked",
    "similar": "similar",
    "cf": "readers_like_you",
    "interest": "interest",
    "trend_lang": "popular_language",
    "trend_region": "popular_region",
    "fresh": "new",
    "popular": "popular",
}
AUTHOR_GAP = 3
TOPIC_RUN = 2
WINDOW = 40
# How good (against the best note in the reader's languages) a note in another language must be to
# take its turn, by language-mix setting: "show me the world" takes nearly anything.
FOREIGN_FLOOR = {0: 0.5, 1: 0.4, 2: 0.3, 3: 0.15, 4: 0.05}


@dataclass
class Scored:
    note_id: int
    score: float
    reason: str
    detail: str = ""  # the interest tag, or the kind of the note it is like ("collect", "like")
    author_id: int = 0
    language: str = ""
    topic: str = ""
    features: dict[str, float] = field(default_factory=dict)


def gather(p: c.Pool, r: c.Reader, model: Model | None) -> dict[str, dict[int, float]]:
    profile = c.profile_vector(r)
    return {
        "follow": c.followed_authors(p, r),
        "author": c.liked_authors(p, r),
        "similar": c.similar_notes(p, r, profile),
        "cf": c.collaborative(p, r, model),
        "interest": c.interests(p, r),
        "trend_lang": c.trending_language(p, r),
        "trend_region": c.trending_region(p, r),
        "fresh": c.fresh(p, r),
        "popular": c.popular(p, r),
    }


def _anchor_kind(p: c.Pool, r: c.Reader, note_index: int) -> str:
    """The kind of interaction with the history note most like this one ("collect", "like", ...)."""
    vecs = r.vectors()
    if not vecs:
        return ""
    ids = list(vecs)
    sims = np.stack([vecs[k] for k in ids]) @ p.vectors[note_index]
    return r.history_kind.get(ids[int(np.argmax(sims))], "")


AGE_SCALE = math.log1p(30 * 24.0)  # age feature: log hours, 1.0 at 30 days


def note_features(p: c.Pool, r: c.Reader, i: int, sources: dict[str, float], now: float) -> dict[str, float]:
    """The ranker's features of pool note ``i`` for reader ``r`` (``position`` 0: the slot is not known
    yet; training sees the position each impression was served at)."""
    feats = {name: float(sources.get(name, 0.0)) for name in SOURCES}
    hours = max(0.0, now - float(p.created[i])) / 3600.0
    feats["lang_match"] = 1.0 if r.speaks(p.languages[i]) else 0.0
    feats["author_followed"] = 1.0 if int(p.authors[i]) in r.following else 0.0
    feats["topic_match"] = 1.0 if r.interests.intersection(p.tags[i]) else 0.0
    feats["age"] = min(1.0, math.log1p(hours) / AGE_SCALE)
    feats["popularity"] = float(p.popularity[i])
    feats["sources"] = sum(1 for name in SOURCES if feats[name] > 0) / len(SOURCES)
    feats["position"] = 0.0
    return feats


def score(p: c.Pool, r: c.Reader, model: Model | None, *, exclude: set[int] | None = None) -> list[Scored]:
    """Every candidate scored, best first (before re-ranking): by the model's learned ranker when it
    has one, else by the hand blend."""
    sources = gather(p, r, model)
    weights = dict(DEFAULT_WEIGHTS)
    if model is not None:
        weights.update(model.weights)
    ranker = model.ranker if model is not None else None
    # Notes the reader engaged with are not offered again; a follow is kept against the author's latest
    # note, which is no reason to leave that note out.
    engaged = {pk for pk in r.history if r.history_kind.get(pk) != "follow"}
    exclude = (exclude or set()) | r.hidden_notes | engaged
    hidden_rows = [p.index[n] for n in r.hidden_notes if n in p.index and p.has_vector[p.index[n]]]
    hidden_vecs = p.vectors[hidden_rows] if hidden_rows else None
    now = time.time()
    out: list[Scored] = []
    ids = set().union(*sources.values())
    for pk in ids:
        i = p.index.get(pk)
        if i is None or pk in exclude:
            continue
        author = int(p.authors[i])
        if author == r.user_id or author in r.blocked_authors:
            continue
        feats = note_features(p, r, i, {name: sources[name].get(pk, 0.0) for name in SOURCES}, now)
        contrib = {name: weights.get(name, 0.0) * feats[name] for name in SOURCES}
        if ranker is not None:
            total = ranker.probability(feats)
            learned = {name: ranker.weight(name) * feats[name] for name in SOURCES}
            if max(learned.values()) > 0:  # the reason follows what the ranker weighs, where it weighs any
                contrib = learned
        else:
            total = sum(contrib.values())
            total += weights.get("lang_match", 0.0) * feats["lang_match"]
            total += 0.05 * c._recency(p, i, now, 72.0)
        # Penalties from "not interested".
        total *= 0.35 ** r.hidden_authors.get(author, 0)
        topic_penalty = sum(r.hidden_tags.get(t, 0.0) for t in p.tags[i])
        total *= 0.6**topic_penalty
        if hidden_vecs is not None and p.has_vector[i]:
            closeness = float(np.max(hidden_vecs @ p.vectors[i]))
            total *= 1.0 - 0.8 * max(0.0, min(1.0, (closeness - 0.45) / 0.4))
        best = max(contrib, key=lambda k: contrib[k])
        detail = ""
        if best == "interest":
            detail = next((t for t in p.tags[i] if t in r.interests), "")
        out.append(
            Scored(
                note_id=pk,
                score=total,
                reason=REASON_OF[best],
                detail=detail,
                author_id=author,
                language=c.base_language(p.languages[i]),
                topic=p.tags[i][0] if p.tags[i] else "",
                features=feats,
            )
        )
    out.sort(key=lambda s: s.score, reverse=True)
    for s in out[:60]:
        if s.reason == "similar":
            s.detail = _anchor_kind(p, r, p.index[s.note_id])
    return out


def _best(group: list[Scored], out: list[Scored]) -> int:
    """Index in ``group`` of the best next card, its score cut for an author seen in the last
    ``AUTHOR_GAP`` cards or a topic that would make a run of ``TOPIC_RUN + 1``."""
    recent_authors = {s.author_id for s in out[-AUTHOR_GAP:]}
    last_topics = [s.topic for s in out[-TOPIC_RUN:]]
    best_i, best_v = 0, -1e18
    for j, s in enumerate(group[:WINDOW]):
        v = s.score
        if s.author_id in recent_authors:
            v *= 0.05
        if s.topic and len(last_topics) == TOPIC_RUN and all(t == s.topic for t in last_topics):
            v *= 0.4
        if v > best_v:
            best_i, best_v = j, v
    return best_i


def observed_own_share(p: c.Pool, r: c.Reader) -> float | None:
    """The share of the reader's engaged notes (those still in the pool) in their own languages; None
    with fewer than five of them."""
    langs = [p.languages[p.index[n]] for n in r.history if n in p.index]
    return sum(1 for x in langs if r.speaks(x)) / len(langs) if len(langs) >= 5 else None


def rerank(items: list[Scored], r: c.Reader, *, limit: int, observed_own: float | None = None) -> list[Scored]:
    """Greedy re-ranking for diversity and the reader's language mix (see the module's docstring).

    The page is filled like a quota: a card in the reader's languages is due whenever their share so
    far would fall short of the setting's target (``OWN_LANGUAGE_SHARE``), else one in another
    language, unless the best of those scores under ``FOREIGN_FLOOR`` of the best own one (quality
    first) or there are none. With enough history the target moves halfway to the share the reader
    actually engages with (``observed_own``): a "mix" means more for someone who reads other languages."""
    target = OWN_LANGUAGE_SHARE.get(r.language_mix, 0.7)
    if observed_own is not None:
        target = (target + observed_own) / 2
    own_items = [s for s in items if r.speaks(s.language)]
    foreign = [s for s in items if not r.speaks(s.language)]
    out: list[Scored] = []
    own = 0
    while (own_items or foreign) and len(out) < limit:
        own_due = target * (len(out) + 1) - own >= 0.5
        use_own = bool(own_items) and (
            own_due or not foreign or foreign[0].score < FOREIGN_FLOOR.get(r.language_mix, 0.3) * own_items[0].score
        )
        group = own_items if use_own else foreign
        pick = group.pop(_best(group, out))
        own += 1 if use_own else 0
        out.append(pick)
    return out
