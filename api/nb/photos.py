"""Photos are uploaded first and attached to a note by id. The upload is checked at once and answered
(``state: processing``); the media worker strips and resizes it (notes/photos.py). A note posted with a
photo still processing waits, seen only by its author, until it is ready. ``GET /{id}`` follows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from api.nb import common
from api.nb.schemas import AltIn, PhotoOut
from core.errors import NotFound
from notes import services
from notes.selectors import own_photo

router = Router(tags=["photos"])


@router.post("", response={201: PhotoOut})
def upload(request: HttpRequest, file: File[UploadedFile], alt_text: Form[str] = "") -> tuple[int, dict[str, Any]]:
    photo = services.receive_photo(owner=common.require_user(request), file=file, alt_text=alt_text[:5000])
    photo.refresh_from_db()  # a worker (or the immediate backend) may be done already
    return 201, common.photo(photo)


@router.get("/{photo_id}", response=PhotoOut)
def show(request: HttpRequest, photo_id: str) -> dict[str, Any]:
    found = own_photo(common.require_user(request), common.to_id(photo_id))
    if found is None:
        raise NotFound()
    return common.photo(found)


@router.patch("/{photo_id}", response=PhotoOut)
def set_alt(request: HttpRequest, photo_id: str, data: AltIn) -> dict[str, Any]:
    photo = services.update_photo(
        owner=common.require_user(request), photo_id=common.to_id(photo_id), alt_text=data.alt_text
    )
    return common.photo(photo)
