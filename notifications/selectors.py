from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import hidden_author_ids
from notes.models import Comment, NoteState
from notes.selectors import visible_notes, withheld_note_ids
from notifications.models import Notification, NotificationType


def notifications_for(
    user: User,
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
    types: list[str] | None = None,
    exclude_types: list[str] | None = None,
    country: str | None = None,
) -> list[Notification]:
    qs = Notification.objects.filter(recipient=user).exclude(actor_id__in=hidden_author_ids(user))
    qs = qs.exclude(note__state__in=[NoteState.REMOVED, NoteState.REJECTED, NoteState.HELD])
    if types:
        qs = qs.filter(type__in=types)
    if exclude_types:
        qs = qs.exclude(type__in=exclude_types)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    qs = qs.select_related("actor", "comment")
    if min_id is not None:
        items = list(qs.filter(pk__gt=min_id).order_by("id")[:limit])[::-1]
    else:
        items = list(qs.order_by("-id")[:limit])
    withheld = withheld_note_ids([n.note_id for n in items if n.note_id], country)
    return [n for n in items if n.note_id not in withheld]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read=False).count()


def moderation_notices_for(user: User, *, limit: int = 50) -> QuerySet[Notification]:
    """The user's moderation notices, newest first (the review notices page and its API)."""
    return Notification.objects.filter(recipient=user, type=NotificationType.MODERATION).order_by("-id")[:limit]


def moderation_note_targets(
    user: User, items: list[Notification], *, country: str | None = None
) -> dict[int, tuple[int, int | None]]:
    """For the moderation notices among ``items`` that are about a note or a comment: notification id
    -> (note id, comment id or None), for those whose note ``user`` may still open (their own held or
    rejected note included, a removed one or someone else's hidden one not)."""
    notices = [(n.pk, n.target_type, n.target_id) for n in items if n.is_moderation and n.target_id is not None]
    comment_ids = [target_id for _pk, kind, target_id in notices if kind == "comment"]
    note_of_comment = (
        dict(Comment.objects.filter(pk__in=comment_ids).values_list("pk", "note_id")) if comment_ids else {}
    )
    wanted: dict[int, tuple[int, int | None]] = {}
    for pk, kind, target_id in notices:
        if kind == "note":
            wanted[pk] = (target_id, None)
        elif kind == "comment" and target_id in note_of_comment:
            wanted[pk] = (note_of_comment[target_id], target_id)
    if not wanted:
        return {}
    seen = {note.pk for note in visible_notes({t[0] for t in wanted.values()}, user, country=country, for_feed=False)}
    return {pk: target for pk, target in wanted.items() if target[0] in seen}
