"""/api/v1/media and /api/v2/media: photos are processed synchronously, so the URL is ready at once."""

from __future__ import annotations

from typing import Any

from api.http import ApiError, Ctx, endpoint, url_id
from api.mastodon import entities
from notes import services as note_services
from notes.models import MAX_ALT, Photo


@endpoint(scope="write:media")
def upload(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user()
    upload_file = ctx.params.file("file")
    if upload_file is None:
        raise ApiError("Validation failed: File can't be blank", 422)
    photo = note_services.upload_photo(
        owner=user, file=upload_file, alt_text=ctx.params.string("description", max_length=MAX_ALT * 2)
    )
    return entities.media(photo)


def _own_photo(ctx: Ctx, media_id: str) -> Photo:
    photo = Photo.objects.filter(pk=url_id(media_id), owner=ctx.require_user()).first()
    if photo is None:
        raise ApiError("Record not found", 404)
    return photo


@endpoint(scope="read:statuses")
def show(ctx: Ctx, media_id: str) -> dict[str, Any]:
    return entities.media(_own_photo(ctx, media_id))


@endpoint(scope="write:media")
def update(ctx: Ctx, media_id: str) -> dict[str, Any]:
    photo = _own_photo(ctx, media_id)
    if ctx.params.has("description"):
        photo = note_services.update_photo(
            owner=ctx.require_user(),
            photo_id=photo.pk,
            alt_text=ctx.params.string("description", max_length=MAX_ALT * 2),
        )
    return entities.media(photo)
