"""Search notes, tags and people; English and Chinese queries alike (segmentation lives in notes.search)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import search_people
from core.geo import viewer_country
from notes.search import search_note_ids
from notes.selectors import popular_tags, search_tags, visible_notes, with_counts_seen_from
from web.views.common import PAGE_SIZE, card_state, is_htmx, parse_page, viewer

KINDS = ("notes", "tags", "people")
MAX_QUERY = 200


def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    kind = request.GET.get("type") if request.GET.get("type") in KINDS else "notes"
    page_no = parse_page(request.GET.get("page"), last=100)
    who = viewer(request)
    context: dict = {"query": query, "kind": kind, "kinds": KINDS, "notes": [], "tags": [], "people": []}
    if not query:
        context["trending_tags"] = popular_tags(limit=20)
    elif kind == "notes":
        ids = search_note_ids(query, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        notes = visible_notes(ids, who, country=viewer_country(viewer(request)))
        context.update(notes=notes, **card_state(notes, who))
        if len(ids) == PAGE_SIZE:
            context["next_url"] = f"{request.path}?q={_quote(query)}&type=notes&page={page_no + 1}"
    elif kind == "tags":
        context["tags"] = with_counts_seen_from(search_tags(query, limit=40), viewer_country(viewer(request)))
    else:
        context["people"] = list(search_people(query, limit=40))
    if is_htmx(request) and page_no > 1:
        return render(request, "web/_cards.html", context)
    return render(request, "web/search.html", context)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
