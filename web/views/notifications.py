"""The inbox: tabs as RedNote has them (likes and collects, new followers, comments and @mentions, and
moderation notices when there are any), grouped entries, unread counts per tab; a tab is read once opened."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from core.geo import viewer_country
from notes.selectors import notes_by_ids
from notifications.models import Notification, NotificationType
from notifications.selectors import (
    INBOX_TABS,
    has_moderation_notices,
    inbox_page,
    moderation_note_targets,
    unread_by_tab,
)
from notifications.services import mark_read
from web.views.common import login_required_page, me, parse_id


def _moderation_link(user: User, n: Notification, targets: dict[int, tuple[int, int | None]]) -> dict[str, str]:
    """Where a moderation notice leads: a decision to its statement of reasons, anything else to the item
    when the recipient may open it (``kind`` picks the link's words in the template)."""
    if n.decision_id is not None:
        return {"url": reverse("web:review_notices"), "kind": "statement"}
    if n.pk in targets:
        note_id, comment_id = targets[n.pk]
        url = reverse("web:note", args=[note_id])
        return {"url": f"{url}#c{comment_id}" if comment_id else url, "kind": "comment" if comment_id else "note"}
    if n.target_type == "profile" and n.target_id == user.pk:
        return {"url": reverse("web:profile", args=[user.username]), "kind": "profile"}
    return {}


def _site_notice_link(n: Notification) -> dict[str, str]:
    """A failed video's notice leads to the note that waited for it (its author may open it)."""
    if n.type == NotificationType.VIDEO_FAILED and n.note_id is not None:
        return {"url": reverse("web:note", args=[n.note_id]), "kind": "note"}
    return {}


def _tab(request: HttpRequest, unread: dict[str, int]) -> str:
    """The tab asked for; without one, the first tab with something new (else the first)."""
    asked = request.GET.get("tab")
    if asked is None:
        return next((tab for tab, count in unread.items() if count), "likes")
    if asked not in INBOX_TABS:
        raise Http404
    return asked


@login_required_page
def notifications(request: HttpRequest) -> HttpResponse:
    user = me(request)
    country = viewer_country(user)
    unread = unread_by_tab(user)
    tab = _tab(request, unread)
    entries, next_id = inbox_page(user, tab, max_id=parse_id(request.GET.get("cursor")), country=country)
    items = [n for entry in entries for n in entry.items]
    notes = notes_by_ids({n.note_id for n in items if n.note_id})
    targets = moderation_note_targets(user, items, country=country) if tab == "notices" else {}
    rows: list[dict[str, Any]] = [
        {
            "entry": entry,
            "n": entry.latest,
            "note": notes.get(entry.latest.note_id) if entry.latest.note_id else None,
            "link": _moderation_link(user, entry.latest, targets)
            if entry.latest.is_moderation
            else _site_notice_link(entry.latest),
        }
        for entry in entries
    ]
    if unread[tab]:
        # Opening a tab reads it: everything of its kinds up to the newest shown.
        mark_read(user_id=user.pk, types=INBOX_TABS[tab], up_to_id=items[0].pk if items else None)
    shown = [t for t in INBOX_TABS if t != "notices" or unread["notices"] or tab == "notices"]
    if "notices" not in shown and has_moderation_notices(user):
        shown.append("notices")
    context = {
        "tab": tab,
        "tabs": [{"key": t, "unread": 0 if t == tab else unread[t]} for t in shown],
        "rows": rows,
        "next_url": f"{request.path}?{urlencode({'tab': tab, 'cursor': str(next_id)})}" if next_id else None,
    }
    return render(request, "web/notifications.html", context)
