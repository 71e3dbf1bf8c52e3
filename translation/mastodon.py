"""What the Mastodon-compatible API needs from translation (the api app calls these, nothing else).

``POST /api/v1/statuses/:id/translate`` is synchronous in Mastodon: the client waits for a Translation
entity. We answer from the translation memory when we can, otherwise record jobs and wait up to
``TRANSLATION_SYNC_WAIT_S`` for a worker; if the translation is still not there, ``TranslationUnavailable``
is raised and the endpoint answers 503, as Mastodon does when its provider is unavailable; the work
continues in the background, so asking again later succeeds.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.utils.html import escape, linebreaks

from core import languages
from translation.engines import registry
from translation.models import ObjectKind
from translation.services import Status, TranslationView, get_or_request_translation

PROVIDER = "Notebridge"


class TranslationUnavailable(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def translation_languages() -> dict[str, list[str]]:
    """For ``/api/v1/instance/translation_languages``: source -> targets, in Mastodon's spelling."""
    return {
        languages.mastodon_code(source): [languages.mastodon_code(t) for t in targets]
        for source, targets in registry.supported_pairs().items()
    }


def _render(title: str, body: str) -> str:
    html = ""
    if title:
        html += f"<p><strong>{escape(title)}</strong></p>"
    if body:
        html += linebreaks(escape(body))
    return html


def _views_for_note(note: Any, target: str, enqueue: bool = True) -> dict[str, TranslationView]:
    source = note.language or ""
    views = {
        "title": get_or_request_translation(
            obj_kind=ObjectKind.NOTE,
            obj_id=note.pk,
            field="title",
            text=note.title,
            source=source,
            target=target,
            enqueue=enqueue,
        ),
        "body": get_or_request_translation(
            obj_kind=ObjectKind.NOTE,
            obj_id=note.pk,
            field="body",
            text=note.body,
            source=source,
            target=target,
            enqueue=enqueue,
        ),
    }
    for photo in note.photos.all():
        if photo.alt_text:
            views[f"alt:{photo.pk}"] = get_or_request_translation(
                obj_kind=ObjectKind.ALT,
                obj_id=photo.pk,
                field="alt_text",
                text=photo.alt_text,
                source=photo.alt_language or "",
                target=target,
                enqueue=enqueue,
            )
    return views


def translate_status_for_mastodon(note: Any, target_lang: str, *, wait_seconds: float | None = None) -> dict:
    """A Mastodon Translation entity for ``note`` in ``target_lang`` (a client's code, e.g. "en", "zh").

    The caller has already checked that the requesting user may see the note.
    Raises TranslationUnavailable when the language is unsupported, the note is already in that
    language (Mastodon answers 403 there), or the translation is not ready in time (503).
    """
    target = languages.normalize(target_lang)
    if not target:
        raise TranslationUnavailable(Status.FAILED, "unsupported target language")
    wait = settings.TRANSLATION_SYNC_WAIT_S if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + max(0.0, wait)
    views = _views_for_note(note, target)
    while any(v.status == Status.PENDING for v in views.values()) and time.monotonic() < deadline:
        time.sleep(0.25)
        views = _views_for_note(note, target, enqueue=False)
    statuses = {v.status for v in views.values()}
    if statuses <= {Status.NOT_NEEDED}:
        raise TranslationUnavailable(Status.NOT_NEEDED, "already in that language")
    if Status.PENDING in statuses:
        raise TranslationUnavailable(Status.PENDING, "translation in progress; try again shortly")
    if Status.FAILED in statuses:
        errors = "; ".join(v.error for v in views.values() if v.status == Status.FAILED)
        raise TranslationUnavailable(Status.FAILED, errors or "translation failed")
    engines = sorted({v.engine for v in views.values() if v.engine})
    detected = next((v.source_language for v in views.values() if v.source_language), note.language or "")
    return {
        "content": _render(views["title"].text if note.title else "", views["body"].text if note.body else ""),
        "spoiler_text": "",
        "language": languages.mastodon_code(target),
        "detected_source_language": languages.mastodon_code(detected),
        "provider": f"{PROVIDER} ({', '.join(engines)})" if engines else PROVIDER,
        "media_attachments": [
            {"id": str(photo.pk), "description": views[f"alt:{photo.pk}"].text}
            for photo in note.photos.all()
            if f"alt:{photo.pk}" in views
        ],
        "poll": None,
        "is_gloss": any(v.is_gloss for v in views.values()),
    }
