"""The machine translation shown beside the original in the console (and screened when no reviewer
reads the language). Uses the translation app when it is installed; otherwise there is none."""

from __future__ import annotations

from typing import Any


def translate_for_review(text: str, *, source: str, target: str) -> tuple[str, str] | None:
    """(translated text, engine name), or None when no engine is available or it fails."""
    if not text.strip() or source.split("-")[0] == target.split("-")[0]:
        return None
    try:
        from translation import services as tr  # type: ignore[import-not-found]
    except ImportError:
        return None
    func: Any = getattr(tr, "translate_text", None)
    if func is None:
        return None
    try:
        result = func(text=text, source=source, target=target)
    except Exception:
        return None
    if isinstance(result, str):
        return result, "unknown engine"
    translated = getattr(result, "text", None)
    if isinstance(translated, str) and translated:
        return translated, str(getattr(result, "engine", "") or "unknown engine")
    return None
