"""``POST /api/v1/statuses/:id/translate`` and ``/api/v1/instance/translation_languages``.

Mastodon's translate is synchronous: the client waits for a Translation entity. We answer from the
translation memory when we can, otherwise record jobs and wait up to ``TRANSLATION_SYNC_WAIT_S`` for a
worker. A status's text decides: when its title and body are translated, the answer is sent, with the
alt texts that are ready (one slow alt text never holds back the rest; the others follow on a later
call). When the text itself is still pending or failed, the answer is 503 (as Mastodon's when its
provider is unavailable) and the work goes on in the background, so asking again later succeeds.
Already in that language: 403. Unsupported language: 422.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from api.auth import AUTH_NONE
from api.http import ApiError, Ctx, endpoint
from api.mastodon import entities
from api.mastodon.statuses import find_status
from core import languages
from notes.models import Comment, Note
from translation import fields
from translation.engines import registry
from translation.fields import TranslatableField
from translation.services import Status, TranslationView

POLL_SECONDS = 0.25


def _ask(texts: list[TranslatableField], target: str, *, enqueue: bool) -> dict[str, TranslationView]:
    return {f.name: f.translation(target, enqueue=enqueue) for f in texts}


def _wait(texts: list[TranslatableField], target: str, wait_seconds: float) -> dict[str, TranslationView]:
    """Every text's translation, asked once and then polled (jobs already recorded) until none is
    pending or the time is up."""
    deadline = time.monotonic() + max(0.0, wait_seconds)
    views = _ask(texts, target, enqueue=True)
    while any(v.status == Status.PENDING for v in views.values()) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        views = _ask(texts, target, enqueue=False)
    return views


def translate_status(found: Note | Comment, target: str, *, wait_seconds: float | None = None) -> dict[str, Any]:
    """The Translation entity of a note or comment the caller may see, into ``target`` (normalised)."""
    if isinstance(found, Note):
        texts = fields.note_fields(found, tags=False)
    else:
        texts = fields.comment_fields(found)
    wait = settings.TRANSLATION_SYNC_WAIT_S if wait_seconds is None else wait_seconds
    views = _wait(texts, target, wait)
    if all(v.status == Status.NOT_NEEDED for v in views.values()):
        raise ApiError("This status cannot be translated into that language", 403)
    main = [views[f.name] for f in texts if f.role == fields.MAIN]
    if any(v.status == Status.PENDING for v in main):
        raise ApiError("Translation is not available right now: translation in progress; try again shortly", 503)
    failed = list(dict.fromkeys(v.error for v in main if v.status == Status.FAILED))  # one reason said once
    if failed:
        raise ApiError(f"Translation is not available right now: {'; '.join(failed) or 'translation failed'}", 503)
    shown = [v for v in views.values() if v.status in (Status.READY, Status.NOT_NEEDED)]
    by_name = {f.name: views[f.name] for f in texts}
    return entities.translation(
        title=by_name["title"].text if isinstance(found, Note) and found.title else "",
        body=by_name["body"].text,
        target=target,
        detected=next((v.source_language for v in main if v.source_language), getattr(found, "language", "")),
        engines=[v.engine for v in shown if v.engine],
        descriptions={
            f.obj_id: by_name[f.name].text
            for f in texts
            if f.role == fields.ALT and by_name[f.name].status == Status.READY
        },
        is_gloss=any(v.is_gloss for v in shown),
    )


@endpoint(scope="read:statuses", allow=("POST",))
def translate(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """Mastodon's Translation entity for a visible status; ``lang`` defaults to the viewer's language."""
    user = ctx.require_user()
    found = find_status(user, status_id)
    target = languages.normalize(ctx.params.opt_string("lang", max_length=35) or user.preferred_language)
    if not target:
        raise ApiError("Validation failed: lang is not a supported language", 422)
    return translate_status(found, target)


@endpoint(auth=AUTH_NONE)
def translation_languages(ctx: Ctx) -> dict[str, list[str]]:
    """Source language -> target languages, in Mastodon's spelling ("zh", "zh-TW")."""
    return {
        languages.mastodon_code(source): [languages.mastodon_code(t) for t in targets]
        for source, targets in registry.supported_pairs().items()
    }
