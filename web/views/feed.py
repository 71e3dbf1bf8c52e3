"""Discover, Following and tag waterfalls; each serves a whole page or, for htmx, the next cards."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_POST

from accounts.models import User
from core import languages
from core.errors import ServiceError
from core.geo import viewer_country
from core.text import is_tag_name, normalize_tag
from feeds.selectors import discover, home_timeline, tag_timeline
from notes import services as note_services
from notes.models import Note
from notes.selectors import count_seen_from, is_following_tag, popular_tags_for_reader, tag_by_name
from recommend.models import LanguageMix
from recommend.selectors import for_you, language_mix_of, topic_notes
from web.forms import INTEREST_CHOICES
from web.translation import translate_mode
from web.views.common import (
    PAGE_SIZE,
    card_state,
    is_htmx,
    login_required_page,
    me,
    parse_id,
    redirect_back,
    viewer,
)

INTEREST_LABELS = {normalize_tag(code): label for code, label in INTEREST_CHOICES}


def _channels(request: HttpRequest) -> list[tuple[str, str]]:
    """Topic tabs after Discover / Following, as (tag key, what the tab says): the viewer's interests,
    named in the interface language ("美食", not the key "#food"), else the most used tags in the
    languages the reader reads."""
    if is_htmx(request) and request.GET.get("cursor"):
        return []
    user = viewer(request)
    if user is not None and user.interests:
        keys = [normalize_tag(i) for i in user.interests][:6]
        return [(k, str(INTEREST_LABELS[k]) if k in INTEREST_LABELS else f"#{k}") for k in keys if k]
    tags = popular_tags_for_reader(_reader_languages(request, user), limit=6)
    return [(t.name, f"#{t.display}") for t in tags]


def _reader_languages(request: HttpRequest, user: User | None) -> list[str]:
    """What the reader reads: the languages of a signed-in reader's profile; for a visitor, the page's
    language and those the browser asks for (Accept-Language, any weight)."""
    if user is not None and user.languages:
        return [str(code) for code in user.languages]
    asked = [code for code, weight in parse_accept_lang_header(request.headers.get("Accept-Language", "")) if weight]
    found = [languages.normalize(code) for code in [get_language() or "", *asked[:8]]]
    return list(dict.fromkeys(code for code in found if code))


def _render_feed(
    request: HttpRequest, *, tab: str, notes: list[Note], next_cursor: str | None, extra: dict | None = None
) -> HttpResponse:
    base = request.path
    context = {
        "tab": tab,
        "channels": _channels(request),
        "notes": notes,
        "next_url": f"{base}?cursor={next_cursor}" if next_cursor else None,
        **card_state(notes, viewer(request)),
        **(extra or {}),
    }
    context["tag_in_channels"] = any(k == context.get("tag_key") for k, _label in context["channels"])
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "web/_cards.html", context)
    return render(request, "web/feed.html", context)


def discover_page(request: HttpRequest) -> HttpResponse:
    """Discover: "For you" (recommend) for signed-in readers, each card with why it is there;
    trending (feeds) for everyone else."""
    user = viewer(request)
    try:
        if user is not None:
            cards, cursor = for_you(
                user, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, country=viewer_country(user)
            )
            notes = []
            for card in cards:
                card.note.rec_why = card.why  # type: ignore[attr-defined]
                card.note.rec_position = card.position  # type: ignore[attr-defined]
                notes.append(card.note)
            extra = {"for_you": True, "language_mix": language_mix_of(user), "language_mixes": LanguageMix.choices}
            return _render_feed(request, tab="discover", notes=notes, next_cursor=cursor, extra=extra)
        notes, cursor = discover(None, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, country=viewer_country(None))
    except ServiceError as exc:
        raise Http404 from exc
    return _render_feed(request, tab="discover", notes=notes, next_cursor=cursor)


@login_required_page
def following_page(request: HttpRequest) -> HttpResponse:
    max_id = parse_id(request.GET.get("cursor"))
    notes = home_timeline(me(request), max_id=max_id, limit=PAGE_SIZE, country=viewer_country(viewer(request)))
    cursor = str(notes[-1].pk) if len(notes) == PAGE_SIZE else None
    return _render_feed(request, tab="following", notes=notes, next_cursor=cursor)


def tag_page(request: HttpRequest, name: str) -> HttpResponse:
    key = normalize_tag(name)
    if not key:
        raise Http404
    tag = tag_by_name(key)
    if tag is not None:
        tag.notes_seen = count_seen_from(tag, viewer_country(viewer(request)))  # type: ignore[attr-defined]
    max_id = parse_id(request.GET.get("cursor"))
    notes = tag_timeline(key, viewer(request), max_id=max_id, limit=PAGE_SIZE, country=viewer_country(viewer(request)))
    cursor = str(notes[-1].pk) if len(notes) == PAGE_SIZE else None
    label = tag.display if tag else key
    about: list[Note] = []
    if max_id is None and len(notes) < PAGE_SIZE and key in INTEREST_LABELS:
        # An onboarding interest's tab (#travel) that few notes are tagged with: the notes about it
        # too, in any language, found by their text (recommend's interest embeddings).
        shown = {n.pk for n in notes}
        about = [
            n
            for n in topic_notes(key, viewer(request), country=viewer_country(viewer(request)), limit=PAGE_SIZE)
            if n.pk not in shown
        ]
    return _render_feed(
        request,
        tab="tag",
        notes=notes,
        next_cursor=cursor,
        extra={
            "tag": tag,
            "tag_key": key,
            "tag_label": label,
            "page_title": _("#%(tag)s") % {"tag": label},
            "tag_url": reverse("web:tag", args=[key]),
            "translate_mode": translate_mode(request),
            "tag_followable": is_tag_name(key),
            "following_tag": is_following_tag(viewer(request), key),
            "topic": INTEREST_LABELS[key] if about else None,
            "topic_notes": about,
            **card_state(notes + about, viewer(request)),
        },
    )


@require_POST
@login_required_page
def follow_tag(request: HttpRequest, name: str) -> HttpResponse:
    """Follow or unfollow a tag from its page: its public notes then reach the Following feed."""
    key = normalize_tag(name) if is_tag_name(name) else ""
    if not key:
        raise Http404
    try:
        if request.POST.get("action") == "unfollow":
            note_services.unfollow_tag(user=me(request), name=key)
        else:
            note_services.follow_tag(user=me(request), name=key)
    except ServiceError as exc:
        messages.error(request, exc.message)
    if is_htmx(request):
        context = {"tag_key": key, "following_tag": is_following_tag(me(request), key)}
        return render(request, "web/_follow_tag_button.html", context)
    return redirect_back(request, reverse("web:tag", args=[key]))
