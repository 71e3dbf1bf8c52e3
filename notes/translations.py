"""Translations written by people: the author's own translation of a note, and readers' suggestions.

The author may attach a translation of a note's title and text into another content language
(``set_author_translation``). It is part of the note: saving a changed one screens the note again, as an
edit of its text does (``review.intake.note_text`` includes every translation), and readers of that
language get it, labelled as the author's, in preference to any machine translation (the translation
app asks ``author_translation`` first). ``NoteTranslationSaved`` lets the translation app keep the pair
in its memory.

A reader who can see a note may suggest a better translation (``suggest_translation``). A suggestion is
``pending`` until review screens it (``TranslationSuggested``; review calls ``settle_screening``), then
``open``: the author hears of it (``TranslationSuggestionOpened``) and approves it (it becomes the
author's translation for that language) or declines it. One that screening refuses is never shown to
the author; a declined one is kept out of everything.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events, languages
from core.errors import Forbidden, NotFound, ServiceError
from core.geo import viewer_country
from core.text import clean_user_text
from notes.events import (
    NoteSubmitted,
    NoteTranslationSaved,
    TranslationSuggested,
    TranslationSuggestionDecided,
    TranslationSuggestionOpened,
)
from notes.models import (
    MAX_BODY,
    MAX_TITLE,
    SUGGESTION_TRANSITIONS,
    Note,
    NoteState,
    NoteTranslation,
    SuggestionState,
    TranslationSuggestion,
)
from notes.selectors import forget_note, get_visible_note
from notes.services import get_own_note, set_note_state

CACHE_KEY = "note:tr:v1:{}"
CACHE_TTL = 60 * 60 * 24
MAX_OPEN_PER_NOTE = 50  # suggestions waiting for one note's author; more are refused until some are decided


# --- reading --------------------------------------------------------------------------------------


def author_translations(note_id: int) -> dict[str, tuple[str, str]]:
    """{language: (title, text)} of the note's author translations (cached: read for every reader)."""
    key = CACHE_KEY.format(note_id)
    found = cache.get(key)
    if found is None:
        found = {
            row.language: (row.title, row.body)
            for row in NoteTranslation.objects.filter(note_id=note_id).only("language", "title", "body")
        }
        cache.set(key, found, CACHE_TTL)
    return dict(found)


def author_translation(note_id: int, language: str) -> tuple[str, str] | None:
    return author_translations(note_id).get(languages.normalize(language))


def translations_of(note: Note) -> list[NoteTranslation]:
    return list(NoteTranslation.objects.filter(note=note).select_related("suggested_by").order_by("language"))


def open_suggestions(*, author: User, note_id: int) -> list[TranslationSuggestion]:
    """The suggestions waiting for the author of ``note_id`` (only the author may list them)."""
    note = Note.objects.filter(pk=note_id).exclude(state=NoteState.REMOVED).first()
    if note is None:
        raise NotFound()
    if note.author_id != author.pk:
        raise Forbidden(_("Only the author can see the translations suggested for this note."))
    return list(
        TranslationSuggestion.objects.filter(note=note, state=SuggestionState.OPEN)
        .select_related("suggester")
        .order_by("-id")
    )


def suggestions_by(user: User, note_id: int) -> list[TranslationSuggestion]:
    """What ``user`` suggested for one note (newest first), for their own view of the form."""
    return list(TranslationSuggestion.objects.filter(note_id=note_id, suggester=user).order_by("-id")[:20])


def _forget(note_id: int) -> None:
    key = CACHE_KEY.format(note_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # a reader may have cached the old rows meanwhile


# --- checking -------------------------------------------------------------------------------------


def _clean(note: Note, language: str | None, title: str | None, body: str | None) -> tuple[str, str, str]:
    """(language, title, text) as stored, or a ServiceError naming the field. Too long is refused,
    never cut: a translation missing its end would misrepresent the note."""
    code = languages.normalize(language or "")
    if not code or code not in languages.content_languages():
        raise ServiceError(_("Choose one of the languages this site offers."), field="language")
    if code == languages.normalize(note.language or ""):
        raise ServiceError(_("The note is already written in that language."), field="language")
    title = clean_user_text(title or "") if note.title else ""
    body = clean_user_text(body or "") if note.body else ""
    if len(title) > MAX_TITLE:
        raise ServiceError(_("The title is too long (%(n)s characters at most).") % {"n": MAX_TITLE}, field="title")
    if len(body) > MAX_BODY:
        raise ServiceError(_("The text is too long (%(n)s characters at most).") % {"n": MAX_BODY}, field="body")
    return code, title, body


def _require_text(note: Note, title: str, body: str) -> None:
    if note.title and not title:
        raise ServiceError(_("Translate the title too."), field="title")
    if note.body and not body:
        raise ServiceError(_("Translate the text too."), field="body")


# --- the author's translations --------------------------------------------------------------------


@transaction.atomic
def set_author_translation(
    *, author: User, note_id: int, language: str | None, title: str | None, body: str | None
) -> NoteTranslation | None:
    """Add or change the author's translation into ``language``; an empty title and text remove it
    (None). A changed translation screens the note again, exactly as an edit of its text does."""
    note = get_own_note(author=author, note_id=note_id)
    code, title, body = _clean(note, language, title, body)
    existing = NoteTranslation.objects.select_for_update().filter(note=note, language=code).first()
    if not title and not body:
        if existing is not None:
            existing.delete()
            _forget(note.pk)
        return None
    _require_text(note, title, body)
    if existing is not None and (existing.title, existing.body) == (title, body):
        return existing
    if existing is None:
        existing = NoteTranslation(note=note, language=code)
    existing.title, existing.body, existing.suggested_by = title, body, None
    existing.save()
    _forget(note.pk)
    _screen_again(note)
    events.emit(NoteTranslationSaved(note_id=note.pk, language=code))
    return existing


def _screen_again(note: Note) -> None:
    """New text on a note goes through screening: out of view (pending) until review publishes it."""
    if note.state not in (NoteState.PUBLISHED, NoteState.HELD, NoteState.PENDING):
        return  # processing (screened once the video is ready), rejected or removed
    if note.state != NoteState.PENDING:
        set_note_state(note=note, state=NoteState.PENDING)
    events.emit(NoteSubmitted(note_id=note.pk, author_id=note.author_id, edit=True))
    forget_note(note.pk)


@transaction.atomic
def delete_author_translation(*, author: User, note_id: int, language: str) -> bool:
    note = get_own_note(author=author, note_id=note_id)
    deleted, _count = NoteTranslation.objects.filter(note=note, language=languages.normalize(language)).delete()
    _forget(note.pk)
    return bool(deleted)


# --- readers' suggestions -------------------------------------------------------------------------


@transaction.atomic
def suggest_translation(
    *, user: User, note_id: int, language: str | None, title: str | None, body: str | None
) -> TranslationSuggestion:
    """A reader suggests a translation of a note they can see (404 otherwise; 403 for its author, who
    edits their own translation instead). Pending until screened."""
    note = get_visible_note(viewer=user, note_id=note_id, country=viewer_country(user))
    if note is None:
        raise NotFound()
    if note.author_id == user.pk:
        raise Forbidden(_("This is your note: add your own translation on its edit page."))
    code, title, body = _clean(note, language, title, body)
    _require_text(note, title, body)
    if (title, body) == author_translation(note.pk, code):
        raise ServiceError(_("That is the author's translation already."), field="body", code="unchanged")
    waiting = TranslationSuggestion.objects.filter(note=note, state__in=(SuggestionState.PENDING, SuggestionState.OPEN))
    if waiting.filter(suggester=user, language=code).exists():
        raise ServiceError(
            _("You already suggested a translation into this language; the author has not decided yet."),
            field="language",
            code="already_suggested",
        )
    if waiting.count() >= MAX_OPEN_PER_NOTE:
        raise ServiceError(
            _("This note has many suggestions waiting for its author. Try again later."), code="too_many"
        )
    suggestion = TranslationSuggestion.objects.create(note=note, suggester=user, language=code, title=title, body=body)
    events.emit(TranslationSuggested(suggestion_id=suggestion.pk, note_id=note.pk, suggester_id=user.pk))
    return suggestion


def _move(suggestion: TranslationSuggestion, state: str) -> None:
    if state not in SUGGESTION_TRANSITIONS[suggestion.state]:
        raise ServiceError(_("This suggestion is not waiting for a decision."), code="already_decided")
    suggestion.state = state
    suggestion.decided_at = timezone.now() if state != SuggestionState.OPEN else None
    suggestion.save(update_fields=["state", "decided_at"])


@transaction.atomic
def settle_screening(*, suggestion_id: int, passed: bool) -> TranslationSuggestion | None:
    """Review's verdict on a pending suggestion: open for the author, or refused. Idempotent: a
    suggestion no longer pending is left alone (None)."""
    suggestion = (
        TranslationSuggestion.objects.select_for_update().select_related("note").filter(pk=suggestion_id).first()
    )
    if suggestion is None or suggestion.state != SuggestionState.PENDING:
        return None
    _move(suggestion, SuggestionState.OPEN if passed else SuggestionState.REFUSED)
    if passed:
        events.emit(
            TranslationSuggestionOpened(
                suggestion_id=suggestion.pk,
                note_id=suggestion.note_id,
                note_author_id=suggestion.note.author_id,
                suggester_id=suggestion.suggester_id,
            )
        )
    return suggestion


@transaction.atomic
def decide_suggestion(*, user: User, suggestion_id: int, approve: bool) -> TranslationSuggestion:
    """The note's author approves (it becomes their translation for that language, replacing the one
    there) or declines an open suggestion. Anyone else: 403 (404 when they cannot see the note)."""
    suggestion = (
        TranslationSuggestion.objects.select_for_update().select_related("note").filter(pk=suggestion_id).first()
    )
    if suggestion is None or suggestion.note.state == NoteState.REMOVED:
        raise NotFound()
    note = suggestion.note
    if note.author_id != user.pk:
        if suggestion.suggester_id != user.pk and get_visible_note(viewer=user, note_id=note.pk) is None:
            raise NotFound()
        raise Forbidden(_("Only the note's author can approve or decline a suggested translation."))
    if suggestion.state != SuggestionState.OPEN:
        raise ServiceError(_("This suggestion is not waiting for a decision."), code="already_decided")
    _move(suggestion, SuggestionState.APPROVED if approve else SuggestionState.DECLINED)
    if approve:
        # Screened already (as a suggestion): it becomes the author's translation without a new screening.
        NoteTranslation.objects.update_or_create(
            note=note,
            language=suggestion.language,
            defaults={"title": suggestion.title, "body": suggestion.body, "suggested_by_id": suggestion.suggester_id},
        )
        _forget(note.pk)
        events.emit(NoteTranslationSaved(note_id=note.pk, language=suggestion.language, suggestion_id=suggestion.pk))
    events.emit(
        TranslationSuggestionDecided(
            suggestion_id=suggestion.pk,
            note_id=note.pk,
            note_author_id=note.author_id,
            suggester_id=suggestion.suggester_id,
            approved=approve,
        )
    )
    return suggestion
