"""The review queue's items: which language routes them, opening one (or joining the open one), its severity."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from notes.models import Note
from review.models import (
    ItemStatus,
    ReviewItem,
    ScreeningResult,
)
from review.packs import get_packs
from review.screening import Verdict


def guess_language(text: str, declared: str = "") -> str:
    """The item's language for queue routing: the detected one, else a script-based guess."""
    if declared:
        return declared
    if any("\u0e00" <= ch <= "\u0e7f" for ch in text):
        return "th"
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return "en"


def open_item(*, target_type: str, target_id: int, source: str, defaults: dict[str, Any]) -> tuple[ReviewItem, bool]:
    item = (
        ReviewItem.objects.select_for_update()
        .filter(target_type=target_type, target_id=target_id, source=source)
        .exclude(status=ItemStatus.RESOLVED)
        .first()
    )
    if item is not None:
        return item, False
    try:
        with transaction.atomic():
            return ReviewItem.objects.create(
                target_type=target_type, target_id=target_id, source=source, **defaults
            ), True
    except IntegrityError:
        # Another worker opened it a moment ago: merge into theirs.
        item = ReviewItem.objects.get(
            target_type=target_type,
            target_id=target_id,
            source=source,
            status__in=[ItemStatus.OPEN, ItemStatus.ESCALATED],
        )
        return item, False


def severity_of(category: str) -> int:
    info = get_packs().categories.get(category) or {}
    return int(info.get("severity", 1))


def queue_for(
    verdict: Verdict,
    result: ScreeningResult,
    *,
    target_type: str,
    target_id: int,
    author: Any,
    language: str,
    note: Note | None,
    region: str = "",
) -> ReviewItem:
    category = verdict.top_category or (next(iter(verdict.regional.get(region, [])), "") if region else "")
    item, created = open_item(
        target_type=target_type,
        target_id=target_id,
        source="screening",
        defaults={
            "author": author,
            "note": note,
            "language": language,
            "region": region,
            "category": category or "other",
            "severity": severity_of(category),
            "screening": result,
        },
    )
    if not created:
        item.screening = result
        item.severity = max(item.severity, severity_of(category))
        item.save(update_fields=["screening", "severity"])
    return item
