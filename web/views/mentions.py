"""@mention autocomplete: who a username prefix may mean, as JSON for the compose and comment fields."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.selectors import MENTION_PREFIX, mention_candidates
from web.views.common import me


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """``GET /mentions/suggest/?q=<prefix>``: at most 8 active accounts whose username starts with the
    prefix, none blocked either way with the viewer; people the viewer follows first. Signed-in only
    (401); a prefix that cannot begin a username is a 400. Rate-limited as ``lookup`` (trust)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in to look people up.")}, status=401)
    prefix = (request.GET.get("q") or "").removeprefix("@")
    if not MENTION_PREFIX.fullmatch(prefix):
        return JsonResponse({"error": _("Type the start of a username: letters, digits or underscores.")}, status=400)
    people = mention_candidates(me(request), prefix)
    return JsonResponse(
        {
            "accounts": [
                {
                    "username": p.username,
                    "name": p.name,
                    "avatar": p.avatar.url if p.avatar else None,
                    "following": bool(getattr(p, "followed", False)),
                }
                for p in people
            ]
        }
    )
