"""Offline classifiers: glin-profanity word lists (24 languages, incl. Chinese and Thai) and
alt-profanity-check's English linear model (it scores every Chinese text about 0.04, so it only runs
on Latin-script text)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from review.normalize import Normalized
from review.stages import Signal

GLIN = "glin_profanity"
ALT = "alt_profanity_check"
_GLIN_LANGS = ["english", "chinese", "thai", "japanese", "korean"]


@lru_cache(maxsize=1)
def _glin() -> Any:
    from glin_profanity import Filter

    return Filter({"languages": _GLIN_LANGS, "detect_leetspeak": True, "normalize_unicode": True})


@lru_cache(maxsize=1)
def _alt() -> tuple[Any, Any]:
    from profanity_check import profanity_check as pc

    return pc.vectorizer, pc.model


def load() -> None:
    """Load both lists now (a worker before it forks, core/warmup.py)."""
    _glin()
    _alt()


def glin_run(norm: Normalized) -> list[Signal]:
    # The folded text (homoglyphs, spacing and leetspeak already undone) is what we check.
    result = _glin().check_profanity(norm.text)
    words = result.get("profane_words") or []
    if not result.get("contains_profanity") or not words:
        return []
    shown = ", ".join(sorted(set(words))[:5])
    return [Signal(GLIN, "profanity", 0.3, f"profanity list matched: {shown}")]


def alt_scores(texts: list[str]) -> list[float]:
    vectorizer, model = _alt()
    return [float(p) for p in model.predict_proba(vectorizer.transform(texts))[:, 1]]


def alt_run(norm: Normalized, language: str) -> list[Signal]:
    latin = sum(ch.isascii() and ch.isalpha() for ch in norm.text)
    if latin < 3 or (language and not language.startswith("en")) or latin < len(norm.squashed) * 0.6:
        return []
    prob = alt_scores([norm.text])[0]
    if prob < 0.5:
        return []
    # A linear bag-of-words model: "I hate Mondays" scores 0.8. Its weight keeps it in the LLM band alone.
    return [Signal(ALT, "harassment", round(0.55 * prob, 3), f"English offensive-language model {prob:.2f}")]
