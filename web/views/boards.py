"""Boards: a board's notes, create, rename, make private, move notes between boards, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.geo import viewer_country
from notes import services
from notes.models import Board
from notes.selectors import board_note_ids, boards_of, count_seen_from, get_board, visible_notes, with_counts_seen_from
from web.forms import BoardForm, MoveForm
from web.views.common import add_service_error, card_state, login_required_page, me, viewer, with_covers


def _own_board_or_404(request: HttpRequest, board_id: int) -> Board:
    board = get_board(board_id, viewer(request))
    if board is None or board.owner_id != me(request).pk:
        raise Http404
    return board


def board_page(request: HttpRequest, board_id: int) -> HttpResponse:
    who = viewer(request)
    board = get_board(board_id, who)
    if board is None:
        raise Http404
    country = viewer_country(viewer(request))
    notes = visible_notes(board_note_ids(board), who, country=country, for_feed=False)
    board.notes_seen = count_seen_from(board, country)  # type: ignore[attr-defined]
    is_owner = bool(who and who.pk == board.owner_id)
    context = {
        "board": board,
        "notes": notes,
        "is_owner": is_owner,
        "other_boards": [b for b in boards_of(board.owner, who) if b.pk != board.pk] if is_owner else [],
        **card_state(notes, who),
    }
    return render(request, "web/board.html", context)


@login_required_page
def my_boards(request: HttpRequest) -> HttpResponse:
    user = me(request)
    form = BoardForm()
    if request.method == "POST":
        form = BoardForm(request.POST)
        if form.is_valid():
            try:
                board = services.create_board(owner=user, **form.cleaned_data)
                return redirect("web:board", board_id=board.pk)
            except ServiceError as exc:
                add_service_error(form, exc)
    status = 422 if form.errors else 200
    country = viewer_country(user)
    boards = with_covers(with_counts_seen_from(boards_of(user, user), country), user, country)
    return render(request, "web/boards.html", {"boards": boards, "form": form}, status=status)


@login_required_page
def edit_board(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _own_board_or_404(request, board_id)
    if request.method == "POST":
        form = BoardForm(request.POST)
        if form.is_valid():
            try:
                services.update_board(owner=me(request), board_id=board.pk, **form.cleaned_data)
                messages.success(request, _("Board saved."))
                return redirect("web:board", board_id=board.pk)
            except ServiceError as exc:
                add_service_error(form, exc)
        status = 422
    else:
        form = BoardForm(initial={"name": board.name, "description": board.description, "is_private": board.is_private})
        status = 200
    return render(request, "web/edit_board.html", {"board": board, "form": form}, status=status)


@require_POST
@login_required_page
def delete_board(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _own_board_or_404(request, board_id)
    try:
        services.delete_board(owner=me(request), board_id=board.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:board", board_id=board.pk)
    messages.success(request, _("Board deleted."))
    return redirect("web:boards")


@require_POST
@login_required_page
def move_note(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _own_board_or_404(request, board_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a board."))
    else:
        try:
            if request.POST.get("action") == "remove":
                services.uncollect_note(user=me(request), note_id=form.cleaned_data["note"], board_id=board.pk)
            elif form.cleaned_data["to_board"] is None:
                messages.error(request, _("Choose a board."))
            else:
                services.move_collect(
                    user=me(request),
                    note_id=form.cleaned_data["note"],
                    from_board_id=board.pk,
                    to_board_id=form.cleaned_data["to_board"],
                )
                messages.success(request, _("Moved."))
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("web:board", args=[board.pk]))
