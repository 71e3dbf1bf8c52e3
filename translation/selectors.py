"""Reads for operators and pages: engine state, queue depth, cache hit rate, and object lookups."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Count

from translation import llm
from translation.engines import registry
from translation.models import JobState, TranslationJob, TranslationMemory
from translation.services import cache_stats


def translation_status() -> dict[str, Any]:
    """What the operators' dashboard shows about translation."""
    counts = dict(TranslationJob.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    engines = [
        {"name": e.name, "version": e.version, "available": e.available(), "is_gloss": e.is_gloss}
        for e in registry.configured()
    ]
    en_zh = registry.chain("en", "zh-Hans")
    return {
        "active_engine": en_zh[0].name if en_zh else "",
        "engines": engines,
        "queue": {
            "pending": counts.get(JobState.PENDING, 0),
            "running": counts.get(JobState.RUNNING, 0),
            "failed": counts.get(JobState.FAILED, 0),
            "ready": counts.get(JobState.READY, 0),
            "backend_waiting": backend_queue_depth(),
        },
        "cache": cache_stats(),
        "memory_rows": TranslationMemory.objects.count(),
        "model": llm.info(),
        "language_pairs": registry.supported_pairs(),
    }


def backend_queue_depth() -> int | None:
    """Tasks waiting on the translation queue in the task backend, where the backend can tell."""
    from core import queues

    if not apps.is_installed("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(queue_name=queues.TRANSLATION, status="READY").count()
