"""/api/v1/media and /api/v2/media, with Mastodon's asynchronous processing for photos and videos alike.

The upload is checked (a photo's size, type and pixel count from its header; a video by ffprobe) and
stored; the media worker makes the renditions (notes/photos.py, notes/videos.py). ``POST /api/v2/media``
answers 202 with ``url: null`` while that is still to do, 200 when it is already done; v1 has no such
answer and returns the entity as it is (200). ``GET /api/v1/media/:id`` answers 206 while processing, 200
once ready, 422 with the reason when the file could not be processed. A status can use it once it is
ready (before that, 422, as Mastodon)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse

from api.http import ApiError, Ctx, endpoint, url_id
from api.mastodon import entities
from core.video import looks_like_video
from notes import services as note_services
from notes import videos as note_videos
from notes.models import MAX_ALT, Photo, PhotoState, Video, VideoState


def _is_video(upload: Any) -> bool:
    head = upload.read(16)
    upload.seek(0)
    return looks_like_video(head, getattr(upload, "content_type", "") or "")


@endpoint(scope="write:media")
def upload(ctx: Ctx) -> dict[str, Any] | HttpResponse:
    user = ctx.require_user()
    upload_file = ctx.params.file("file")
    if upload_file is None:
        raise ApiError("Validation failed: File can't be blank", 422)
    description = ctx.params.string("description", max_length=MAX_ALT * 2)
    if _is_video(upload_file):
        video = note_videos.upload_video(owner=user, file=upload_file, alt_text=description)
        # v2 says "accepted, still processing"; v1 has no such answer and returns the entity as it is.
        status = 202 if ctx.request.path.startswith("/api/v2/") else 200
        return JsonResponse(entities.video_media(video), status=status)
    photo = note_services.receive_photo(owner=user, file=upload_file, alt_text=description)
    photo.refresh_from_db()  # a worker (or the immediate backend) may be done already
    return _photo_response(photo, accepted=ctx.request.path.startswith("/api/v2/"))


def _own_media(ctx: Ctx, media_id: str) -> Photo | Video:
    pk, user = url_id(media_id), ctx.require_user()
    found: Photo | Video | None = Photo.objects.filter(pk=pk, owner=user).first()
    if found is None:
        found = Video.objects.filter(pk=pk, owner=user).first()
    if found is None:
        raise ApiError("Record not found", 404)
    return found


def _video_response(video: Video) -> HttpResponse:
    if video.state == VideoState.FAILED:
        raise ApiError(video.error or "Error processing the uploaded media", 422)
    status = 200 if video.state == VideoState.READY else 206
    return JsonResponse(entities.video_media(video), status=status)


def _photo_response(photo: Photo, *, accepted: bool = False) -> HttpResponse:
    """As for a video: 422 with the reason once failed; while processing 202 (a v2 upload) or 206."""
    if photo.state == PhotoState.FAILED:
        raise ApiError(photo.error or "Error processing the uploaded media", 422)
    status = 200 if photo.state == PhotoState.READY else (202 if accepted else 206)
    return JsonResponse(entities.media(photo), status=status)


@endpoint(scope="read:statuses")
def show(ctx: Ctx, media_id: str) -> dict[str, Any] | HttpResponse:
    found = _own_media(ctx, media_id)
    if isinstance(found, Video):
        return _video_response(found)
    return _photo_response(found)


@endpoint(scope="write:media")
def update(ctx: Ctx, media_id: str) -> dict[str, Any] | HttpResponse:
    found = _own_media(ctx, media_id)
    if isinstance(found, Video):
        if ctx.params.has("description"):
            found = note_videos.describe_video(
                owner=ctx.require_user(),
                video_id=found.pk,
                alt_text=ctx.params.string("description", max_length=MAX_ALT * 2),
            )
        return _video_response(found)
    photo = found
    if ctx.params.has("description"):
        photo = note_services.update_photo(
            owner=ctx.require_user(),
            photo_id=photo.pk,
            alt_text=ctx.params.string("description", max_length=MAX_ALT * 2),
        )
    return _photo_response(photo)
