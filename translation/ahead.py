"""Ahead-of-time translation: notes likely to be read in another language are done before anyone asks.

Who will read a note? Its author's followers, first of all; so the note is translated into the
preferred languages of the followers, most common first, up to ``AHEAD_MAX_TARGETS``. Trending notes
are read by everyone: engagement (a note liked or collected) calls ``request_trending()``,
which queues at most one batch per ``TRENDING_EVERY_S``; the worker reads the top of Discover's ranking
and translates it into the languages the instance's recently active readers prefer (at most once per
note a day). A page view never queues anything.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Follow, User
from core import languages, queue_depth, queues
from notes.models import Note
from notes.selectors import rank_recent_notes
from translation import services, tasks
from translation.fields import note_fields
from translation.models import TranslationJob

logger = logging.getLogger("notebridge.translation")

AHEAD_MAX_TARGETS = 3
AHEAD_SAMPLE_FOLLOWERS = 2000
TRENDING_TOP = 20  # the first Discover page
TRENDING_EVERY_S = 600
READER_SAMPLE = 5000  # the most recent logins (or sign-ups) sampled
READER_ACTIVE_DAYS = 30
# Notes under review may still be published; rejected or removed ones are not worth translating.
_TRANSLATABLE_STATES = ("pending", "published")


def follower_languages(author_id: int) -> list[str]:
    """The preferred content languages of an author's followers, most common first."""
    rows = (
        Follow.objects.filter(followee_id=author_id)
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


def reader_languages() -> list[str]:
    """The preferred languages of the instance's recently active readers, most common first."""
    cached = cache.get("ahead:reader-languages")
    if cached is not None:
        return list(cached)
    since = timezone.now() - timedelta(days=READER_ACTIVE_DAYS)
    active = User.objects.filter(is_active=True)
    recent = active.filter(last_login__gte=since).order_by("-last_login")
    # A new instance (or one whose readers use tokens and never log in again): the newest accounts.
    readers = recent if recent.exists() else active.order_by("-date_joined")
    rows = readers.values_list("languages", "ui_language")[:READER_SAMPLE]
    counts: Counter[str] = Counter()
    for langs, ui_language in rows:
        code = languages.normalize(langs[0] if isinstance(langs, list) and langs else ui_language)
        if code:
            counts[code] += 1
    found = [code for code, _ in counts.most_common()]
    cache.set("ahead:reader-languages", found, 3600)
    return found


def translate_note_ahead(note_id: int, targets: list[str] | None = None) -> int:
    """Record jobs for a note's fields in ``targets`` (default: its followers' languages) and do them
    now (we are a worker). Returns the number of jobs that needed an engine."""
    note = Note.objects.filter(pk=note_id).select_related("author").prefetch_related("photos").first()
    if note is None or note.state not in _TRANSLATABLE_STATES:
        return 0
    wanted = follower_languages(note.author_id) if targets is None else targets
    targets = [t for t in wanted if languages.family(t) != languages.family(note.language)]
    jobs: list[int] = []
    texts = [f for f in note_fields(note, tags=False) if f.text]
    for target in targets[:AHEAD_MAX_TARGETS]:
        for f in texts:
            view = f.translation(target, reason="ahead", enqueue=False)
            if view.status == "pending":
                job = TranslationJob.objects.filter(
                    obj_kind=f.obj_kind, obj_id=f.obj_id, field=f.field, target_language=target
                ).first()
                if job is not None:
                    jobs.append(job.pk)
    if jobs:
        services.process_jobs(jobs)
    return len(jobs)


def request_ahead(note_ids: list[int]) -> None:
    """Queue ahead-of-time translation for notes just published.

    Best effort: a queue that is down or not configured is logged, never raised into the caller (a
    note that was posted must not fail because its translation could not be queued). Back-pressure:
    while ``TRANSLATE_AHEAD_MAX_QUEUE`` tasks or more wait on the translation queue, nothing more is
    queued ahead; the notes are translated when a reader asks (``get_or_request_translation``), so a flood of
    posts slows no post and never grows the queue without bound.
    """
    if note_ids and queue_depth.over(queues.TRANSLATION, settings.TRANSLATE_AHEAD_MAX_QUEUE):
        logger.info(
            "translation queue at its bound (%s): %s note(s) left for readers to ask",
            settings.TRANSLATE_AHEAD_MAX_QUEUE,
            len(note_ids),
            extra={"deferred_notes": len(note_ids)},
        )
        return
    for note_id in note_ids:
        try:
            tasks.translate_note_ahead.enqueue(note_id)
        except Exception:
            logger.warning("could not queue ahead-of-time translation of note %s", note_id, exc_info=True)


def translate_trending(note_ids: list[int] | None = None) -> int:
    """Translate trending notes into the readers' languages (a worker runs this). Without ``note_ids``,
    the top of Discover's ranking that was not sent in the last day."""
    if note_ids is None:
        top = rank_recent_notes()[:TRENDING_TOP]
        note_ids = [nid for nid in top if cache.get(f"ahead:trending:{nid}") is None]
        cache.set_many({f"ahead:trending:{nid}": 1 for nid in note_ids}, 86400)
    targets = reader_languages()[:AHEAD_MAX_TARGETS]
    if not targets or not note_ids:
        return 0
    return sum(translate_note_ahead(note_id, targets) for note_id in note_ids)


def request_trending() -> bool:
    """Queue one batch of trending notes for translation, unless one was queued in the last
    ``TRENDING_EVERY_S`` seconds. Best effort, never raises."""
    if queue_depth.over(queues.TRANSLATION, settings.TRANSLATE_AHEAD_MAX_QUEUE):
        return False
    if not cache.add("ahead:trending:lock", 1, TRENDING_EVERY_S):
        return False
    try:
        tasks.translate_trending.enqueue()
    except Exception:
        logger.warning("could not queue ahead-of-time translation of trending notes", exc_info=True)
        cache.delete("ahead:trending:lock")
        return False
    return True
