"""Machine translation for review: beside the original in the console, and screened when no reviewer
reads the original language.

Review reaches the translation app through its documented interface only (docs/architecture.md):
``translation.services.get_or_request_translation`` returns a view with ``status``, ``text``,
``engine`` and ``is_gloss`` and never blocks; ``translation.services.translate_text`` runs the engines
now (worker only) and returns ``(best result or None, tried)``.
"""

from __future__ import annotations

from translation import services

OBJECT_KIND = {"note": "note", "comment": "comment", "profile": "bio"}


def _same_language(source: str, target: str) -> bool:
    return bool(source) and source.split("-")[0].lower() == target.split("-")[0].lower()


def translate_for_review(text: str, *, source: str, target: str) -> tuple[str, str] | None:
    """(translated text, engine) computed now, for screening in the worker; None when unavailable."""
    if not text.strip() or _same_language(source, target):
        return None
    try:
        best, _tried = services.translate_text(text, source if source not in ("", "und") else "", target)
    except Exception:  # a translation failure never blocks screening
        return None
    if best is None or not best.ok or best.is_gloss:
        return None
    return str(best.text), str(best.engine or "unknown engine")


def translation_for_reviewer(
    *, target_type: str, target_id: int, title: str, body: str, source: str, target: str
) -> dict[str, str] | None:
    """The console's translation: {"text", "engine", "status"} or None when there is no engine.

    Asks for the stored translation and never blocks: a missing one is requested and shows as pending.
    """
    kind = OBJECT_KIND.get(target_type)
    if kind is None or _same_language(source, target):
        return None
    parts = []
    engine, status = "", "ready"
    for field, text in (("title", title), ("body", body)):
        if not text:
            continue
        try:
            view = services.get_or_request_translation(
                obj_kind=kind, obj_id=target_id, field=field, text=text, source=source, target=target, reason="review"
            )
        except Exception:  # the console shows the original alone
            return None
        if view.status != "ready" or view.is_gloss:
            status = str(view.status)
            continue
        parts.append(str(view.text))
        engine = str(view.engine or engine)
    if not parts:
        return {"text": "", "engine": "", "status": status} if status != "ready" else None
    return {"text": "\n".join(parts), "engine": engine or "unknown engine", "status": status}
