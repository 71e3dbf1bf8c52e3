"""Translation: ``/api/nb/v1/translation``.

POST /{kind}/{id}?target=en   translations of one object's fields, never waiting (anonymous readers too)
GET  /status                  operators only: engines, queue, cache hit rate

``kind`` is note (its title, body, photos' alt texts and tags, as ``translation.fields`` names them),
comment, bio (id = user id), alt (id = photo id) or tag (id = the tag's name, as notes list it). An
object the reader may not see is a 404, whatever the reason (blocked, withheld, followers only).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.models import User
from accounts.selectors import get_visible_profile
from api.nb import common
from api.nb.common import OPTIONAL
from core import languages
from core.geo import viewer_country
from core.ids import parse_id
from core.text import normalize_tag
from notes.models import Note, Photo, Tag
from notes.selectors import get_visible_comment, get_visible_note
from translation import fields
from translation.fields import TranslatableField
from translation.models import ObjectKind
from translation.selectors import translation_status

router = Router(tags=["translation"])

NOT_FOUND = "Record not found"


def _note(viewer: User | None, note_id: int) -> Note:
    note = get_visible_note(viewer=viewer, note_id=note_id, country=viewer_country(viewer))
    if note is None:
        raise HttpError(404, NOT_FOUND)
    return note


def _fields(kind: str, raw_id: str, viewer: User | None) -> tuple[str, list[TranslatableField]]:
    """(the object's id as answered, its texts), if the reader may see the object; else 404."""
    if kind == ObjectKind.TAG:
        key = normalize_tag(raw_id)
        tag = Tag.objects.filter(name=key).first() if key else None
        if tag is None:
            raise HttpError(404, NOT_FOUND)
        return raw_id, fields.tag_fields(tag)
    obj_id = parse_id(raw_id)
    if obj_id is None:
        raise HttpError(404, NOT_FOUND)
    if kind == ObjectKind.NOTE:
        return str(obj_id), fields.note_fields(_note(viewer, obj_id))
    if kind == ObjectKind.COMMENT:
        comment = get_visible_comment(viewer=viewer, comment_id=obj_id, country=viewer_country(viewer))
        if comment is None:
            raise HttpError(404, NOT_FOUND)
        return str(obj_id), fields.comment_fields(comment)
    if kind == ObjectKind.BIO:
        owner = get_visible_profile(viewer=viewer, user_id=obj_id)
        if owner is None:
            raise HttpError(404, NOT_FOUND)
        return str(obj_id), fields.bio_fields(owner)
    if kind == ObjectKind.ALT:
        photo = Photo.objects.filter(pk=obj_id, note__isnull=False).first()
        if photo is None or photo.note_id is None:
            raise HttpError(404, NOT_FOUND)
        _note(viewer, photo.note_id)
        return str(obj_id), fields.alt_fields(photo)
    raise HttpError(404, "Unknown kind: use note, comment, bio, alt or tag")


@router.post("/{kind}/{obj_id}", auth=OPTIONAL)
def translate_object(request: HttpRequest, kind: str, obj_id: str, target: str = "") -> dict[str, Any]:
    """Translations of every readable field of one object; pending ones are filled in by a worker."""
    viewer = common.viewer(request)
    target_code = languages.normalize(target or (viewer.preferred_language if viewer is not None else "en"))
    if not target_code:
        raise HttpError(422, "Unsupported target language")
    answered_id, texts = _fields(kind, obj_id, viewer)
    return {
        "kind": kind,
        "id": answered_id,
        "target": target_code,
        "fields": {f.name: f.translation(target_code).as_dict() for f in texts},
    }


@router.get("/status")
def status(request: HttpRequest) -> dict[str, Any]:
    if not common.require_user(request).is_staff:
        raise HttpError(403, "Operators only")
    return translation_status()
