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
from recommend.training import DEFAULT_WEIGHTS, RANKER_FEATURES, SOURCES, Model

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


@dataclass(slots=True)
class Scored:
    note_id: int
    score: float
    reason: str
    detail: str = ""  # the interest tag, or the kind of the note it is like ("collect", "like")
    author_id: int = 0
    language: str = ""
    topic: str = ""
    # Its ``RANKER_FEATURES`` values as ``score`` computed them (a row of its feature matrix): turned into
    # a dict only when asked (``features``), and packed from the rows at once (``training.pack_rows``).
    row: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def features(self) -> dict[str, float]:
        return {} if self.row is None else dict(zip(RANKER_FEATURES, self.row.tolist(), strict=True))


def gather(p: c.Pool, r: c.Reader, model: Model | None) -> dict[str, dict[int, float]]:
    """Each candidate source's finds, ``{source: {note_id: score}}`` (to measure one source alone)."""
    columns = gather_columns(p, r, model)
    return {name: c.as_dict(p, columns[k]) for k, name in enumerate(SOURCES)}


def gather_columns(p: c.Pool, r: c.Reader, model: Model | None) -> np.ndarray:
    """The sources over the pool: one row per source (``SOURCES`` order), one column per pool note,
    ``candidates.NOT_FOUND`` where the source did not find the note."""
    profile = c.profile_vector(r)
    return np.stack(
        [
            c.followed_column(p, r),
            c.liked_authors_column(p, r),
            c.similar_column(p, r, profile),
            c.collaborative_column(p, r, model),
            c.interests_column(p, r),
            c.trending_language_column(p, r),
            c.trending_region_column(p, r),
            c.fresh_column(p, r),
            c.popular_column(p, r),
        ]
    ).reshape(len(SOURCES), len(p))


def _anchor_kinds(p: c.Pool, r: c.Reader, rows: np.ndarray) -> list[str]:
    """For each pool row, the kind of interaction with the history note most like it ("collect",
    "like", ...): one matrix product for all of them."""
    vecs = r.vectors()
    if not vecs or not len(rows):
        return [""] * len(rows)
    ids = list(vecs)
    sims = p.vectors[rows] @ np.stack([vecs[k] for k in ids]).T
    return [r.history_kind.get(ids[j], "") for j in np.argmax(sims, axis=1).tolist()]


AGE_SCALE = math.log1p(30 * 24.0)  # age feature: log hours, 1.0 at 30 days
FEATURE_AT = {name: k for k, name in enumerate(RANKER_FEATURES)}


def feature_matrix(p: c.Pool, r: c.Reader, rows: np.ndarray, sources: np.ndarray, now: float) -> np.ndarray:
    """The ranker's features (``RANKER_FEATURES`` columns) of pool ``rows`` for reader ``r``, from the
    sources' columns at those rows (``NOT_FOUND`` counts 0). ``position`` is 0: the slot is not known
    yet; training sees the position each impression was served at."""
    x = np.zeros((len(rows), len(RANKER_FEATURES)))
    x[:, : len(SOURCES)] = np.maximum(sources[:, rows].T, 0.0)
    hours = np.maximum(0.0, now - p.created[rows]) / 3600.0
    x[:, FEATURE_AT["lang_match"]] = p.speaks_mask(r)[rows]
    if r.following:
        x[:, FEATURE_AT["author_followed"]] = p.author_mask(r.following)[rows]
    if r.interests:
        x[:, FEATURE_AT["topic_match"]] = p.tag_values(dict.fromkeys(r.interests, 1.0))[rows] > 0
    x[:, FEATURE_AT["age"]] = np.minimum(1.0, np.log1p(hours) / AGE_SCALE)
    x[:, FEATURE_AT["popularity"]] = p.popularity[rows]
    x[:, FEATURE_AT["sources"]] = (x[:, : len(SOURCES)] > 0).sum(axis=1) / len(SOURCES)
    return x


def score(
    p: c.Pool, r: c.Reader, model: Model | None, *, exclude: set[int] | None = None, keep: int | None = None
) -> list[Scored]:
    """Every candidate scored, best first (before re-ranking): by the model's learned ranker when it
    has one, else by the hand blend. With ``keep``, only the best ``keep`` in the reader's languages and
    the best ``keep`` in others (``rerank(limit=L)`` never looks past the first L + ``WINDOW`` of
    either)."""
    if not len(p):
        return []
    sources = gather_columns(p, r, model)
    weights = dict(DEFAULT_WEIGHTS)
    if model is not None:
        weights.update(model.weights)
    ranker = model.ranker if model is not None else None
    # Notes the reader engaged with are not offered again; a follow is kept against the author's latest
    # note, which is no reason to leave that note out.
    engaged = {pk for pk in r.history if r.history_kind.get(pk) != "follow"}
    exclude = (exclude or set()) | r.hidden_notes | engaged
    candidate = (sources > c.NOT_FOUND).any(axis=0)
    if exclude:
        candidate &= ~np.isin(p.ids, np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
    candidate &= p.authors != r.user_id
    if r.blocked_authors:
        candidate &= ~p.author_mask(r.blocked_authors)
    rows = np.flatnonzero(candidate)
    if not len(rows):
        return []
    now = time.time()
    x = feature_matrix(p, r, rows, sources, now)
    found = x[:, : len(SOURCES)]
    hand = np.array([weights.get(name, 0.0) for name in SOURCES])
    contrib = found * hand
    if ranker is not None:
        coef = np.zeros(len(RANKER_FEATURES))
        for name in ranker.names:
            coef[FEATURE_AT[name]] = ranker.weight(name)
        z = np.clip(ranker.intercept + x @ coef, -30.0, 30.0)
        total = 1.0 / (1.0 + np.exp(-z))
        learned = found * coef[: len(SOURCES)]
        # The reason follows what the ranker weighs, where it weighs any source positively.
        contrib = np.where((learned.max(axis=1) > 0)[:, None], learned, contrib)
    else:
        total = contrib.sum(axis=1)
        total = total + weights.get("lang_match", 0.0) * x[:, FEATURE_AT["lang_match"]]
        total = total + 0.05 * c.recency(p, now, 72.0)[rows]
    # Penalties from "not interested".
    if r.hidden_authors:
        total = total * np.power(0.35, p.author_values(r.hidden_authors)[rows])
    if r.hidden_tags:
        total = total * np.power(0.6, p.tag_values(r.hidden_tags)[rows])
    hidden_rows = p.rows_of(n for n in r.hidden_notes if n in p.index and p.has_vector[p.index[n]])
    if len(hidden_rows):
        closeness = (p.vectors[rows] @ p.vectors[hidden_rows].T).max(axis=1).astype(np.float64)
        damp = 1.0 - 0.8 * np.clip((closeness - 0.45) / 0.4, 0.0, 1.0)
        total = total * np.where(p.has_vector[rows], damp, 1.0)
    order = np.argsort(-total, kind="stable")
    if keep is not None:
        own = p.speaks_mask(r)[rows[order]]
        own_rank = np.cumsum(own) - 1
        other_rank = np.cumsum(~own) - 1
        order = order[np.where(own, own_rank, other_rank) < keep]
    # A note no source weighs (found at score 0, e.g. popularity 0 in the reader's languages) is there
    # as popular: never "From someone you follow" by default.
    ranked_contrib = contrib[order]
    best = np.where(
        ranked_contrib.max(axis=1) > 0, np.argmax(ranked_contrib, axis=1), SOURCES.index("popular")
    ).tolist()
    codes, base_languages = p.language_codes
    at = rows[order]
    x_ranked = x[order]
    out: list[Scored] = []
    # Plain Python values read once per column (tolist), not one numpy scalar per card and field.
    for k, (i, note_id, author_id, value, code) in enumerate(
        zip(
            at.tolist(),
            p.ids[at].tolist(),
            p.authors[at].tolist(),
            total[order].tolist(),
            codes[at].tolist(),
            strict=True,
        )
    ):
        reason = SOURCES[best[k]]
        tags = p.tags[i]
        detail = ""
        if reason == "interest":
            detail = next((t for t in tags if t in r.interests), "")
        out.append(
            Scored(
                note_id=note_id,
                score=value,
                reason=REASON_OF[reason],
                detail=detail,
                author_id=author_id,
                language=base_languages[code],
                topic=tags[0] if tags else "",
                row=x_ranked[k],
            )
        )
    similar = [s for s in out[:60] if s.reason == "similar"]
    for s, kind in zip(similar, _anchor_kinds(p, r, p.rows_of(s.note_id for s in similar)), strict=True):
        s.detail = kind
    return out


def _best(group: list[Scored], out: list[Scored]) -> int:
    """Index in ``group`` (best first) of the best next card, its score cut for an author seen in the last
    ``AUTHOR_GAP`` cards or a topic that would make a run of ``TOPIC_RUN + 1``.

    The scan stops at the first card that is not cut: every later one scores no more than it (the group
    is sorted), so none could win; the first of equals wins, as in a full scan."""
    recent_authors = {s.author_id for s in out[-AUTHOR_GAP:]}
    last_topics = [s.topic for s in out[-TOPIC_RUN:]]
    run_topic = last_topics[0] if len(last_topics) == TOPIC_RUN and len(set(last_topics)) == 1 else None
    best_i, best_v = 0, -1e18
    for j in range(min(WINDOW, len(group))):
        s = group[j]
        v = s.score
        cut = False
        if s.author_id in recent_authors:
            v *= 0.05
            cut = True
        if s.topic and s.topic == run_topic:
            v *= 0.4
            cut = True
        if v > best_v:
            best_i, best_v = j, v
        if not cut and s.score >= 0:
            break
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
    speaks = {language: r.speaks(language) for language in {s.language for s in items}}
    own_items = [s for s in items if speaks[s.language]]
    foreign = [s for s in items if not speaks[s.language]]
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
