"""Translations written by people, on the web: a reader suggests a better translation of a note
(``/n/<id>/suggest/``), its author approves or declines the suggestions (``/n/<id>/suggestions/``).
The rules (who may, lengths, screening) live in ``notes.translations``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import languages
from core.errors import Forbidden, NotFound, ServiceError
from core.geo import viewer_country
from notes import translations as note_translations
from notes.models import Note
from notes.selectors import get_visible_note
from translation.fields import note_fields
from translation.services import Status
from web.forms import LANGUAGE_CHOICES, SuggestionForm
from web.translation import target_language
from web.views.common import add_service_error, login_required_page, me


def _visible_or_404(request: HttpRequest, note_id: int) -> Note:
    user = me(request)
    note = get_visible_note(viewer=user, note_id=note_id, country=viewer_country(user))
    if note is None:
        raise Http404
    return note


def _refused(exc: ServiceError) -> None:
    """A 404 or 403 from the service is the page's answer; other errors go next to the form's fields."""
    if isinstance(exc, NotFound):
        raise Http404 from exc
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from exc


def _initial(request: HttpRequest, note: Note) -> dict[str, str]:
    """The reader's language, and what they were shown in it (the machine translation, when one is ready
    and nothing is queued for it now), as the text to improve."""
    wanted = languages.normalize(request.GET.get("lang", "")) or target_language(request)
    if wanted == note.language or wanted not in dict(LANGUAGE_CHOICES):
        return {}
    initial = {"language": wanted}
    for field in note_fields(note, alts=False, tags=False):
        view = field.translation(wanted, enqueue=False)
        if view.status == Status.READY and not view.is_gloss:
            initial[field.name] = view.text
    return initial


@login_required_page
def suggest(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _visible_or_404(request, note_id)
    if note.author_id == me(request).pk:
        return redirect("web:edit_note", note_id=note.pk)  # the author writes their own translation
    form = SuggestionForm(request.POST) if request.method == "POST" else SuggestionForm(initial=_initial(request, note))
    if request.method == "POST" and form.is_valid():
        try:
            note_translations.suggest_translation(
                user=me(request),
                note_id=note.pk,
                language=form.cleaned_data["language"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ServiceError as exc:
            _refused(exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. The author will see your translation once it has been checked."))
            return redirect("web:note", note_id=note.pk)
    context = {"note": note, "form": form, "mine": note_translations.suggestions_by(me(request), note.pk)}
    return render(request, "web/suggest.html", context, status=422 if form.is_bound and form.errors else 200)


@login_required_page
def note_suggestions(request: HttpRequest, note_id: int) -> HttpResponse:
    """The author's page: each suggestion beside the original and the translation it would replace."""
    try:
        found = note_translations.open_suggestions(author=me(request), note_id=note_id)
    except ServiceError as exc:
        _refused(exc)
        raise
    note = Note.objects.get(pk=note_id)
    current = note_translations.author_translations(note.pk)
    rows = [{"s": s, "current": current.get(s.language)} for s in found]
    return render(request, "web/suggestions.html", {"note": note, "rows": rows})


@require_POST
@login_required_page
def decide(request: HttpRequest, suggestion_id: int, action: str) -> HttpResponse:
    if action not in ("approve", "decline"):
        raise Http404
    try:
        decided = note_translations.decide_suggestion(
            user=me(request), suggestion_id=suggestion_id, approve=action == "approve"
        )
    except ServiceError as exc:
        _refused(exc)
        messages.error(request, exc.message)
        return redirect("web:notifications")
    if action == "approve":
        messages.success(request, _("Approved: readers of that language now see this translation as yours."))
    else:
        messages.success(request, _("Declined. The suggestion will not be shown."))
    return redirect("web:note_suggestions", note_id=decided.note_id)
