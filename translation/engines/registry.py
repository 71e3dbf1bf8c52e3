"""Which engines exist, which are usable, and the fallback chain for a language pair."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from translation.engines.base import Engine
from translation.engines.gloss import GlossEngine
from translation.engines.llm_engine import LlmEngine
from translation.engines.opencc_engine import OpenCCEngine
from translation.engines.remote import DeepLEngine, LibreTranslateEngine

ENGINE_CLASSES: dict[str, type] = {
    "opencc": OpenCCEngine,
    "llm": LlmEngine,
    "libretranslate": LibreTranslateEngine,
    "deepl": DeepLEngine,
    "gloss": GlossEngine,
}


@lru_cache(maxsize=1)
def _instances() -> dict[str, Engine]:
    return {name: cls() for name, cls in ENGINE_CLASSES.items()}


def get(name: str) -> Engine | None:
    return _instances().get(name)


def configured() -> list[Engine]:
    """Engines named in settings.TRANSLATION_ENGINES, in that order (unknown names are ignored)."""
    return [engine for name in settings.TRANSLATION_ENGINES if (engine := get(name)) is not None]


def chain(source: str, target: str) -> list[Engine]:
    """The engines to try, best first, for one pair: configured, available and supporting it.

    Whatever the configured order says, an instant exact engine (OpenCC between Chinese scripts) comes
    first and a gloss engine last.
    """
    engines = [e for e in configured() if e.supports(source, target) and e.available()]
    return sorted(engines, key=lambda e: (e.is_gloss, not e.is_fast))


def supported_pairs() -> dict[str, list[str]]:
    """Source language -> target languages some available engine (gloss excepted) translates."""
    langs = list(settings.CONTENT_LANGUAGES)
    out: dict[str, list[str]] = {}
    for source in langs:
        targets = [t for t in langs if t != source and any(not e.is_gloss for e in chain(source, t))]
        if targets:
            out[source] = targets
    return out


def active_engine_names() -> list[str]:
    return [e.name for e in configured() if e.available()]
