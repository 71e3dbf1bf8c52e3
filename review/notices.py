"""Moderation notices to the people concerned, written in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from review.models import (
    Decision,
    Notice,
)


def language_of(user: Any) -> str:
    """The interface language to write to ``user`` in: the one they chose, else Chinese for a reader of
    Chinese, else the site's default."""
    if getattr(user, "ui_language", ""):
        return str(user.ui_language)
    languages = getattr(user, "languages", None) or []
    if languages and str(languages[0]).lower().startswith("zh"):
        return "zh-hans"
    return str(settings.LANGUAGE_CODE)


def notify(
    user: Any,
    kind: str,
    text: str | Callable[[], str],
    *,
    target_type: str = "",
    target_id: int | None = None,
    decision: Decision | None = None,
) -> Notice:
    """Leave ``user`` a notice. Notices are kept as text, so pass a function that writes it: it runs
    in the recipient's language (a reviewer's or a worker's language is not theirs)."""
    if callable(text):
        with translation.override(language_of(user)):
            text = text()
    return Notice.objects.create(
        recipient=user, kind=kind, text=text, target_type=target_type, target_id=target_id, decision=decision
    )


def mark_notices_read(*, user: Any) -> int:
    return Notice.objects.filter(recipient=user, read=False).update(read=True)
