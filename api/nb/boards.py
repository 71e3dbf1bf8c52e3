"""Boards: named collections of notes, public or private. Private boards of others are a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.selectors import get_by_username
from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.openapi import errors
from api.nb.schemas import BoardDetail, BoardIn, BoardOut, BoardPatch, CollectIn, MoveIn, OkOut
from notes import services
from notes.selectors import board_note_ids, boards_of, get_board, visible_notes

router = Router(tags=["boards"])


@router.get("", response=list[BoardOut], auth=OPTIONAL, openapi_extra=errors(404))
def list_boards(request: HttpRequest, owner: str = "") -> list[dict[str, Any]]:
    """Boards of ``owner`` (a username), or your own when omitted."""
    me = common.viewer(request)
    user = get_by_username(owner) if owner else me
    if user is None:
        raise HttpError(404 if owner else 401, "Record not found" if owner else "Authentication required")
    return common.boards(list(boards_of(user, me)), common.where(request))


@router.post("", response={201: BoardOut})
def create_board(request: HttpRequest, data: BoardIn) -> tuple[int, dict[str, Any]]:
    board = services.create_board(
        owner=common.require_user(request), name=data.name, description=data.description, is_private=data.is_private
    )
    return 201, common.boards([board], common.where(request))[0]


@router.get("/{board_id}", response=BoardDetail, auth=OPTIONAL)
def show_board(request: HttpRequest, board_id: str, cursor: str | None = None, limit: int = 30) -> dict[str, Any]:
    me = common.viewer(request)
    board = get_board(common.to_id(board_id), me)
    if board is None:
        raise HttpError(404, "Record not found")
    limit = max(1, min(limit, 60))
    ids = board_note_ids(board, limit=limit, max_id=common.opt_cursor(cursor))
    w = common.where(request)
    data = common.boards([board], w)[0]
    data["notes"] = common.notes(visible_notes(ids, me, for_feed=False, country=w.country), me, w)
    data["next_cursor"] = str(ids[-1]) if len(ids) == limit else None
    return data


@router.patch("/{board_id}", response=BoardOut)
def update_board(request: HttpRequest, board_id: str, data: BoardPatch) -> dict[str, Any]:
    board = services.update_board(
        owner=common.require_user(request), board_id=common.to_id(board_id), **data.dict(exclude_unset=True)
    )
    return common.boards([board], common.where(request))[0]


@router.delete("/{board_id}", response=OkOut)
def delete_board(request: HttpRequest, board_id: str) -> dict[str, Any]:
    services.delete_board(owner=common.require_user(request), board_id=common.to_id(board_id))
    return {"ok": True}


@router.post("/{board_id}/notes", response={201: OkOut})
def collect(request: HttpRequest, board_id: str, data: CollectIn) -> tuple[int, dict[str, Any]]:
    services.collect_note(
        user=common.require_user(request),
        note_id=common.to_id(data.note_id, "note id"),
        board_id=common.to_id(board_id),
    )
    return 201, {"ok": True}


@router.delete("/{board_id}/notes/{note_id}", response=OkOut)
def uncollect(request: HttpRequest, board_id: str, note_id: str) -> dict[str, Any]:
    removed = services.uncollect_note(
        user=common.require_user(request), note_id=common.to_id(note_id), board_id=common.to_id(board_id)
    )
    if not removed:
        raise HttpError(404, "Record not found")
    return {"ok": True}


@router.post("/{board_id}/notes/{note_id}/move", response=OkOut)
def move(request: HttpRequest, board_id: str, note_id: str, data: MoveIn) -> dict[str, Any]:
    services.move_collect(
        user=common.require_user(request),
        note_id=common.to_id(note_id),
        from_board_id=common.to_id(board_id),
        to_board_id=common.to_id(data.to_board_id, "board id"),
    )
    return {"ok": True}
