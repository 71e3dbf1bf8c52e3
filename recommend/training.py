"""Training and versioned model files.

``train(...)`` embeds notes that have no embedding yet, learns item-item neighbours from the
interactions in the window, stores the blend's weights (the explainable defaults for now; the file has room for learned
ones), and writes ``<RECOMMEND_MODEL_DIR>/model-<version>.npz``
(``var/recommend`` by default), keeping the newest ``KEEP`` versions.

``current_model()`` serves the newest file that loads; a missing or corrupt file is logged and the
previous version is used; with none, serving runs on trending and content sources and logs that too.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from notes.models import Note
from recommend import embeddings
from recommend.cf import ItemNeighbours, item_neighbours
from recommend.models import POSITIVE, WEIGHTS, Interaction

logger = logging.getLogger("recommend")

KEEP = 3
FORMAT = 1
EMBED_WINDOW_DAYS = 60
EMBED_MAX = 20000
# The blend's features (recommend.ranking) and the weights used until a model has learned its own.
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
class Model:
    version: str
    neighbours: ItemNeighbours
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    path: Path | None = None


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
        )
    os.replace(tmp, path)
    for old in _versions()[KEEP:]:
        old.unlink(missing_ok=True)
    model.path = path
    return path


def load(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"][0]) != FORMAT:
            raise ValueError(f"format {int(z['format'][0])}, expected {FORMAT}")
        n = ItemNeighbours(z["item_ids"], z["indptr"], z["indices"], z["scores"])
        names = [str(x) for x in z["weight_names"]]
        weights = dict(zip(names, (float(w) for w in z["weights"]), strict=True))
    if len(n.indptr) != len(n.item_ids) + 1 or len(n.indices) != len(n.scores) or int(n.indptr[-1]) != len(n.indices):
        raise ValueError("inconsistent neighbour arrays")
    if len(n.indices) and int(n.indices.max()) >= len(n.item_ids):
        raise ValueError("neighbour index out of range")
    return Model(version=path.stem.removeprefix("model-"), neighbours=n, weights=weights, path=path)


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
        logger.warning("recommend: no usable model in %s; serving trending and content sources only", key)
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
    model = Model(
        version=timezone.now().strftime("%Y%m%d%H%M%S%f"), neighbours=neighbours, weights=dict(DEFAULT_WEIGHTS)
    )
    save(model)
    forget_loaded()
    logger.info(
        "recommend: trained %s on %d interactions, %d items, in %.1fs",
        model.version,
        len(users),
        len(neighbours.item_ids),
        time.monotonic() - started,
    )
    return model
