"""Notes: create with title, body, tags, place and photos; read, edit, delete; comments; likes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import CommentIn, CommentOut, NoteIn, NoteOut, NotePatch, OkOut
from core.geo import viewer_country
from notes import services
from notes.selectors import comments_for, get_visible_note

router = Router(tags=["notes"])


def _visible(request: HttpRequest, note_id: str) -> Any:
    note = get_visible_note(
        viewer=common.viewer(request), note_id=common.to_id(note_id), country=viewer_country(common.viewer(request))
    )
    if note is None:
        raise HttpError(404, "Record not found")
    return note


def _out(request: HttpRequest, note_id: int) -> dict[str, Any]:
    note = get_visible_note(
        viewer=common.viewer(request), note_id=note_id, country=viewer_country(common.viewer(request))
    )
    if note is None:
        raise HttpError(404, "Record not found")
    return common.notes([note], common.viewer(request), common.where(request))[0]


@router.post("", response={201: NoteOut})
def create_note(request: HttpRequest, data: NoteIn) -> tuple[int, dict[str, Any]]:
    user = common.require_user(request)
    note = services.create_note(
        author=user,
        title=data.title,
        body=data.body,
        tags=data.tags,
        place=data.place.dict() if data.place else None,
        photo_ids=[common.to_id(p, "photo id") for p in data.photo_ids],
        visibility=data.visibility,
        language=data.language,
        application_name="Notebridge API",
    )
    return 201, _out(request, note.pk)


@router.get("/{note_id}", response=NoteOut, auth=OPTIONAL)
def get_note(request: HttpRequest, note_id: str) -> dict[str, Any]:
    return common.notes([_visible(request, note_id)], common.viewer(request), common.where(request))[0]


@router.patch("/{note_id}", response=NoteOut)
def edit_note(request: HttpRequest, note_id: str, data: NotePatch) -> dict[str, Any]:
    user = common.require_user(request)
    changes = data.dict(exclude_unset=True)
    if "photo_ids" in changes and changes["photo_ids"] is not None:
        changes["photo_ids"] = [common.to_id(p, "photo id") for p in changes["photo_ids"]]
    if changes.get("place") is None:
        changes.pop("place", None)
    note = services.edit_note(author=user, note_id=common.to_id(note_id), **changes)
    return _out(request, note.pk)


@router.delete("/{note_id}", response=OkOut)
def delete_note(request: HttpRequest, note_id: str) -> dict[str, Any]:
    services.delete_note(author=common.require_user(request), note_id=common.to_id(note_id))
    return {"ok": True}


@router.get("/{note_id}/comments", response=list[CommentOut], auth=OPTIONAL)
def list_comments(request: HttpRequest, note_id: str) -> list[dict[str, Any]]:
    note = _visible(request, note_id)
    viewer = common.viewer(request)
    return common.comments(comments_for(note, viewer), common.where(request), viewer)


@router.post("/{note_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, note_id: str, data: CommentIn) -> tuple[int, dict[str, Any]]:
    parent = common.to_id(data.parent_id, "parent id") if data.parent_id else None
    comment = services.create_comment(
        author=common.require_user(request), note_id=common.to_id(note_id), body=data.body, parent_id=parent
    )
    return 201, common.comment(comment, common.where(request))


@router.post("/{note_id}/like", response=NoteOut)
def like(request: HttpRequest, note_id: str) -> dict[str, Any]:
    services.like_note(user=common.require_user(request), note_id=common.to_id(note_id))
    return _out(request, common.to_id(note_id))


@router.delete("/{note_id}/like", response=NoteOut)
def unlike(request: HttpRequest, note_id: str) -> dict[str, Any]:
    services.unlike_note(user=common.require_user(request), note_id=common.to_id(note_id))
    return _out(request, common.to_id(note_id))
