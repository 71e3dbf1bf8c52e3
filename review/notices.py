"""Moderation notices to the people concerned, written in the recipient's language. A notice is a
notification of type ``moderation`` (``notifications.services.leave_moderation_notice``), so it shows
in the same list and API as follows and likes; the review notices page reads the same records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation

from notifications.models import Notification
from notifications.services import leave_moderation_notice, mark_moderation_read
from review.models import Decision


def language_of(user: Any) -> str:
    """The interface language to write to ``user`` in (``User.interface_language``): the one they chose,
    else Chinese for a reader of Chinese, else the site's default."""
    return str(getattr(user, "interface_language", "") or settings.LANGUAGE_CODE)


def notify(
    user: Any,
    kind: str,
    text: str | Callable[[], str],
    *,
    target_type: str = "",
    target_id: int | None = None,
    decision: Decision | None = None,
) -> Notification:
    """Leave ``user`` a notice. Notices are kept as text, so pass a function that writes it: it runs
    in the recipient's language (a reviewer's or a worker's language is not theirs)."""
    if callable(text):
        with translation.override(language_of(user)):
            text = text()
    return leave_moderation_notice(
        recipient_id=user.pk,
        kind=kind,
        text=str(text),
        target_type=target_type,
        target_id=target_id,
        decision_id=decision.pk if decision is not None else None,
    )


def mark_notices_read(*, user: Any) -> int:
    return mark_moderation_read(user_id=user.pk)
