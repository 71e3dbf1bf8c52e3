from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import User
from notes.selectors import notes_by_ids
from notifications.models import Notification
from notifications.selectors import moderation_note_targets, notifications_for
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


@login_required_page
def notifications(request: HttpRequest) -> HttpResponse:
    user = me(request)
    country = user.region or None
    max_id = parse_id(request.GET.get("cursor"))
    items = notifications_for(user, max_id=max_id, limit=40, country=country)
    notes = notes_by_ids([n.note_id for n in items if n.note_id])
    targets = moderation_note_targets(user, items, country=country)
    unread = {n.pk for n in items if not n.read}
    rows: list[dict[str, Any]] = [
        {
            "n": n,
            "note": notes.get(n.note_id) if n.note_id else None,
            "unread": n.pk in unread,
            "link": _moderation_link(user, n, targets) if n.is_moderation else {},
        }
        for n in items
    ]
    if items and unread:
        mark_read(user_id=user.pk, up_to_id=items[0].pk)
    context = {
        "rows": rows,
        "next_url": f"{request.path}?cursor={items[-1].pk}" if len(items) == 40 else None,
    }
    return render(request, "web/notifications.html", context)
