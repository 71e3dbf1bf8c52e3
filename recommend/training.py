"""Training and versioned model files.

``train(...)`` embeds notes that have no embedding yet, learns item-item neighbours from the
interactions in the window, fits the learned ranker (``fit_ranker``: a logistic regression on For-you
impressions, each with the features it was served with, labelled by whether the reader then engaged
with the note), keeps the hand blend's weights beside it, and writes
``<RECOMMEND_MODEL_DIR>/model-<version>.npz`` (``var/recommend`` by default), keeping the newest
``KEEP`` versions. With too few labelled impressions the new version carries the previous version's
ranker, or none (serving then uses the hand blend); the log says which.

``current_model()`` serves the newest file that loads; a missing or corrupt file is logged and the
previous version is used; with none, serving runs the hand blend on trending and content sources and
logs that too.
"""

from __future__ import annotations

import logging
import math
import operator
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from notes.models import Note
from recommend import embeddings
from recommend.cf import ItemNeighbours, item_neighbours
from recommend.models import POSITIVE, WEIGHTS, Interaction, Kind, Surface

logger = logging.getLogger("recommend")

KEEP = 3
FORMAT = 2
FORMATS = (1, 2)  # version 1 files (no ranker) still load
EMBED_WINDOW_DAYS = 60
EMBED_MAX = 20000
# The candidate sources (recommend.ranking.gather), each a feature of both rankers.
SOURCES = ("follow", "author", "similar", "cf", "interest", "trend_lang", "trend_region", "fresh", "popular")
# What the learned ranker sees of a (reader, note, context): recommend.ranking.feature_matrix.
RANKER_FEATURES = (
    *SOURCES,
    "lang_match",
    "author_followed",
    "topic_match",
    "age",
    "popularity",
    "sources",
    "position",
)
# What serving keeps per ranked note until its impression comes back (all but the slot, packed small).
SERVED_FEATURES = tuple(n for n in RANKER_FEATURES if n != "position")


def pack_features(features: dict[str, float]) -> bytes:
    """A ranked note's features as float16 bytes (30 bytes: a reader's 300 ranked notes stay small in
    the cache)."""
    return np.array([features.get(n, 0.0) for n in SERVED_FEATURES], dtype=np.float16).tobytes()


def pack_many(features: list[dict[str, float]]) -> list[bytes]:
    """``pack_features`` of each, as one float16 array (a ranked list of 300 at once)."""
    if not features:
        return []
    take = operator.itemgetter(*SERVED_FEATURES)
    complete = set(SERVED_FEATURES)
    rows = np.array(
        [take(f) if complete <= f.keys() else [f.get(n, 0.0) for n in SERVED_FEATURES] for f in features],
        dtype=np.float16,
    )
    return [row.tobytes() for row in rows]


_SERVED_COLUMNS = [RANKER_FEATURES.index(n) for n in SERVED_FEATURES]


def pack_rows(rows: Sequence[np.ndarray | None]) -> list[bytes]:
    """``pack_many`` for feature rows in ``RANKER_FEATURES`` order (``ranking.Scored.row``; None: no
    features, packed as zeros like an empty dict): the same bytes, without a dict per note."""
    if not rows:
        return []
    zeros = np.zeros(len(RANKER_FEATURES))
    packed = np.asarray(np.stack([zeros if r is None else r for r in rows])[:, _SERVED_COLUMNS], dtype=np.float16)
    return [row.tobytes() for row in packed]


def unpack_features(raw: bytes) -> dict[str, float] | None:
    """``pack_features`` undone, None for bytes that are not its output (an older layout)."""
    if not isinstance(raw, bytes) or len(raw) != 2 * len(SERVED_FEATURES):
        return None
    values = np.frombuffer(raw, dtype=np.float16)
    return {n: round(float(v), 4) for n, v in zip(SERVED_FEATURES, values, strict=True)}


# Fewer labelled impressions than this (or positives) and no ranker is fitted (RECOMMEND_RANKER_MIN_*).
MIN_IMPRESSIONS = 500
MIN_POSITIVES = 20
# The hand blend's weights (used until a ranker is learned, and stored in every file).
FEATURES = (
    "follow",
    "author",
    "similar",
    "cf",
    "interest",
    "trend_lang",
    "trend_region",
    "fresh",
    "popular",
    "lang_match",
)
DEFAULT_WEIGHTS = {
    "follow": 1.2,
    "author": 0.6,
    "similar": 1.0,
    "cf": 1.1,
    "interest": 1.2,
    "trend_lang": 0.35,
    "trend_region": 0.35,
    "fresh": 0.25,
    "popular": 0.2,
    "lang_match": 0.1,
}


@dataclass
class Ranker:
    """A logistic regression over ``names``: P(engage | features) = sigmoid(intercept + coef . x)."""

    names: tuple[str, ...]
    coef: np.ndarray
    intercept: float
    examples: int = 0
    positives: int = 0

    def __post_init__(self) -> None:
        self._where = {n: k for k, n in enumerate(self.names)}

    def weight(self, name: str) -> float:
        k = self._where.get(name)
        return float(self.coef[k]) if k is not None else 0.0

    def logit(self, features: dict[str, float]) -> float:
        return self.intercept + sum(float(self.coef[k]) * features.get(n, 0.0) for n, k in self._where.items())

    def probability(self, features: dict[str, float]) -> float:
        z = max(-30.0, min(30.0, self.logit(features)))
        return 1.0 / (1.0 + math.exp(-z))


@dataclass
class Model:
    version: str
    neighbours: ItemNeighbours
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    path: Path | None = None
    ranker: Ranker | None = None


def model_dir() -> Path:
    return Path(getattr(settings, "RECOMMEND_MODEL_DIR", None) or Path(settings.DATA_DIR) / "recommend")


def _versions() -> list[Path]:
    d = model_dir()
    return sorted(d.glob("model-*.npz"), reverse=True) if d.exists() else []


def save(model: Model) -> Path:
    d = model_dir()
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"model-{model.version}.npz"
    n = model.neighbours
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez(
            f,
            format=np.array([FORMAT]),
            item_ids=n.item_ids,
            indptr=n.indptr,
            indices=n.indices,
            scores=n.scores,
            weight_names=np.array(list(FEATURES)),
            weights=np.array([model.weights.get(k, 0.0) for k in FEATURES], dtype=np.float64),
            ranker_names=np.array(list(r.names) if (r := model.ranker) else [], dtype=str),
            ranker_coef=np.asarray(r.coef if r else [], dtype=np.float64),
            ranker_meta=np.array([r.intercept, r.examples, r.positives] if r else [], dtype=np.float64),
        )
    os.replace(tmp, path)
    for old in _versions()[KEEP:]:
        old.unlink(missing_ok=True)
    model.path = path
    return path


def _load_ranker(z: Any) -> Ranker | None:
    if "ranker_names" not in z or len(z["ranker_names"]) == 0:
        return None
    names = tuple(str(x) for x in z["ranker_names"])
    coef = np.asarray(z["ranker_coef"], dtype=np.float64)
    meta = np.asarray(z["ranker_meta"], dtype=np.float64)
    if coef.shape != (len(names),) or meta.shape != (3,):
        raise ValueError("inconsistent ranker arrays")
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(meta))):
        raise ValueError("ranker weights are not finite")
    if unknown := set(names) - set(RANKER_FEATURES):
        raise ValueError(f"unknown ranker features {sorted(unknown)}")
    return Ranker(names, coef, float(meta[0]), int(meta[1]), int(meta[2]))


def load(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"][0]) not in FORMATS:
            raise ValueError(f"format {int(z['format'][0])}, expected one of {FORMATS}")
        n = ItemNeighbours(z["item_ids"], z["indptr"], z["indices"], z["scores"])
        names = [str(x) for x in z["weight_names"]]
        weights = dict(zip(names, (float(w) for w in z["weights"]), strict=True))
        ranker = _load_ranker(z)
    if len(n.indptr) != len(n.item_ids) + 1 or len(n.indices) != len(n.scores) or int(n.indptr[-1]) != len(n.indices):
        raise ValueError("inconsistent neighbour arrays")
    if len(n.indices) and int(n.indices.max()) >= len(n.item_ids):
        raise ValueError("neighbour index out of range")
    return Model(version=path.stem.removeprefix("model-"), neighbours=n, weights=weights, path=path, ranker=ranker)


_loaded: dict[str, tuple[float, Model | None]] = {}
_RECHECK_SECONDS = 30.0


def current_model() -> Model | None:
    """The newest model file that loads, re-checked every 30 s; older versions when it does not; None
    (serving then runs without collaborative filtering) when no file loads. Each fallback is logged."""
    now = time.monotonic()
    key = str(model_dir())
    hit = _loaded.get(key)
    if hit is not None and now - hit[0] < _RECHECK_SECONDS:
        return hit[1]
    model = None
    versions = _versions()
    for i, path in enumerate(versions):
        if hit is not None and hit[1] is not None and hit[1].path == path and path.exists():
            model = hit[1]
            break
        try:
            model = load(path)
        except Exception as exc:  # a corrupt, truncated or foreign file: try the previous version
            logger.warning(
                "recommend: model %s unusable (%s: %s); falling back to the previous version",
                path.name,
                type(exc).__name__,
                exc,
            )
            continue
        if i > 0:
            logger.warning("recommend: serving previous model version %s", model.version)
        break
    if model is None:
        logger.warning(
            "recommend: no usable model in %s; serving the hand blend of trending and content sources only", key
        )
    elif model.ranker is None and (hit is None or hit[1] is not model):
        logger.warning("recommend: model %s has no learned ranker; serving the hand blend", model.version)
    _loaded[key] = (now, model)
    return model


def forget_loaded() -> None:
    _loaded.clear()


def interaction_triples(since_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    since = timezone.now() - timedelta(days=since_days)
    rows = (
        Interaction.objects.filter(created_at__gte=since, kind__in=POSITIVE)
        .values_list("user_id", "note_id", "kind")
        .iterator(chunk_size=5000)
    )
    users, items, weights = [], [], []
    for u, n, k in rows:
        users.append(u)
        items.append(n)
        weights.append(WEIGHTS[k])
    return np.array(users, dtype=np.int64), np.array(items, dtype=np.int64), np.array(weights, dtype=np.float32)


def train(
    *, days: int | None = None, progress: Callable[[str, int, int], None] | None = None, embed: bool = True
) -> Model:
    """Train and save a new model version; returns it."""
    days = days or int(getattr(settings, "RECOMMEND_EVENT_DAYS", 90))
    started = time.monotonic()
    if embed:
        since = timezone.now() - timedelta(days=EMBED_WINDOW_DAYS)
        ids = list(
            Note.objects.public().filter(created_at__gte=since).order_by("-id").values_list("id", flat=True)[:EMBED_MAX]
        )
        total = len(ids)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress("embed", done[0], total)

        embeddings.embed_notes(ids, progress=step)
    users, items, weights = interaction_triples(days)
    if progress is not None:
        progress("neighbours", 0, 1)
    neighbours = item_neighbours(users, items, weights)
    if progress is not None:
        progress("neighbours", 1, 1)
        progress("ranker", 0, 1)
    x, y = ranker_examples(days)
    ranker = fit_ranker(x, y)
    if ranker is None:
        previous = current_model()
        ranker = previous.ranker if previous is not None else None
        logger.warning(
            "recommend: %d labelled impressions (%d engaged) are too few to fit a ranker; %s",
            len(y),
            int(y.sum()) if len(y) else 0,
            f"keeping the ranker of {previous.version}" if ranker and previous else "serving the hand blend",
        )
    if progress is not None:
        progress("ranker", 1, 1)
    model = Model(
        version=timezone.now().strftime("%Y%m%d%H%M%S%f"),
        neighbours=neighbours,
        weights=dict(DEFAULT_WEIGHTS),
        ranker=ranker,
    )
    save(model)
    forget_loaded()
    logger.info(
        "recommend: trained %s on %d interactions, %d items, ranker on %d impressions, in %.1fs",
        model.version,
        len(users),
        len(neighbours.item_ids),
        ranker.examples if ranker else 0,
        time.monotonic() - started,
    )
    return model


def ranker_examples(since_days: int) -> tuple[np.ndarray, np.ndarray]:
    """The learned ranker's training set: every For-you impression of the window that kept its features
    (one row, ``RANKER_FEATURES`` order, the position it was served at), labelled 1 when the reader
    opened, read, liked, saved, commented, shared or followed from that note, 0 otherwise or when they
    hid it."""
    since = timezone.now() - timedelta(days=since_days)
    engaged = set(
        Interaction.objects.filter(created_at__gte=since, kind__in=POSITIVE)
        .values_list("user_id", "note_id")
        .iterator(chunk_size=20000)
    )
    hidden = set(
        Interaction.objects.filter(created_at__gte=since, kind=Kind.HIDE)
        .values_list("user_id", "note_id")
        .iterator(chunk_size=20000)
    )
    rows = (
        Interaction.objects.filter(
            created_at__gte=since, kind=Kind.IMPRESSION, surface=Surface.FOR_YOU, features__isnull=False
        )
        .values_list("user_id", "note_id", "features", "position")
        .iterator(chunk_size=20000)
    )
    xs: list[list[float]] = []
    ys: list[int] = []
    for user_id, note_id, feats, position in rows:
        if not isinstance(feats, dict):
            continue
        xs.append(example_row(feats, position))
        key = (user_id, note_id)
        ys.append(1 if key in engaged and key not in hidden else 0)
    return np.asarray(xs, dtype=np.float64).reshape(-1, len(RANKER_FEATURES)), np.asarray(ys, dtype=np.int8)


def position_feature(position: int | None) -> float:
    """The served position as a feature (log, 1.0 at 300): it lets the ranker learn the slot's own
    pull apart from the note's; serving scores every note at position 0."""
    return min(1.0, math.log1p(max(0, position or 0)) / math.log1p(300))


def example_row(features: dict[str, Any], position: int | None) -> list[float]:
    """One training row from stored features (a name missing from an older row counts 0)."""
    row = []
    for name in RANKER_FEATURES:
        if name == "position":
            row.append(position_feature(position))
            continue
        value = features.get(name, 0.0)
        row.append(float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0)
    return row


def fit_ranker(x: np.ndarray, y: np.ndarray, *, min_examples: int | None = None) -> Ranker | None:
    """A logistic regression (scikit-learn, L2, C=1) on ``x`` (``RANKER_FEATURES`` columns) and ``y``;
    None with too few examples or positives, or only one class."""
    min_examples = (
        min_examples
        if min_examples is not None
        else int(getattr(settings, "RECOMMEND_RANKER_MIN_IMPRESSIONS", MIN_IMPRESSIONS))
    )
    min_positives = int(getattr(settings, "RECOMMEND_RANKER_MIN_POSITIVES", MIN_POSITIVES))
    positives = int(y.sum()) if len(y) else 0
    if len(y) < min_examples or positives < min_positives or positives == len(y):
        return None
    from sklearn.linear_model import LogisticRegression  # heavy: only where a ranker is trained

    clf = LogisticRegression(C=1.0, max_iter=500)
    clf.fit(x, y)
    return Ranker(
        names=tuple(RANKER_FEATURES),
        coef=np.asarray(clf.coef_[0], dtype=np.float64),
        intercept=float(clf.intercept_[0]),
        examples=len(y),
        positives=positives,
    )
