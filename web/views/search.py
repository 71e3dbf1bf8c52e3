"""Search notes, tags and people; English and Chinese queries alike (segmentation lives in notes.search).

A query is also looked for in the other language (translation.query: "hot pot" finds 火锅 notes and the
reverse, through the term base and the translation memory) and across Chinese scripts (火鍋 = 火锅); the
notes app only receives the groups of alternatives. Results show the original that matched, marked.

The empty search page shows what is hot (rising queries and tags in the viewer's interface language and
region) and, for a signed-in reader, their recent searches; ``/search/suggest/`` answers suggestions as
the reader types (JSON, for app.js; the form works without it). See notes/search_trends.py.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors import search_people
from core.geo import viewer_country
from core.network import client_ip
from notes import search_trends
from notes.search import search_note_ids
from notes.selectors import popular_tags_cached, search_tags, visible_notes, with_counts_seen_from
from translation.query import expand_query
from web.views.common import (
    PAGE_SIZE,
    card_state,
    is_htmx,
    login_required_page,
    me,
    parse_page,
    reader_token,
    redirect_back,
    viewer,
)

KINDS = ("notes", "tags", "people")
MAX_QUERY = 200


def interface_language() -> str:
    return translation.get_language() or "en"


def search(request: HttpRequest) -> HttpResponse:
    query = search_trends.clean_query(request.GET.get("q") or "", limit=MAX_QUERY)
    kind = request.GET.get("type") if request.GET.get("type") in KINDS else "notes"
    page_no = parse_page(request.GET.get("page"), last=100)
    who = viewer(request)
    country = viewer_country(who)
    context: dict = {"query": query, "kind": kind, "kinds": KINDS, "notes": [], "tags": [], "people": []}
    if not query:
        language = interface_language()
        context.update(
            hot_queries=search_trends.hot_searches(language=language, region=country),
            rising_tags=search_trends.rising_tags(language=language, country=country),
            recent=search_trends.recent_searches(who),
        )
        if not context["rising_tags"]:
            context["popular_tags"] = popular_tags_cached(limit=20)
        return render(request, "web/search.html", context)
    if page_no == 1 and not is_htmx(request):
        search_trends.record_search(
            query=query,
            language=interface_language(),
            region=country,
            user=who,
            repeat_token=reader_token(request),
            searcher=f"u{who.pk}" if who is not None else f"a{client_ip(request)}",
        )
    if kind == "notes":
        expanded = expand_query(query)
        ids = search_note_ids(query, groups=expanded.groups, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        notes = visible_notes(ids, who, country=country)
        context.update(notes=notes, search_terms=expanded.highlight, also=expanded.also, **card_state(notes, who))
        if len(ids) == PAGE_SIZE:
            context["next_url"] = f"{request.path}?q={quote(query)}&type=notes&page={page_no + 1}"
    elif kind == "tags":
        expanded = expand_query(query)
        also = expanded.also if len(expanded.groups) == 1 else []
        tags = search_tags(query, limit=40, also=also)
        context.update(tags=with_counts_seen_from(tags, country), also=also)
    else:
        context["people"] = list(search_people(query, limit=40))
    if is_htmx(request) and page_no > 1:
        return render(request, "web/_cards.html", context)
    return render(request, "web/search.html", context)


def _person(person: User) -> dict[str, str]:
    return {"username": person.username, "name": person.name, "url": reverse("web:profile", args=[person.username])}


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Suggestions for what has been typed: ``{"query", "tags": [...], "people": [...], "queries": [...]}``,
    each with the URL it leads to. Any input is answered (empty lists for nothing usable)."""
    raw = request.GET.get("q") or ""
    who = viewer(request)
    found = search_trends.search_suggestions(
        raw, viewer=who, language=interface_language(), country=viewer_country(who)
    )
    search_url = reverse("web:search")
    body = {
        "query": search_trends.clean_query(raw),
        "tags": [
            {"name": t.name, "display": t.display, "notes": t.notes_seen, "url": reverse("web:tag", args=[t.name])}  # type: ignore[attr-defined]
            for t in found.tags
        ],
        "people": [_person(p) for p in found.people],
        "queries": [{"text": q, "url": f"{search_url}?q={quote(q)}"} for q in found.queries],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=30"
    return response


@require_POST
@login_required_page
def clear_recent(request: HttpRequest) -> HttpResponse:
    search_trends.clear_recent_searches(user=me(request))
    if is_htmx(request):
        return HttpResponse("")
    return redirect_back(request, reverse("web:search"))
