"""Place pages: every note at a place that the viewer may see, as a waterfall like Discover."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.geo import viewer_country
from notes.selectors import get_place, place_note_ids, visible_notes
from web.views.common import PAGE_SIZE, card_state, is_htmx, parse_id, viewer


def place_page(request: HttpRequest, place_id: int) -> HttpResponse:
    place = get_place(place_id)
    if place is None:
        raise Http404
    who = viewer(request)
    max_id = parse_id(request.GET.get("cursor"))
    ids = place_note_ids(place.pk, max_id=max_id, limit=PAGE_SIZE)
    notes = visible_notes(ids, who, country=viewer_country(who))
    context = {
        "place": place,
        "notes": notes,
        "next_url": f"{request.path}?cursor={ids[-1]}" if len(ids) == PAGE_SIZE else None,
        **card_state(notes, who),
    }
    if is_htmx(request) and max_id:
        return render(request, "web/_cards.html", context)
    return render(request, "web/place.html", context)
