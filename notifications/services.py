"""Notifications: written inside the action's transaction, deduplicated, never to oneself. A person's
action notifies unless the recipient blocked or muted them; a moderation notice from the site always
arrives."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Block, Mute
from notifications.models import GROUP_WINDOW, GROUPED_TYPES, Notification, NotificationType


def open_group(*, recipient_id: int, type: str, note_id: int | None, comment_id: int | None) -> int | None:
    """The group a new notification of this kind joins: the newest group of the same kind about the same
    note or comment (or about the recipient, for follows) whose first notification is less than
    ``GROUP_WINDOW`` old. A group's id is its first notification's id; one query answers."""
    if type not in GROUPED_TYPES:
        return None
    return (
        Notification.objects.filter(
            recipient_id=recipient_id,
            type=type,
            group_id=F("pk"),
            created_at__gte=timezone.now() - GROUP_WINDOW,
        )
        .filter(**{"note_id": note_id, "comment_id": comment_id})  # None: about no note (IS NULL)
        .order_by("-group_id")
        .values_list("group_id", flat=True)
        .first()
    )


def notify(
    *, recipient_id: int, actor_id: int, type: str, note_id: int | None = None, comment_id: int | None = None
) -> Notification | None:
    if recipient_id == actor_id:
        return None
    if (
        Block.objects.filter(blocker_id=recipient_id, blocked_id=actor_id).exists()
        or Mute.objects.filter(muter_id=recipient_id, muted_id=actor_id).exists()
    ):
        return None
    group_id = open_group(recipient_id=recipient_id, type=type, note_id=note_id, comment_id=comment_id)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient_id=recipient_id,
                actor_id=actor_id,
                type=type,
                note_id=note_id,
                comment_id=comment_id,
                group_id=group_id,
            )
    except IntegrityError:
        return None


def leave_moderation_notice(
    *,
    recipient_id: int,
    kind: str,
    text: str,
    target_type: str = "",
    target_id: int | None = None,
    decision_id: int | None = None,
) -> Notification:
    """A moderation notice to ``recipient_id``, from the site (no actor), already written in the
    recipient's language. Review calls this (``review.notices.notify``); ``kind`` is one of review's
    notice kinds, ``decision_id`` the decision it announces."""
    return Notification.objects.create(
        recipient_id=recipient_id,
        actor=None,
        type=NotificationType.MODERATION,
        kind=kind,
        text=text,
        target_type=target_type,
        target_id=target_id,
        decision_id=decision_id,
    )


def leave_video_failed_notice(*, recipient_id: int, video_id: int, note_id: int | None, text: str) -> Notification:
    """Tell the owner that their video could not be processed (from the site, no actor); ``text`` is
    already in the recipient's language."""
    return Notification.objects.create(
        recipient_id=recipient_id,
        actor=None,
        type=NotificationType.VIDEO_FAILED,
        note_id=note_id,
        text=text,
        target_type="video",
        target_id=video_id,
    )


def mark_moderation_read(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, type=NotificationType.MODERATION, read=False).update(
        read=True
    )


def mark_read(*, user_id: int, up_to_id: int | None = None, types: Sequence[str] | None = None) -> int:
    """Mark the user's notifications read (up to ``up_to_id``; only of ``types`` when given: one inbox tab)."""
    qs = Notification.objects.filter(recipient_id=user_id, read=False)
    if types is not None:
        qs = qs.filter(type__in=list(types))
    if up_to_id is not None:
        qs = qs.filter(pk__lte=up_to_id)
    return qs.update(read=True)


def dismiss(*, user_id: int, notification_id: int) -> bool:
    deleted, _count = Notification.objects.filter(recipient_id=user_id, pk=notification_id).delete()
    return bool(deleted)


def clear(*, user_id: int) -> int:
    deleted, _count = Notification.objects.filter(recipient_id=user_id).delete()
    return deleted
