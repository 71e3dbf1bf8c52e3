from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from accounts.selectors import hidden_author_ids
from notes.models import Comment, NoteState
from notes.selectors import visible_notes, withheld_note_ids
from notifications.models import GROUP_WINDOW, GROUPED_TYPES, Notification, NotificationType


def _shown_to(user: User) -> QuerySet[Notification]:
    """The user's notifications that may be shown: none from an account hidden from them, none about a
    note that is gone or held."""
    qs = Notification.objects.filter(recipient=user).exclude(actor_id__in=hidden_author_ids(user))
    return qs.exclude(note__state__in=[NoteState.REMOVED, NoteState.REJECTED, NoteState.HELD])


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
    qs = _shown_to(user)
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


# --- the inbox: tabs as RedNote has them, entries grouped ------------------------------------------

T = NotificationType
INBOX_TABS: dict[str, tuple[str, ...]] = {
    "likes": (T.LIKE, T.COLLECT, T.COMMENT_LIKE),
    "follows": (T.FOLLOW,),
    "comments": (T.COMMENT, T.REPLY, T.MENTION, T.SUGGESTION, T.SUGGESTION_APPROVED),
    "notices": (T.MODERATION, T.VIDEO_FAILED),
}
TAB_OF = {type_: tab for tab, types in INBOX_TABS.items() for type_ in types}
INBOX_PAGE = 100  # lines (groups) per page
# A line shows three faces and a count; this many of a group's newest notifications are read for it.
GROUP_SAMPLE = 20


@dataclass
class InboxEntry:
    """One line of the inbox: a notification, or several of one kind about one note (or comment, or the
    recipient themselves for follows), newest first."""

    items: list[Notification] = field(default_factory=list)
    # From the inbox's group query: everyone in the group and its unread notifications, when ``items``
    # holds only the newest of them.
    people: int | None = None
    unread_count: int | None = None

    @property
    def latest(self) -> Notification:
        return self.items[0]

    @property
    def type(self) -> str:
        return self.latest.type

    @property
    def actors(self) -> list[User]:
        seen: dict[int, User] = {}
        for n in self.items:
            if n.actor is not None:
                seen.setdefault(n.actor.pk, n.actor)
        return list(seen.values())

    @property
    def others(self) -> int:
        """How many besides the first actor ("maple_matcha and 12 others")."""
        return max(0, (len(self.actors) if self.people is None else self.people) - 1)

    @property
    def unread(self) -> bool:
        if self.unread_count is not None:
            return self.unread_count > 0
        return any(not n.read for n in self.items)


def group_notifications(items: list[Notification], *, window: timedelta = GROUP_WINDOW) -> list[InboxEntry]:
    """Group ``items`` (newest first) per kind and per note or comment, within ``window`` of a group's
    newest notification; an older one of the same kind starts a group of its own. Entries keep the
    order of their newest notification."""
    entries: list[InboxEntry] = []
    open_groups: dict[tuple[str, int | None, int | None], InboxEntry] = {}
    for n in items:
        if n.type not in GROUPED_TYPES:
            entries.append(InboxEntry([n]))
            continue
        key = (n.type, n.note_id, n.comment_id)
        entry = open_groups.get(key)
        if entry is not None and entry.latest.created_at - n.created_at <= window:
            entry.items.append(n)
            continue
        entry = InboxEntry([n])
        open_groups[key] = entry
        entries.append(entry)
    return entries


def inbox_page(
    user: User, tab: str, *, max_id: int | None = None, country: str | None = None, size: int | None = None
) -> tuple[list[InboxEntry], int | None]:
    """One page of an inbox tab: up to ``size`` lines, each a whole group (``Notification.group_id``,
    set when the notification was written), newest group first, and the cursor of the next page (the
    last line's newest id; None at the end). Two queries whatever the groups hold: the page's groups
    with their counts, then up to ``GROUP_SAMPLE`` of each group's newest notifications."""
    size = INBOX_PAGE if size is None else size
    shown = _shown_to(user).filter(type__in=list(INBOX_TABS[tab]))
    groups = (
        shown.values("group_id")
        .annotate(
            newest=Max("id"),
            people=Count("actor_id", distinct=True),
            unread=Count("id", filter=Q(read=False)),
        )
        .order_by("-newest")
    )
    if max_id is not None:
        groups = groups.filter(newest__lt=max_id)
    rows = list(groups[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not rows:
        return [], None
    sampled = (
        shown.filter(group_id__in=[row["group_id"] for row in rows])
        .annotate(rank=Window(RowNumber(), partition_by=[F("group_id")], order_by=F("id").desc()))
        .filter(rank__lte=GROUP_SAMPLE)
        .select_related("actor", "comment")
    )
    by_group: dict[int, list[Notification]] = {}
    for n in sampled:
        by_group.setdefault(n.group_id or n.pk, []).append(n)
    withheld = withheld_note_ids([n.note_id for items in by_group.values() for n in items if n.note_id], country)
    entries = []
    for row in rows:
        items = sorted(by_group.get(row["group_id"] or 0, []), key=lambda n: n.pk, reverse=True)
        if items and items[0].note_id not in withheld:
            entries.append(InboxEntry(items, people=row["people"], unread_count=row["unread"]))
    return entries, (rows[-1]["newest"] if more else None)


def unread_by_tab(user: User) -> dict[str, int]:
    """Unread notifications per inbox tab, every tab present: one query."""
    counts = dict.fromkeys(INBOX_TABS, 0)
    rows = Notification.objects.filter(recipient=user, read=False).values("type").annotate(n=Count("id"))
    for row in rows.order_by():
        tab = TAB_OF.get(row["type"])
        if tab is not None:
            counts[tab] += row["n"]
    return counts


def has_moderation_notices(user: User) -> bool:
    """Whether the user has any notice from the site (the inbox shows its Notices tab then)."""
    return Notification.objects.filter(recipient=user, type__in=INBOX_TABS["notices"]).exists()


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
