"""A note's translations written by people: the author's own (``/notes/{id}/translations``) and readers'
suggestions (``/notes/{id}/translations/suggestions``), which the author approves or declines."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from api.mastodon.entities import iso
from api.nb import common
from api.nb.common import OPTIONAL
from api.nb.schemas import NoteTranslationIn, NoteTranslationOut, OkOut, SuggestionIn, SuggestionOut
from core.geo import viewer_country
from notes import translations
from notes.models import NoteTranslation, TranslationSuggestion
from notes.selectors import get_visible_note

router = Router(tags=["translations"])


def _translation(row: NoteTranslation, w: common.Where) -> dict[str, Any]:
    return {
        "language": row.language,
        "title": row.title,
        "body": row.body,
        "suggested_by": common.profile(row.suggested_by, w) if row.suggested_by is not None else None,
        "updated_at": iso(row.updated_at),
    }


def _suggestion(row: TranslationSuggestion, w: common.Where) -> dict[str, Any]:
    return {
        "id": str(row.pk),
        "note_id": str(row.note_id),
        "language": row.language,
        "title": row.title,
        "body": row.body,
        "state": row.state,
        "suggester": common.profile(row.suggester, w),
        "created_at": iso(row.created_at),
        "decided_at": iso(row.decided_at) if row.decided_at else None,
    }


@router.get("/{note_id}/translations", response=list[NoteTranslationOut], auth=OPTIONAL)
def list_translations(request: HttpRequest, note_id: str) -> list[dict[str, Any]]:
    viewer = common.viewer(request)
    note = get_visible_note(viewer=viewer, note_id=common.to_id(note_id), country=viewer_country(viewer))
    if note is None:
        raise HttpError(404, "Record not found")
    w = common.where(request)
    return [_translation(t, w) for t in translations.translations_of(note)]


@router.post("/{note_id}/translations/suggestions", response={201: SuggestionOut})
def suggest(request: HttpRequest, note_id: str, data: SuggestionIn) -> tuple[int, dict[str, Any]]:
    row = translations.suggest_translation(
        user=common.require_user(request),
        note_id=common.to_id(note_id),
        language=data.language,
        title=data.title,
        body=data.body,
    )
    row.refresh_from_db(fields=["state"])  # screening may have settled it already (screening off)
    return 201, _suggestion(row, common.where(request))


@router.get("/{note_id}/translations/suggestions", response=list[SuggestionOut])
def list_suggestions(request: HttpRequest, note_id: str) -> list[dict[str, Any]]:
    """The suggestions waiting for the note's author (only the author may list them)."""
    rows = translations.open_suggestions(author=common.require_user(request), note_id=common.to_id(note_id))
    w = common.where(request)
    return [_suggestion(r, w) for r in rows]


def _decide(request: HttpRequest, note_id: str, suggestion_id: str, *, approve: bool) -> dict[str, Any]:
    user = common.require_user(request)
    sid = common.to_id(suggestion_id)
    if not TranslationSuggestion.objects.filter(pk=sid, note_id=common.to_id(note_id)).exists():
        raise HttpError(404, "Record not found")
    row = translations.decide_suggestion(user=user, suggestion_id=sid, approve=approve)
    return _suggestion(row, common.where(request))


@router.post("/{note_id}/translations/suggestions/{suggestion_id}/approve", response=SuggestionOut)
def approve(request: HttpRequest, note_id: str, suggestion_id: str) -> dict[str, Any]:
    return _decide(request, note_id, suggestion_id, approve=True)


@router.post("/{note_id}/translations/suggestions/{suggestion_id}/decline", response=SuggestionOut)
def decline(request: HttpRequest, note_id: str, suggestion_id: str) -> dict[str, Any]:
    return _decide(request, note_id, suggestion_id, approve=False)


# After the suggestions' routes: Django takes the first pattern that matches, and "suggestions" would
# otherwise be read as a language.
@router.put("/{note_id}/translations/{language}", response=NoteTranslationOut)
def set_translation(request: HttpRequest, note_id: str, language: str, data: NoteTranslationIn) -> dict[str, Any]:
    if not (data.title.strip() or data.body.strip()):
        raise HttpError(422, "Give the translated title or text (DELETE removes a translation)")
    row = translations.set_author_translation(
        author=common.require_user(request),
        note_id=common.to_id(note_id),
        language=language,
        title=data.title,
        body=data.body,
    )
    if row is None:  # only fields the note does not have were given (a title for a note without one)
        raise HttpError(422, "Give the translated title or text of what the note has")
    return _translation(row, common.where(request))


@router.delete("/{note_id}/translations/{language}", response=OkOut)
def delete_translation(request: HttpRequest, note_id: str, language: str) -> dict[str, Any]:
    deleted = translations.delete_author_translation(
        author=common.require_user(request), note_id=common.to_id(note_id), language=language
    )
    if not deleted:
        raise HttpError(404, "Record not found")
    return {"ok": True}
