"""Machine translation for review: beside the original in the console, and screened when no reviewer
reads the original language. Uses the translation app when it is installed; otherwise there is none.

Written against the translation branch's interface (``translation.services``):
``get_or_request_translation(obj_kind=, obj_id=, field=, text=, source=, target=)`` returns a view with
``status``, ``text``, ``engine`` and ``is_gloss`` and never blocks; ``translate_text(text, source,
target)`` returns ``(best result or None, tried)`` and runs the engines now (worker only).
"""

from __future__ import annotations

from typing import Any

OBJECT_KIND = {"note": "note", "comment": "comment", "profile": "bio"}


def _services() -> Any | None:
    try:
        from translation import services  # type: ignore[import-not-found]
    except ImportError:
        return None
    return services


def _same_language(source: str, target: str) -> bool:
    return bool(source) and source.split("-")[0].lower() == target.split("-")[0].lower()


def translate_for_review(text: str, *, source: str, target: str) -> tuple[str, str] | None:
    """(translated text, engine) computed now, for screening in the worker; None when unavailable."""
    services = _services()
    if services is None or not text.strip() or _same_language(source, target):
        return None
    func = getattr(services, "translate_text", None)
    if func is None:
        return None
    try:
        best, _tried = func(text, source if source not in ("", "und") else "", target)
    except Exception:  # a translation failure never blocks screening
        return None
    if best is None or not getattr(best, "ok", False) or getattr(best, "is_gloss", False):
        return None
    return str(best.text), str(getattr(best, "engine", "") or "unknown engine")


def translation_for_reviewer(
    *, target_type: str, target_id: int, title: str, body: str, source: str, target: str
) -> dict[str, str] | None:
    """The console's translation: {"text", "engine", "status"} or None when there is no engine.

    Asks for the stored translation and never blocks: a missing one is requested and shows as pending.
    """
    services = _services()
    kind = OBJECT_KIND.get(target_type)
    if services is None or kind is None or _same_language(source, target):
        return None
    func = getattr(services, "get_or_request_translation", None)
    if func is None:
        return None
    parts = []
    engine, status = "", "ready"
    for field, text in (("title", title), ("body", body)):
        if not text:
            continue
        try:
            view = func(
                obj_kind=kind, obj_id=target_id, field=field, text=text, source=source, target=target, reason="review"
            )
        except Exception:  # the console shows the original alone
            return None
        if getattr(view, "status", "") != "ready" or getattr(view, "is_gloss", False):
            status = str(getattr(view, "status", "pending"))
            continue
        parts.append(str(view.text))
        engine = str(getattr(view, "engine", "") or engine)
    if not parts:
        return {"text": "", "engine": "", "status": status} if status != "ready" else None
    return {"text": "\n".join(parts), "engine": engine or "unknown engine", "status": status}
