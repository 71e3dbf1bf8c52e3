"""The note page and what a reader does there: like, collect into a board, comment, follow, share;
related notes under it; the author's stats for it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import is_following
from core.errors import ServiceError
from core.geo import viewer_country
from notes import services
from notes.models import Comment, Note, NoteState
from notes.note_stats import note_for_stats, note_stats, record_note_view
from notes.selectors import (
    boards_of,
    comments_for,
    get_visible_comment,
    get_visible_note,
    liked_comment_ids,
    viewer_state,
)
from recommend.selectors import related_notes
from web.forms import CollectForm, CommentForm
from web.sources import view_source
from web.translation import build_block, translate_mode
from web.views.common import (
    add_service_error,
    card_state,
    is_htmx,
    login_required_page,
    me,
    not_found_on,
    parse_id,
    reader_token,
    redirect_back,
    viewer,
)


def _note_or_404(request: HttpRequest, note_id: int) -> Note:
    note = get_visible_note(viewer=viewer(request), note_id=note_id, country=viewer_country(viewer(request)))
    if note is None:
        raise Http404
    return note


def _actions_context(request: HttpRequest, note: Note) -> dict:
    user = viewer(request)
    liked, collected = viewer_state(user, [note.pk])
    return {
        "note": note,
        "liked": note.pk in liked,
        "collected": note.pk in collected,
        "boards": list(boards_of(user, user)) if user else [],
    }


def _comments_context(request: HttpRequest, note: Note) -> dict:
    """The note's comments and which of them the viewer liked (one query more for a signed-in reader)."""
    comments = comments_for(note, viewer(request))
    ids = [c.pk for top in comments for c in [top, *top.thread_replies]]  # type: ignore[attr-defined]
    return {"comments": comments, "liked_comment_ids": liked_comment_ids(viewer(request), ids)}


def note_page(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _note_or_404(request, note_id)
    user = viewer(request)
    following = is_following(user, note.author_id)
    photos = list(note.photos.all())
    context = {
        **_actions_context(request, note),
        "photos": photos,
        "video": note.attached_video,
        "photos_processing": any(not p.is_ready for p in photos),
        **_comments_context(request, note),
        "comment_form": CommentForm(initial={"parent": parse_id(request.GET.get("reply"))}),
        "following_author": following,
        "is_author": bool(user and user.pk == note.author_id),
        # A note waiting for its video says so in its own words, in place of the player.
        "not_public_yet": note.state not in (NoteState.PUBLISHED, NoteState.PROCESSING),
        "share_url": request.build_absolute_uri(reverse("web:note", args=[note.pk])),
    }
    mode = translate_mode(request)
    block = build_block(request, "note", note, mode=mode)
    block.page_url = reverse("web:note", args=[note.pk])
    alts = {f.obj_id: f for f in block.alt_fields}
    context.update(
        translate_mode=mode,
        note_block=block,
        # Each photo with the alt text to show: translated when the note is shown translated.
        slides=[(p, alts[p.pk].text, alts[p.pk].lang) if p.pk in alts else (p, p.alt_text, "") for p in photos],
    )
    if note.state == NoteState.PUBLISHED:
        related = related_notes(note, user, country=viewer_country(user))
        context.update(related=related, **card_state(related, user))
        record_note_view(
            note=note,
            reader=user,
            source=view_source(request),
            reader_token=reader_token(request),
            translated=block.state == "ready",
        )
    return render(request, "web/note.html", context)


@login_required_page
def stats_page(request: HttpRequest, note_id: int) -> HttpResponse:
    """The author's stats for one note (staff may read any note's); anyone else: 404, as if missing."""
    note = note_for_stats(viewer=me(request), note_id=note_id)
    if note is None:
        raise Http404
    stats = note_stats(note)
    top = max((views for _s, _l, views in stats.sources), default=0)
    context = {"note": note, "stats": stats, "top_source_views": top}
    return render(request, "web/note_stats.html", context)


def _actions_response(request: HttpRequest, note_id: int) -> HttpResponse:
    if is_htmx(request):
        note = _note_or_404(request, note_id)
        return render(request, "web/_note_actions.html", _actions_context(request, note))
    return redirect_back(request, reverse("web:note", args=[note_id]))


@require_POST
@login_required_page
def like(request: HttpRequest, note_id: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "unlike":
            services.unlike_note(user=me(request), note_id=note_id)
        else:
            services.like_note(user=me(request), note_id=note_id)
    except ServiceError as exc:
        not_found_on(exc)
        messages.error(request, exc.message)
    return _actions_response(request, note_id)


@require_POST
@login_required_page
def collect(request: HttpRequest, note_id: int) -> HttpResponse:
    """Collect into a chosen board, or into a new one named in the same form; or remove from all boards."""
    user = me(request)
    form = CollectForm(request.POST)
    try:
        if request.POST.get("action") == "uncollect":
            services.uncollect_note(user=user, note_id=note_id)
        elif form.is_valid():
            board_id = form.cleaned_data.get("board")
            new_name = (form.cleaned_data.get("new_board") or "").strip()
            if new_name:
                board_id = services.create_board(owner=user, name=new_name).pk
            services.collect_note(user=user, note_id=note_id, board_id=board_id)
            messages.success(request, _("Collected."))
        else:
            messages.error(request, _("Choose a board."))
    except ServiceError as exc:
        not_found_on(exc)
        messages.error(request, exc.message)
    return _actions_response(request, note_id)


@require_POST
@login_required_page
def comment(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _note_or_404(request, note_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.create_comment(
                author=me(request),
                note_id=note.pk,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
            )
            form = CommentForm()
        except ServiceError as exc:
            not_found_on(exc)
            add_service_error(form, exc)
    if is_htmx(request):
        note = _note_or_404(request, note_id)
        # The action bar's comment count is swapped out of band, so it agrees with the heading.
        context = {
            **_actions_context(request, note),
            **_comments_context(request, note),
            "comment_form": form,
            "actions_oob": True,
        }
        return render(request, "web/_comments.html", context)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(reverse("web:note", args=[note_id]) + "#comments")


@require_POST
@login_required_page
def like_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Like or unlike a comment (``action=unlike``). A comment the viewer may not see is a 404, like a
    missing one. htmx gets the comment's like button back; a plain POST goes back to the comment."""
    user = me(request)
    try:
        if request.POST.get("action") == "unlike":
            services.unlike_comment(user=user, comment_id=comment_id)
        else:
            services.like_comment(user=user, comment_id=comment_id)
    except ServiceError as exc:
        not_found_on(exc)
        messages.error(request, exc.message)
    comment: Comment | None = get_visible_comment(viewer=user, comment_id=comment_id, country=viewer_country(user))
    if comment is None:
        raise Http404
    if is_htmx(request):
        liked = bool(liked_comment_ids(user, [comment.pk]))
        return render(request, "web/_comment_like.html", {"c": comment, "liked": liked})
    return redirect_back(request, reverse("web:note", args=[comment.note_id]) + f"#c{comment.pk}")


@require_POST
@login_required_page
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    try:
        services.delete_comment(user=me(request), comment_id=comment_id)
    except ServiceError as exc:
        # Someone else's comment looks like a missing one.
        raise Http404 from exc
    return redirect_back(request, reverse("web:discover"))


@require_POST
@login_required_page
def delete_note(request: HttpRequest, note_id: int) -> HttpResponse:
    try:
        services.delete_note(author=me(request), note_id=note_id)
    except ServiceError as exc:
        raise Http404 from exc
    messages.success(request, _("Note deleted."))
    return redirect("web:profile", username=me(request).username)
