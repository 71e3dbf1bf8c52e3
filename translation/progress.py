"""Drafts while a worker translates: what a reader waiting on the page sees grow, word by word.

The local model writes its answer token by token. An engine that can show its text so far calls
``report(index, text)`` (index: the text's place in the batch it was given); whoever runs the engine
says where that goes with ``reporting(callback)``. For jobs a reader asked for, the worker keeps the
draft on the job row (``TranslationJob.partial_text``, at most every ``PUBLISH_EVERY_S`` seconds after
the first words), which the page polls (web/views/translations.py ``translate_partial``). The row is
shared by the web and worker processes whatever the cache is (a local-memory cache is per process).

A draft is never a result: it is not validated, it may be refused at the end, and the job's finish or
failure empties it. The page labels it as a draft and replaces it with the final answer, or with the
original and the reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from translation import trace
from translation.models import JobState, TranslationJob

logger = logging.getLogger("notebridge.translation")

PUBLISH_EVERY_S = 0.15
MAX_DRAFT_CHARS = 20000

Callback = Callable[[int, str], None]
_sink: ContextVar[Callback | None] = ContextVar("translation_progress", default=None)


@contextmanager
def reporting(callback: Callback | None) -> Iterator[None]:
    """Send the drafts engines report while the block runs to ``callback(index, text)``."""
    token = _sink.set(callback)
    try:
        yield
    finally:
        _sink.reset(token)


def listening() -> bool:
    """Someone wants drafts: an engine may stream (the local model only streams then)."""
    return _sink.get() is not None


def report(index: int, text: str) -> None:
    callback = _sink.get()
    if callback is None or not text.strip():
        return
    try:
        callback(index, text)
    except Exception:  # a draft that cannot be shown must never cost the translation
        logger.exception("could not publish a translation draft")


def remap(indexes: list[int]) -> Callback | None:
    """The current callback, for an engine given only some of the texts (``indexes`` in the batch)."""
    outer = _sink.get()
    if outer is None:
        return None

    def inner(index: int, text: str) -> None:
        if 0 <= index < len(indexes):
            outer(indexes[index], text)

    return inner


class JobDrafts:
    """The callback that keeps each job's draft on its row: the first words at once, then at most
    every ``every_s`` seconds (a few writes a second per translating worker). ``job_ids``: one per
    text of the batch, None for a text whose draft nobody waits for (translated ahead of readers)."""

    def __init__(self, job_ids: list[int | None], every_s: float = PUBLISH_EVERY_S) -> None:
        self.job_ids = job_ids
        self.every_s = every_s
        self.last: dict[int, float] = {}
        self.writes = 0

    def __call__(self, index: int, text: str) -> None:
        job_id = self.job_ids[index] if 0 <= index < len(self.job_ids) else None
        if job_id is None:
            return
        now = time.monotonic()
        if index in self.last and now - self.last[index] < self.every_s:
            return
        self.last[index] = now
        # Only while the job runs: a job finished (or reset by an edit) meanwhile keeps its empty draft.
        TranslationJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(partial_text=text[:MAX_DRAFT_CHARS])
        if not self.writes:
            trace.mark("draft_written", job=job_id, text=text[:40])
        self.writes += 1
