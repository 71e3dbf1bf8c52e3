"""Writes of the recommender: interactions (from domain events and from clients, in batches), "not
interested", the reader's language-mix setting, and the purge of old interactions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import RateLimited, ServiceError
from core.shared_cache import shared_cache
from notes.models import Note, NoteState
from notes.selectors import visible_notes
from recommend.models import HideReason, Interaction, Kind, LanguageMix, ReaderPreference, Surface
from recommend.training import unpack_features

# A batch from a client: at most this many events, and at most FLOOD_LIMIT events a minute per reader.
MAX_BATCH = 50
FLOOD_LIMIT = 300
MAX_POSITION = 1000
MAX_DWELL_MS = 30 * 60 * 1000
# An impression of the same note on the same surface within this window is counted once.
IMPRESSION_DEDUPE = timedelta(minutes=30)
CLIENT_KINDS = {Kind.IMPRESSION, Kind.OPEN, Kind.DWELL, Kind.SHARE, Kind.HIDE}
SERVED_KEY = "rec:served:{}"  # note id -> position of what For you served the reader (recommend.selectors)
SERVED_FEATURES_KEY = "rec:servedfeat:{}"  # note id -> the ranking features it was served with
DIRTY_KEY = "rec:dirty:{}"  # the reader did something that should change the rest of their For you


def event_days() -> int:
    return int(getattr(settings, "RECOMMEND_EVENT_DAYS", 90))


def mark_changed(user_id: int) -> None:
    """The reader's taste signal changed: the next For-you page re-ranks what it has not shown yet."""
    shared_cache.set(DIRTY_KEY.format(user_id), True, 3600)


def record_interaction(
    *, user_id: int, note_id: int, author_id: int, kind: str, surface: str = "", reason: str = ""
) -> Interaction:
    """One interaction from a domain event (like, collect, comment, follow), in the caller's transaction."""
    row = Interaction.objects.create(
        user_id=user_id, note_id=note_id, author_id=author_id, kind=kind, surface=surface, reason=reason
    )
    mark_changed(user_id)
    return row


@dataclass(frozen=True)
class ClientEvent:
    note_id: int
    kind: str
    surface: str
    position: int | None
    dwell_ms: int | None
    reason: str


def _bad(message: str, index: int, field: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, field=f"events[{index}].{field}", code=code)


def _as_int(value: Any, index: int, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(f"{field} must be a whole number", index, field)
    try:
        return int(value)
    except ValueError:
        raise _bad(f"{field} must be a whole number", index, field) from None


def _parse(raw: Mapping[str, Any], index: int) -> ClientEvent:
    if not isinstance(raw, Mapping):
        raise ServiceError("Each event must be an object", field=f"events[{index}]")
    kind = raw.get("kind")
    if kind not in CLIENT_KINDS:
        raise _bad("kind must be one of impression, open, dwell, share, hide", index, "kind", "bad_kind")
    surface = raw.get("surface") or ""
    if surface not in Surface.values:
        raise _bad("Unknown surface", index, "surface", "bad_surface")
    note_id = _as_int(raw.get("note_id"), index, "note_id")
    if note_id is None or note_id <= 0:
        raise _bad("note_id is required", index, "note_id")
    position = _as_int(raw.get("position"), index, "position")
    if position is not None and not 0 <= position < MAX_POSITION:
        raise _bad("position is out of range", index, "position", "forged_position")
    if kind == Kind.IMPRESSION and position is None:
        raise _bad("An impression needs its position", index, "position")
    dwell = _as_int(raw.get("dwell_ms"), index, "dwell_ms")
    if kind == Kind.DWELL and (dwell is None or not 0 < dwell <= MAX_DWELL_MS):
        raise _bad("dwell_ms must be between 1 and 1800000", index, "dwell_ms")
    reason = raw.get("reason") or ""
    if kind == Kind.HIDE:
        reason = reason or HideReason.NOT_INTERESTED
        if reason not in HideReason.values:
            raise _bad("Unknown reason", index, "reason", "bad_reason")
    elif reason:
        raise _bad("Only a hide has a reason", index, "reason")
    return ClientEvent(note_id, kind, surface, position, dwell if kind == Kind.DWELL else None, reason)


def _check_flood(user_id: int, count: int) -> None:
    key = f"rec:flood:{user_id}:{int(timezone.now().timestamp() // 60)}"
    shared_cache.add(key, 0, 120)
    try:
        total = shared_cache.incr(key, count)
    except ValueError:  # expired between add and incr
        shared_cache.set(key, count, 120)
        total = count
    if total > FLOOD_LIMIT:
        raise RateLimited("Too many events; send them in batches, at most 300 a minute")


def record_client_events(*, user: User, events: Iterable[Mapping[str, Any]], country: str | None = None) -> int:
    """Record a batch of impressions, opens, dwell times, shares and hides from a client.

    The whole batch is refused (nothing recorded) when one event is malformed, names a note the reader
    may not see (unknown, held, removed, blocked or withheld: the same answer for all), or claims a
    For-you position other than the one For you served that note at. A For-you impression keeps the
    ranking features its note was served with (the learned ranker's training data). Returns the number
    recorded (repeated impressions are counted once)."""
    raw = list(events)
    if not raw:
        return 0
    if len(raw) > MAX_BATCH:
        raise ServiceError(f"At most {MAX_BATCH} events per batch", field="events", code="batch_too_large")
    parsed = [_parse(r, i) for i, r in enumerate(raw)]
    _check_flood(user.pk, len(parsed))
    seen = {n.pk: n for n in visible_notes({e.note_id for e in parsed}, user, country=country, for_feed=False)}
    got = shared_cache.get_many([SERVED_KEY.format(user.pk), SERVED_FEATURES_KEY.format(user.pk)])
    served: dict[int, int] = got.get(SERVED_KEY.format(user.pk)) or {}
    served_features: dict[int, bytes] = got.get(SERVED_FEATURES_KEY.format(user.pk)) or {}
    for i, e in enumerate(parsed):
        if e.note_id not in seen:
            raise _bad("No such note", i, "note_id", "unknown_note")
        if e.surface == Surface.FOR_YOU and e.position is not None and served.get(e.note_id) != e.position:
            raise _bad("This note was not shown at that position", i, "position", "forged_position")
    since = timezone.now() - IMPRESSION_DEDUPE
    shown_before = set(
        Interaction.objects.filter(
            user=user, kind=Kind.IMPRESSION, created_at__gte=since, note_id__in=[e.note_id for e in parsed]
        ).values_list("note_id", "surface")
    )
    rows = []
    for e in parsed:
        if e.kind == Kind.IMPRESSION:
            if (e.note_id, e.surface) in shown_before:
                continue
            shown_before.add((e.note_id, e.surface))
        rows.append(
            Interaction(
                user=user,
                note_id=e.note_id,
                author_id=seen[e.note_id].author_id,
                kind=e.kind,
                surface=e.surface,
                position=e.position,
                dwell_ms=e.dwell_ms,
                reason=e.reason,
                # What the ranker saw when it served the note: the learned ranker's training example.
                features=unpack_features(served_features.get(e.note_id, b""))
                if e.kind == Kind.IMPRESSION and e.surface == Surface.FOR_YOU
                else None,
            )
        )
    with transaction.atomic():
        Interaction.objects.bulk_create(rows)
    if any(e.kind in (Kind.HIDE, Kind.OPEN, Kind.SHARE) for e in parsed):
        mark_changed(user.pk)
    return len(rows)


def hide_note(
    *,
    user: User,
    note_id: int,
    reason: str = HideReason.NOT_INTERESTED,
    surface: str = Surface.FOR_YOU,
    country: str | None = None,
) -> None:
    """ "Not interested": the note leaves the reader's For you, and its author (``reason="author"``) or
    its topic weigh less from the next page on."""
    record_client_events(
        user=user,
        events=[{"note_id": note_id, "kind": Kind.HIDE, "surface": surface, "reason": reason}],
        country=country,
    )


def set_language_mix(*, user: User, language_mix: int) -> ReaderPreference:
    if language_mix not in LanguageMix.values:
        raise ServiceError(
            "language_mix must be 0 (mostly my languages) to 4 (show me the world)", field="language_mix"
        )
    pref, _ = ReaderPreference.objects.update_or_create(user=user, defaults={"language_mix": language_mix})
    shared_cache.delete(f"rec:mix:{user.pk}")
    mark_changed(user.pk)
    return pref


def purge_old_interactions(*, days: int | None = None) -> int:
    """Delete interactions older than the configured window; returns how many went."""
    cutoff = timezone.now() - timedelta(days=days if days is not None else event_days())
    deleted, _ = Interaction.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def latest_note_of(author_id: int) -> Note | None:
    return (
        Note.objects.filter(author_id=author_id, state=NoteState.PUBLISHED)
        .order_by("-id")
        .only("id", "author_id")
        .first()
    )
