"""Ahead-of-time translation: notes likely to be read in another language are done before anyone asks.

Who will read a note? Its author's followers, first of all; so the note is translated into the
preferred languages of the followers, most common first, up to ``AHEAD_MAX_TARGETS``. Trending notes
(picked by the feeds app) are sent here the same way with ``request_ahead(note_ids)``.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.apps import apps

from translation import languages
from translation.models import ObjectKind

logger = logging.getLogger("notebridge.translation")

AHEAD_MAX_TARGETS = 3
AHEAD_SAMPLE_FOLLOWERS = 2000
# Notes under review may still be published; rejected or removed ones are not worth translating.
_TRANSLATABLE_STATES = ("pending", "published")


def follower_languages(author_id: int) -> list[str]:
    """The preferred content languages of an author's followers, most common first."""
    follow = apps.get_model("accounts", "Follow")
    rows = (
        follow.objects.filter(followee_id=author_id)
        .order_by("-created_at")
        .values_list("follower__languages", "follower__ui_language")[:AHEAD_SAMPLE_FOLLOWERS]
    )
    counts: Counter[str] = Counter()
    for langs, ui_language in rows:
        first = langs[0] if isinstance(langs, list) and langs else ui_language
        code = languages.normalize(first)
        if code:
            counts[code] += 1
    return [code for code, _ in counts.most_common()]


def note_fields(note: object) -> list[tuple[str, str, str]]:
    """(kind-specific field, text, source language) for everything of a note a reader sees."""
    source = getattr(note, "language", "") or ""
    fields = [("title", note.title, source), ("body", note.body, source)]  # type: ignore[attr-defined]
    for photo in note.photos.all():  # type: ignore[attr-defined]
        if photo.alt_text:
            fields.append((f"alt:{photo.pk}", photo.alt_text, photo.alt_language or ""))
    return [f for f in fields if f[1]]


def translate_note_ahead(note_id: int) -> int:
    """Record jobs for a note's fields in its followers' languages and do them now (we are a worker)."""
    from translation.models import TranslationJob
    from translation.services import get_or_request_translation, process_jobs

    note_model = apps.get_model("notes", "Note")
    note = note_model.objects.filter(pk=note_id).select_related("author").prefetch_related("photos").first()
    if note is None or note.state not in _TRANSLATABLE_STATES:
        return 0
    targets = [t for t in follower_languages(note.author_id) if languages.family(t) != languages.family(note.language)]
    jobs: list[int] = []
    for target in targets[:AHEAD_MAX_TARGETS]:
        for field, text, source in note_fields(note):
            kind = ObjectKind.ALT if field.startswith("alt:") else ObjectKind.NOTE
            obj_id = int(field.split(":", 1)[1]) if kind == ObjectKind.ALT else note.pk
            name = "alt_text" if kind == ObjectKind.ALT else field
            view = get_or_request_translation(
                obj_kind=kind,
                obj_id=obj_id,
                field=name,
                text=text,
                source=source,
                target=target,
                reason="ahead",
                enqueue=False,
            )
            if view.status == "pending":
                job = TranslationJob.objects.filter(
                    obj_kind=kind, obj_id=obj_id, field=name, target_language=target
                ).first()
                if job is not None:
                    jobs.append(job.pk)
    if jobs:
        process_jobs(jobs)
    return len(jobs)


def request_ahead(note_ids: list[int]) -> None:
    """Queue ahead-of-time translation for notes (trending, or just published).

    Best effort: a queue that is down or not configured is logged, never raised into the caller (a
    note that was posted must not fail because its translation could not be queued).
    """
    from translation.tasks import translate_note_ahead as task

    for note_id in note_ids:
        try:
            task.enqueue(note_id)
        except Exception:
            logger.warning("could not queue ahead-of-time translation of note %s", note_id, exc_info=True)
