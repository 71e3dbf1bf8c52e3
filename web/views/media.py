"""The embedded default's /media/ route (notebridge/urls.py, when ``SERVE_MEDIA``): uploaded files from
MEDIA_ROOT, except the files of a note that is not published, which only its author gets (404 for
everyone else, as if the file did not exist; reviewers use /review/items/<id>/media/<name>)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve

from notes.media import may_fetch


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    user_id = request.user.pk if request.user.is_authenticated else None
    if not may_fetch(path, user_id):
        raise Http404
    # MEDIA_ROOT is read per request, so tests that point it at a temporary folder are served from there.
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if user_id is not None and path.startswith(("photos/", "videos/")):
        # The answer may depend on who asks (an author's own held note): never from a shared cache.
        response["Cache-Control"] = "private"
    return response
