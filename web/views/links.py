"""Mastodon-style links, as clients and people write them: ``/@<username>`` (a profile) and
``/@<username>/<status id>`` (a note, or a comment shown on its note's page). Each answers with a
redirect to the page itself; what the reader may not see is a 404, as on the page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.geo import viewer_country
from notes.selectors import get_visible_comment, get_visible_note
from web.views.common import parse_id, viewer


def account(request: HttpRequest, username: str) -> HttpResponse:
    return redirect("web:profile", username=username)


def status(request: HttpRequest, username: str, status_id: str) -> HttpResponse:
    pk = parse_id(status_id)
    if pk is None:
        raise Http404
    who = viewer(request)
    country = viewer_country(who)
    note = get_visible_note(viewer=who, note_id=pk, country=country)
    if note is not None and note.author.username == username:
        return redirect("web:note", note_id=note.pk)
    comment = get_visible_comment(viewer=who, comment_id=pk, country=country)
    if comment is not None and comment.author.username == username:
        return redirect(reverse("web:note", args=[comment.note_id]) + f"#c{comment.pk}")
    raise Http404
