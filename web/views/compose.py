"""Compose a note: photos or one video first (kept as a draft on the server), then the text.

Photos are uploaded as soon as they are picked (htmx) or with the form (no JavaScript). Either way they
become the user's unattached photos, carried in the form as ``photo_ids`` in display order, so a failed
submit re-renders the page with every photo, alt text and field as the user left them. A video is
uploaded with the form (``video``; checked by ffprobe at once, transcoded by the worker after) and
carried the same way as ``video_id``; the note waits, as "processing", until the video is ready.
Photos too are only checked and stored while the user waits; the media worker makes their renditions
(notes/photos.py), their tiles show a placeholder until then, and a note posted before they are ready
waits as "processing" like a video note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from accounts.models import User
from core import languages
from core.errors import ServiceError
from core.text import normalize_tag
from core.video import available as video_available
from notes import services, videos
from notes import translations as note_translations
from notes.models import Note, Photo, Video
from notes.selectors import draft_photos, draft_video, get_visible_note, popular_tags_for_reader, search_tags
from web.forms import NoteForm
from web.views.common import add_service_error, login_required_page, me, viewer

MAX_PHOTOS = settings.PHOTO_MAX_PER_NOTE


def _posted_photo_ids(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.POST.getlist("photo_ids")[: MAX_PHOTOS * 2]:
        if raw.isdigit() and len(raw) < 20:
            ids.append(int(raw))
    removed = {r for r in request.POST.getlist("remove") if r.isdigit()}
    return [i for i in ids if str(i) not in removed]


def _upload_files(request: HttpRequest, room: int) -> tuple[list[Photo], list[str]]:
    """Store the picked files as draft photos; a message per refused file, in the user's language."""
    photos: list[Photo] = []
    errors: list[str] = []
    files = request.FILES.getlist("photos")
    for upload in files:
        if len(photos) >= room:
            errors.append(
                ngettext("A note can have at most %(n)s photo.", "A note can have at most %(n)s photos.", MAX_PHOTOS)
                % {"n": MAX_PHOTOS}
            )
            break
        try:
            photos.append(services.receive_photo(owner=me(request), file=upload))
        except ServiceError as exc:
            errors.append(f"{upload.name}: {exc.message}")
    return photos, errors


def _save_alt_texts(request: HttpRequest, photos: list[Photo]) -> list[str]:
    errors = []
    for photo in photos:
        key = f"alt_{photo.pk}"
        if key in request.POST and request.POST[key] != photo.alt_text:
            try:
                services.update_photo(owner=me(request), photo_id=photo.pk, alt_text=request.POST[key])
                photo.alt_text = request.POST[key].strip()
            except ServiceError as exc:
                errors.append(exc.message)
    return errors


def _posted_video(request: HttpRequest, note: Note | None) -> tuple[Video | None, list[str]]:
    """The draft video carried in the form (``video_id``), replaced by a newly chosen file, or dropped
    with "Remove video". Editing keeps the note's own video: it cannot be swapped."""
    if note is not None:
        return note.attached_video, []
    raw = request.POST.get("video_id", "")
    video = draft_video(me(request), int(raw)) if raw.isdigit() and len(raw) < 20 else None
    if request.POST.get("remove_video"):
        video = None
    upload = request.FILES.get("video")
    if upload is None:
        return video, []
    try:
        return videos.upload_video(owner=me(request), file=upload), []
    except ServiceError as exc:
        # The client's file name is shown as text (escaped by the template), never used for storage.
        return video, [f"{(upload.name or '')[:80]}: {exc.message}"]


TRANSLATION_FIELDS = {"language": "translation_language", "title": "translation_title", "body": "translation_body"}


class TranslationRefused(Exception):
    """The author's translation was refused: its error belongs next to the translation's fields."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(error.message)
        self.error = error


def _save_translation(form: NoteForm, user: User, note_id: int) -> None:
    chosen = form.translation()
    if chosen is None:
        return
    language, title, body = chosen
    try:
        note_translations.set_author_translation(
            author=user, note_id=note_id, language=language, title=title, body=body
        )
    except ServiceError as exc:
        raise TranslationRefused(exc) from exc


def _note_editor(request: HttpRequest, *, note: Note | None, initial: dict, photos: list[Photo]) -> HttpResponse:
    """Compose and edit share one flow: keep every photo and field, post only when nothing failed."""
    user = me(request)
    photo_errors: list[str] = []
    video_errors: list[str] = []
    video = note.attached_video if note is not None else None
    if request.method != "POST":
        form = NoteForm(initial=initial)
    else:
        form = NoteForm(request.POST)
        photos = draft_photos(user, _posted_photo_ids(request), note_id=note.pk if note else None)
        new_photos, photo_errors = _upload_files(request, MAX_PHOTOS - len(photos))
        photos += new_photos
        photo_errors += _save_alt_texts(request, photos)
        video, video_errors = _posted_video(request, note)
        wants_post = (
            request.POST.get("action", "post") == "post"
            and not request.POST.getlist("remove")
            and not request.POST.get("remove_video")
        )
        if form.is_valid() and wants_post and not photo_errors and not video_errors:
            if not photos and video is None:
                form.add_error(
                    None, _("Add at least one photo or a video.") if video_available() else _("Add at least one photo.")
                )
            else:
                fields = {
                    "title": form.cleaned_data["title"],
                    "body": form.cleaned_data["body"],
                    "photo_ids": [p.pk for p in photos],
                    "tags": form.tag_list(),
                    "visibility": form.cleaned_data["visibility"],
                }
                try:
                    # One transaction: a translation that is refused leaves no half-saved note behind
                    # (the form comes back with everything as the author left it).
                    with transaction.atomic():
                        if note is None:
                            saved = services.create_note(
                                author=user,
                                place=form.cleaned_data["place"] or None,
                                video_id=video.pk if video is not None else None,
                                **fields,
                            )
                        else:
                            saved = services.edit_note(
                                author=user, note_id=note.pk, place=form.cleaned_data["place"], **fields
                            )
                        _save_translation(form, user, saved.pk)
                    return redirect("web:note", note_id=saved.pk)
                except TranslationRefused as refused:
                    add_service_error(form, refused.error, TRANSLATION_FIELDS)
                except ServiceError as exc:
                    add_service_error(form, exc)
                    if exc.field == "photos":
                        photo_errors.append(exc.message)
                    if exc.field == "video":
                        video_errors.append(exc.message)
    status = 422 if (form.is_bound and (form.errors or photo_errors or video_errors)) else 200
    context = {
        "form": form,
        "note": note,
        "photos": photos,
        "photo_errors": photo_errors,
        "video": video,
        "video_errors": video_errors,
        "video_available": video_available(),
        "video_max_mb": settings.VIDEO_MAX_BYTES // (1024 * 1024),
        "video_max_seconds": int(settings.VIDEO_MAX_SECONDS),
        "max_photos": MAX_PHOTOS,
        "suggested_tags": popular_tags_for_reader(me(request).languages, limit=10),
        "own_translations": note_translations.translations_of(note) if note is not None else [],
    }
    return render(request, "web/compose.html", context, status=status)


@login_required_page
def compose(request: HttpRequest) -> HttpResponse:
    return _note_editor(request, note=None, initial={}, photos=[])


@login_required_page
def edit_note(request: HttpRequest, note_id: int) -> HttpResponse:
    """The author's edit page; for anyone else the note's edit page does not exist (404)."""
    note = get_visible_note(viewer=me(request), note_id=note_id)
    if note is None or note.author_id != me(request).pk:
        raise Http404
    initial = {
        "title": note.title,
        "body": note.body,
        "tags": " ".join(t.display for t in note.tags.all()),
        "place": note.place.name if note.place else "",
        "visibility": note.visibility,
    }
    own = note_translations.translations_of(note)
    if own:  # the first of the author's translations, to change (or empty to remove)
        initial |= {
            "translation_language": own[0].language,
            "translation_title": own[0].title,
            "translation_body": own[0].body,
        }
    return _note_editor(request, note=note, initial=initial, photos=list(note.photos.all()))


@login_required_page
def compose_photos(request: HttpRequest) -> HttpResponse:
    """htmx: upload the files just picked and return their tiles (errors swapped in out of band)."""
    if request.method != "POST":
        return redirect("web:compose")
    have = len([r for r in request.POST.getlist("photo_ids") if r.isdigit()])
    photos, errors = _upload_files(request, max(0, MAX_PHOTOS - have))
    return render(request, "web/_photo_tiles.html", {"photos": photos, "photo_errors": errors, "oob": True})


def tag_suggestions(request: HttpRequest) -> HttpResponse:
    """htmx, as the Tags field is typed in: tags starting with the word being typed, or, after a space
    or comma (a word finished), popular tags; never one the field already has."""
    raw = (request.GET.get("tags", "") or request.GET.get("q", ""))[:1000].replace("，", ",").replace(",", " ")
    words = raw.split()
    typing = words[-1] if words and not raw[-1].isspace() else ""
    chosen = {normalize_tag(w) for w in (words[:-1] if typing else words)}
    if typing:
        found = search_tags(typing, limit=8 + len(chosen))
    else:  # the author's languages first, as the feed's tabs
        user = viewer(request)
        reads = user.languages if user is not None else [languages.normalize(get_language())]
        found = popular_tags_for_reader(reads, limit=10 + len(chosen))
    tags = [t for t in found if t.name not in chosen][: 8 if typing else 10]
    return render(request, "web/_tag_suggestions.html", {"suggested_tags": tags})
