"""Search notes, tags and people; English and Chinese queries alike (segmentation lives in notes.search).

A query is also looked for in the other language (translation.query: "hot pot" finds 火锅 notes and the
reverse, through the term base and the translation memory) and across Chinese scripts (火鍋 = 火锅); the
notes app only receives the groups of alternatives. Results show the original that matched, marked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import search_people
from core.geo import viewer_country
from notes.search import search_note_ids
from notes.selectors import popular_tags, search_tags, visible_notes, with_counts_seen_from
from translation.query import expand_query
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
        expanded = expand_query(query)
        ids = search_note_ids(query, groups=expanded.groups, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        notes = visible_notes(ids, who, country=viewer_country(who))
        context.update(notes=notes, search_terms=expanded.highlight, also=expanded.also, **card_state(notes, who))
        if len(ids) == PAGE_SIZE:
            context["next_url"] = f"{request.path}?q={_quote(query)}&type=notes&page={page_no + 1}"
    elif kind == "tags":
        expanded = expand_query(query)
        also = expanded.also if len(expanded.groups) == 1 else []
        tags = search_tags(query, limit=40, also=also)
        context.update(tags=with_counts_seen_from(tags, viewer_country(who)), also=also)
    else:
        context["people"] = list(search_people(query, limit=40))
    if is_htmx(request) and page_no > 1:
        return render(request, "web/_cards.html", context)
    return render(request, "web/search.html", context)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
