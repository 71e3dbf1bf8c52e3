"""Native JSON API for translation, mounted at /api/nb/v1/translation (api/native.py).

POST /api/nb/v1/translation/{kind}/{id}?target=en   translations of one object's fields, never waiting
GET  /api/nb/v1/translation/status                  operators only: engines, queue, cache hit rate

``kind`` is note (its title, body, photos' alt texts and tags), comment, bio (id = user id), alt (id =
photo id) or tag (id = the tag's name, as notes list it). Anonymous readers may translate what they may
read (auth optional); the status needs a staff account.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.apps import apps
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from core import languages
from core.ids import parse_id
from core.language_detection import detect_language_cached
from core.text import normalize_tag
from translation.models import ObjectKind
from translation.selectors import translation_status
from translation.services import get_or_request_translation

router = Router(tags=["translation"])


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _visible_note(user: Any, note_id: int, country: str | None = None) -> Any:
    """The note if this reader may see it (the notes app decides: state, visibility, blocks, region)."""
    from notes.selectors import get_visible_note

    return get_visible_note(viewer=user, note_id=note_id, country=country)


def _country(request: HttpRequest) -> str | None:
    try:
        from api.http import country_of
    except ImportError:  # the api app is a delivery layer; translation does not depend on it
        return None
    return country_of(_user(request))


class Wanted(NamedTuple):
    """One text to translate: ``name`` is its key in the answer's ``fields``."""

    name: str
    obj_kind: str
    obj_id: int
    field: str
    text: str
    source: str


def _tag_language(text: str) -> str:
    return detect_language_cached(text)


def _fields(kind: str, obj_id: int, user: Any, country: str | None) -> list[Wanted]:
    """The texts of one object the reader may see, or 404.

    A note's photos' alt texts are named "alt:<photo id>" and its tags "tag:<tag name>" (clients know
    a note's tags by name).
    """
    if kind == ObjectKind.NOTE:
        note = _visible_note(user, obj_id, country)
        if note is None:
            raise HttpError(404, "not found")
        fields = [
            Wanted("title", kind, note.pk, "title", note.title, note.language),
            Wanted("body", kind, note.pk, "body", note.body, note.language),
        ]
        fields += [
            Wanted(f"alt:{p.pk}", ObjectKind.ALT, p.pk, "alt_text", p.alt_text, p.alt_language)
            for p in note.photos.all()
            if p.alt_text
        ]
        fields += [
            Wanted(f"tag:{t.name}", ObjectKind.TAG, t.pk, "display", t.display, _tag_language(t.display))
            for t in note.tags.all()
        ]
        return fields
    if kind == ObjectKind.COMMENT:
        comment = apps.get_model("notes", "Comment").objects.filter(pk=obj_id, state="published").first()
        if comment is None or _visible_note(user, comment.note_id, country) is None:
            raise HttpError(404, "not found")
        return [Wanted("body", kind, comment.pk, "body", comment.body, comment.language)]
    if kind == ObjectKind.BIO:
        owner = apps.get_model("accounts", "User").objects.filter(pk=obj_id, is_active=True).first()
        if owner is None:
            raise HttpError(404, "not found")
        return [Wanted("bio", kind, owner.pk, "bio", owner.bio, owner.bio_language)]
    if kind == ObjectKind.ALT:
        photo = apps.get_model("notes", "Photo").objects.filter(pk=obj_id, note__isnull=False).first()
        if photo is None or photo.note_id is None or _visible_note(user, photo.note_id, country) is None:
            raise HttpError(404, "not found")
        return [Wanted("alt_text", kind, photo.pk, "alt_text", photo.alt_text, photo.alt_language)]
    raise HttpError(404, "unknown kind")


def _tag_fields(name: str) -> list[Wanted]:
    """A tag, by the name notes list it under (tags are public)."""
    key = normalize_tag(name)
    tag = apps.get_model("notes", "Tag").objects.filter(name=key).first() if key else None
    if tag is None:
        raise HttpError(404, "not found")
    return [Wanted("display", ObjectKind.TAG, tag.pk, "display", tag.display, _tag_language(tag.display))]


def _optional_auth() -> Any:
    try:
        from api.nb.common import OPTIONAL
    except ImportError:
        return None
    return OPTIONAL


@router.post("/{kind}/{obj_id}", auth=_optional_auth())
def translate_object(request: HttpRequest, kind: str, obj_id: str, target: str = "") -> dict[str, Any]:
    """Translations of every readable field of one object; pending ones are filled in by a worker."""
    parsed = obj_id if kind == ObjectKind.TAG else parse_id(obj_id)
    if parsed is None:
        raise HttpError(404, "not found")
    user = _user(request)
    wanted = target or (user.preferred_language if user is not None else "en")
    target_code = languages.normalize(wanted)
    if not target_code:
        raise HttpError(422, "unsupported target language")
    fields = _tag_fields(str(parsed)) if kind == ObjectKind.TAG else _fields(kind, int(parsed), user, _country(request))
    out: dict[str, Any] = {}
    for w in fields:
        view = get_or_request_translation(
            obj_kind=w.obj_kind, obj_id=w.obj_id, field=w.field, text=w.text, source=w.source, target=target_code
        )
        out[w.name] = view.as_dict()
    return {"kind": kind, "id": str(parsed), "target": target_code, "fields": out}


@router.get("/status")
def status(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    if user is None or not user.is_staff:
        raise HttpError(403, "operators only")
    return translation_status()
