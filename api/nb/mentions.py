"""@mention suggestions as one types, for apps: the web's ``/mentions/suggest/`` in the native API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from accounts.selectors import MENTION_PREFIX, mention_candidates
from api.nb import common
from api.nb.openapi import errors
from api.nb.schemas import MentionsOut

router = Router(tags=["mentions"])


@router.get("/suggest", response=MentionsOut, openapi_extra=errors(400, 429))
def suggest(request: HttpRequest, q: str = "") -> dict[str, Any]:
    """At most 8 active accounts whose username starts with ``q`` (a leading ``@`` is dropped), never one
    blocked either way with you; people you follow first. One query (``accounts.selectors.mention_candidates``,
    as the web uses). A ``q`` that cannot begin a username is a 400. Rate-limited as ``lookup``."""
    user = common.require_user(request)
    prefix = q.removeprefix("@")
    if not MENTION_PREFIX.fullmatch(prefix):
        raise HttpError(400, "Type the start of a username: letters, digits or underscores.")
    return {
        "accounts": [
            {
                "id": str(p.pk),
                "username": p.username,
                "display_name": p.name,
                "avatar": common.avatar_url(p),
                "following": bool(getattr(p, "followed", False)),
            }
            for p in mention_candidates(user, prefix)
        ]
    }
