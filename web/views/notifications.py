from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from notes.selectors import notes_by_ids
from notifications.selectors import notifications_for
from notifications.services import mark_read
from web.views.common import login_required_page, me, parse_id


@login_required_page
def notifications(request: HttpRequest) -> HttpResponse:
    user = me(request)
    max_id = parse_id(request.GET.get("cursor"))
    items = notifications_for(user, max_id=max_id, limit=40, country=user.region or None)
    notes = notes_by_ids([n.note_id for n in items if n.note_id])
    unread = {n.pk for n in items if not n.read}
    rows = [{"n": n, "note": notes.get(n.note_id) if n.note_id else None, "unread": n.pk in unread} for n in items]
    if items and unread:
        mark_read(user_id=user.pk, up_to_id=items[0].pk)
    context = {
        "rows": rows,
        "next_url": f"{request.path}?cursor={items[-1].pk}" if len(items) == 40 else None,
    }
    return render(request, "web/notifications.html", context)
