"""For you (recommend): a reader's personal Discover, the events that teach it, and the language-mix
setting. Events come in batches: at most 50 per request and 300 a minute per reader."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from api.nb import common
from api.nb.openapi import errors
from api.nb.schemas import ForYouPage, InteractionBatchIn, LanguageMixIn, RecordedOut
from recommend import selectors, services

router = Router(tags=["recommend"])


@router.get("/for-you", response=ForYouPage)
def for_you(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> HttpResponse:
    """The page is written as JSON here rather than validated against ``ForYouPage`` on the way out:
    the items are ``common.notes_json`` texts (each note's cached JSON with the viewer's flags and the
    card's reason appended), already in that shape (tests/recommend/test_events.py checks the page
    against the schema), and validating 20 nested notes cost about a sixth of a page's CPU."""
    me = common.require_user(request)
    w = common.where(request)
    cards, next_cursor = selectors.for_you(me, cursor=cursor, limit=limit, country=w.country)
    extra = [{"reason": c.reason, "why": c.why, "position": c.position} for c in cards]
    items = common.notes_json([c.note for c in cards], me, w, extra=extra)
    body = '{"items":[' + ",".join(items) + '],"next_cursor":' + json.dumps(next_cursor) + "}"
    return HttpResponse(body, content_type="application/json")


@router.post("/events", response=RecordedOut, openapi_extra=errors(429))
def record_events(request: HttpRequest, payload: InteractionBatchIn) -> dict[str, Any]:
    me = common.require_user(request)
    raw = [e.dict() for e in payload.events]
    recorded = services.record_client_events(user=me, events=raw, country=common.where(request).country)
    return {"recorded": recorded}


@router.put("/settings", response=LanguageMixIn)
def set_language_mix(request: HttpRequest, payload: LanguageMixIn) -> dict[str, Any]:
    pref = services.set_language_mix(user=common.require_user(request), language_mix=payload.language_mix)
    return {"language_mix": pref.language_mix}
