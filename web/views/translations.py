"""Translation fragments for htmx: one object's block, or a batch (a page of cards, a list of comments)."""

from __future__ import annotations

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from accounts.selectors import hidden_author_ids
from core.geo import viewer_country
from notes.models import Comment, Note, NoteState, Tag
from notes.note_stats import record_translated_read
from notes.selectors import get_visible_comment, get_visible_note, visible_comments, visible_notes
from translation import trace
from web.translation import (
    BATCH_KINDS,
    MAX_POLLS,
    BadBatch,
    batch_url,
    build_block,
    draft_state,
    parse_batch_ids,
    parse_polls,
    translate_cards,
    translate_comments,
)
from web.views.common import is_htmx, parse_id, reader_token, viewer


def _translatable_object(request: HttpRequest, kind: str, obj_id: int) -> tuple[Note | Comment | User | Tag, str]:
    """The object and the page it is shown on, if the viewer may see it; 404 otherwise."""
    if kind == "note":
        note = get_visible_note(viewer=viewer(request), note_id=obj_id, country=viewer_country(viewer(request)))
        if note is None:
            raise Http404
        return note, reverse("web:note", args=[note.pk])
    if kind == "comment":
        comment = get_visible_comment(
            viewer=viewer(request), comment_id=obj_id, country=viewer_country(viewer(request))
        )
        if comment is None:
            raise Http404
        return comment, reverse("web:note", args=[comment.note_id])
    if kind == "bio":
        person = User.objects.filter(pk=obj_id, is_active=True).first()
        if person is None or person.pk in hidden_author_ids(viewer(request)):
            raise Http404
        return person, reverse("web:profile", args=[person.username])
    if kind == "tag":
        tag = Tag.objects.filter(pk=obj_id).first()
        if tag is None:
            raise Http404
        return tag, reverse("web:tag", args=[tag.name])
    raise Http404


def _fragment_mode(request: HttpRequest) -> str:
    """What the fragment URL asks: ``?show=original``, ``?gloss=1``, ``?retry=1``, ``?auto=1`` (the
    page's own request as it loads), else translate."""
    params = request.GET
    if params.get("show") == "original":
        return "original"
    if params.get("gloss") == "1":
        return "gloss"
    if params.get("retry") == "1":
        return "retry"
    if params.get("auto") == "1":
        return "unread"
    return "translate"


_PAGE_PARAM = {"original": "0", "gloss": "gloss", "retry": "retry"}


def translate(request: HttpRequest, kind: str, obj_id: int) -> HttpResponse:
    """The translatable block of one object (htmx): translated, pending (polled), or the original.

    Without htmx, the reader is sent to the page with the translations shown (``?translate=1``, or
    ``gloss`` / ``retry`` / ``0`` for the other links).
    """
    trace.mark("request", kind=kind, obj=obj_id)
    obj, page_url = _translatable_object(request, kind, obj_id)
    mode = _fragment_mode(request)
    if not is_htmx(request):
        return redirect(f"{page_url}?translate={_PAGE_PARAM.get(mode, '1')}")
    block = build_block(request, kind, obj, mode=mode)
    block.page_url = page_url
    block.polls = min(max(parse_id(request.GET.get("n")) or 0, 0), MAX_POLLS)
    # A draft still growing is not "taking a while": the page keeps showing it (a cold model can take a
    # minute on a small box before the end of its first answer).
    if block.state == "pending" and block.polls >= MAX_POLLS and not block.has_draft:
        block.state = "slow"
    if kind == "note" and block.state == "ready" and isinstance(obj, Note) and obj.state == NoteState.PUBLISHED:
        # The author's stats count reads in translation (once per reader; notes.note_stats).
        record_translated_read(note=obj, reader=viewer(request), reader_token=reader_token(request))
    response = render(request, "web/_translatable.html", {"block": block})
    trace.mark("response", kind=kind, obj=obj_id, state=block.state)
    return response


def translate_partial(request: HttpRequest, kind: str, obj_id: int) -> JsonResponse:
    """The drafts of a pending block (JSON), polled by the page every quarter second so the reader
    sees the translation grow: ``{"pending": bool, "target": code, "fields": {name: draft}}``. When
    ``pending`` turns false the page asks for the block itself, which shows the final, validated
    result, or the original with the reason. The same visibility rules as the block."""
    trace.mark("poll_in", kind=kind, obj=obj_id)
    obj, _ = _translatable_object(request, kind, obj_id)
    state = draft_state(request, kind, obj)
    trace.mark("poll_out", kind=kind, obj=obj_id, draft=bool(state["fields"]), pending=state["pending"])
    response = JsonResponse(state)
    response["Cache-Control"] = "no-store"
    return response


def translate_batch(request: HttpRequest, kind: str) -> HttpResponse:
    """Many objects in one request: ``kind`` "card" (note ids: card titles) or "comment" (comment ids).

    The answer swaps each finished item into the page (htmx out-of-band swaps) and replaces the
    batch element with one that asks again in two seconds for the ids still pending, at most
    MAX_POLLS times. Objects the viewer may not see are left out, as if they did not exist.
    """
    if kind not in BATCH_KINDS:
        return HttpResponseNotFound(
            f"unknown kind {kind[:30]!r}: use {' or '.join(BATCH_KINDS)}", content_type="text/plain; charset=utf-8"
        )
    try:
        ids = parse_batch_ids(request.GET.get("ids"))
        polls = parse_polls(request.GET.get("n"))
    except BadBatch as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    who, country = viewer(request), viewer_country(viewer(request))
    context: dict[str, object] = {"kind": kind}
    keep = request.GET.get("keep") == "1"
    if kind == "card":
        cards, pending = translate_cards(request, visible_notes(ids, who, country=country))
        context.update(cards=cards, keep=keep)
    else:
        comments = visible_comments(viewer=who, comment_ids=ids, country=country)
        blocks, pending = translate_comments(request, comments)
        if pending and polls + 1 >= MAX_POLLS:
            # Still not there after a minute: those comments say so, with Try again.
            for comment in comments:
                if comment.pk in pending:
                    block = build_block(request, "comment", comment, mode="original")
                    block.page_url, block.state = reverse("web:note", args=[comment.note_id]), "slow"
                    blocks.append(block)
        context["blocks"] = blocks
    if pending and polls + 1 < MAX_POLLS:
        context["next_url"] = batch_url(kind, pending, polls + 1, keep=keep)
        context["pending"] = pending
    return render(request, "web/_translate_batch.html", context)
