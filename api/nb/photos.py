"""Photos are uploaded first (validated, stripped, resized) and attached to a note by id."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from api.nb import common
from api.nb.schemas import AltIn, PhotoOut
from notes import services

router = Router(tags=["photos"])


@router.post("", response={201: PhotoOut})
def upload(request: HttpRequest, file: File[UploadedFile], alt_text: Form[str] = "") -> tuple[int, dict[str, Any]]:
    photo = services.upload_photo(owner=common.require_user(request), file=file, alt_text=alt_text[:5000])
    return 201, common.photo(photo)


@router.patch("/{photo_id}", response=PhotoOut)
def set_alt(request: HttpRequest, photo_id: str, data: AltIn) -> dict[str, Any]:
    photo = services.update_photo(
        owner=common.require_user(request), photo_id=common.to_id(photo_id), alt_text=data.alt_text
    )
    return common.photo(photo)
