from __future__ import annotations

from accounts.models import User
from accounts.selectors import hidden_author_ids
from notes.models import NoteState
from notes.selectors import withheld_note_ids
from notifications.models import Notification


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
