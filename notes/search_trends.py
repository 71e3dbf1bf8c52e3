"""Search that helps: hot searches, suggestions as you type, and a reader's recent searches.

Writes: ``record_search`` (one more search of a query in this hour, per interface language and region,
with no trace of who searched; and, for a signed-in reader, their own recent searches) and
``clear_recent_searches``. Reads: ``hot_searches`` (queries whose searches rose against their trailing
baseline), ``rising_tags`` (tags whose public notes and engagement rose), ``search_suggestions`` and
``recent_searches``.

Privacy: the tally keeps a query, a language, a region, an hour and two counts (searches, and new
searchers), nothing else. A query is shown to others only once ``MIN_SEARCHES`` distinct people searched
it in the window and it finds a published note or names a public tag, so a one-off search (a person's
name, a typo, something private), or one person searching it over and over, never appears. People are
told apart by ``SearchPerson``: a keyed HMAC of (account id, or a visitor's address; the day; the query),
never who searched in the clear. A reader's repeats within ``REPEAT_SECONDS`` count once as searches (a
cache entry keyed by a hash).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import User
from accounts.selectors import blocked_ids, search_people
from core.text import clean_user_text, fold_script
from notes.models import NoteState, NoteTag, RecentSearch, SearchPerson, SearchTally, Tag, Visibility
from notes.search import search_note_ids
from notes.selectors import public_tags, search_tags, with_counts_seen_from

MAX_QUERY = 100  # what is kept and compared; longer queries are cut (the search itself takes 200)
KEEP_RECENT = 10
RECENT_HOURS = 24
BASELINE_DAYS = 7
MIN_SEARCHES = 3
REPEAT_SECONDS = 6 * 3600
HOT_SECONDS = 300
TAG_RECENT_DAYS = 2
TAG_BASELINE_DAYS = 14
SUGGEST_EACH = 5
SUGGEST_SECONDS = 60

_SPACES = re.compile(r"\s+")


def clean_query(raw: str, *, limit: int = MAX_QUERY) -> str:
    """The query as shown: control and invisible characters out, spaces collapsed, cut to ``limit``."""
    return _SPACES.sub(" ", clean_user_text((raw or "")[: limit * 4])).strip()[:limit].strip()


def query_key(raw: str) -> str:
    """What counts as the same query: cleaned, one Chinese script, lower case."""
    text = clean_query(raw)
    return fold_script(text).lower()[:MAX_QUERY] if text else ""


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _bump(qs_filter: dict, defaults: dict, *, people: int) -> None:
    """count += 1 (and people += ``people``) on the row ``qs_filter`` names, creating it when it is not
    there (two racing creators: the loser's insert fails and it updates instead)."""
    changes = {"count": F("count") + 1, "people": F("people") + people}
    if SearchTally.objects.filter(**qs_filter).update(**changes):
        return
    try:
        with transaction.atomic():
            SearchTally.objects.create(**qs_filter, **defaults, count=1, people=people)
    except IntegrityError:
        SearchTally.objects.filter(**qs_filter).update(**changes)


def _new_searcher(searcher: str, key: str, now: datetime) -> bool:
    """Whether ``searcher`` searches ``key`` for the first time today: a ``SearchPerson`` row keyed by an
    HMAC of the three (the site's secret as the key), so the table never says who or what."""
    day = timezone.localdate(now)
    digest = salted_hmac("notebridge.search-person", f"{searcher}\x00{day.isoformat()}\x00{key}").hexdigest()[:32]
    if cache.add(f"search-people-pruned:{day.isoformat()}", 1, 24 * 3600):
        SearchPerson.objects.filter(day__lt=day - timedelta(days=1)).delete()
    try:
        with transaction.atomic():
            SearchPerson.objects.create(digest=digest, day=day)
    except IntegrityError:
        return False
    return True


def record_search(
    *,
    query: str,
    language: str,
    region: str | None,
    user: User | None = None,
    repeat_token: str = "",
    searcher: str = "",
) -> bool:
    """Count one search of ``query`` and keep it in ``user``'s recent searches. Returns whether the
    tally counted it (a repeat by the same ``repeat_token`` within ``REPEAT_SECONDS`` does not).
    ``searcher`` says who searched, to count people (``u<account id>`` or ``a<client address>``; the
    ``repeat_token`` when not given); it is only ever stored as a keyed hash."""
    text, key = clean_query(query), query_key(query)
    if not key:
        return False
    now = timezone.now()
    with transaction.atomic():
        if user is not None and user.is_authenticated:
            _remember(user, key, text, now)
        digest = hashlib.sha256(f"{repeat_token}\x00{key}".encode()).hexdigest()[:32]
        if not cache.add(f"search-seen:{digest}", 1, REPEAT_SECONDS):
            return False
        new_person = _new_searcher(searcher or repeat_token, key, now)
        where = {"key": key, "language": (language or "")[:16], "region": (region or "")[:2], "hour": _hour(now)}
        _bump(where, {"text": text}, people=int(new_person))
    return True


def _remember(user: User, key: str, text: str, now: datetime) -> None:
    RecentSearch.objects.update_or_create(user=user, key=key, defaults={"text": text, "searched_at": now})
    stale = list(
        RecentSearch.objects.filter(user=user)
        .order_by("-searched_at", "-id")
        .values_list("id", flat=True)[KEEP_RECENT:]
    )
    if stale:
        RecentSearch.objects.filter(pk__in=stale).delete()


def clear_recent_searches(*, user: User) -> int:
    deleted, _rows = RecentSearch.objects.filter(user=user).delete()
    return deleted


def recent_searches(user: User | None) -> list[str]:
    """The reader's own recent searches, newest first (none for visitors)."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        RecentSearch.objects.filter(user=user)
        .order_by("-searched_at", "-id")
        .values_list("text", flat=True)[:KEEP_RECENT]
    )


# --- hot searches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HotQuery:
    text: str
    searches: int  # people who searched it in the recent window (one a day each, at most)
    is_new: bool  # nobody searched it in the baseline


def rise(recent: float, baseline: float, *, recent_span: float, baseline_span: float) -> float:
    """How far ``recent`` stands above what the baseline predicts for a window of ``recent_span``:
    (observed - expected) / sqrt(expected + 1), so a steady favourite scores low and a burst from
    nothing scores high, but one search more than usual is not a trend."""
    expected = baseline * recent_span / baseline_span if baseline_span else 0.0
    return (recent - expected) / math.sqrt(expected + 1.0)


def _tally_rows(language: str, region: str | None, since: datetime, cut: datetime) -> list[tuple[str, str, int, int]]:
    where = Q(hour__gte=since, language=language)
    if region is not None:
        where &= Q(region=region)
    zero = Value(0, output_field=IntegerField())
    rows = (
        SearchTally.objects.filter(where)
        .values("key")
        .annotate(
            recent=Coalesce(Sum("people", filter=Q(hour__gte=cut)), zero),
            base=Coalesce(Sum("people", filter=Q(hour__lt=cut)), zero),
            shown=Max("text"),
        )
        .filter(recent__gte=MIN_SEARCHES)
        .order_by("-recent", "key")
        .values_list("key", "shown", "recent", "base")[:200]
    )
    return list(rows)


def _findable(key: str) -> bool:
    """A query shown to others must find something: a published note, or a public tag it names."""
    return bool(search_note_ids(key, limit=1)) or bool(search_tags(key, limit=1))


def hot_searches(*, language: str, region: str | None, limit: int = 10) -> list[HotQuery]:
    """Rising queries among searches made in ``language`` (the interface language) from ``region``,
    topped up with the language's other regions; cached ``HOT_SECONDS`` per language and region."""
    cache_key = f"hot-searches:{language}:{region or ''}:{limit}"
    cached = cache.get(cache_key)
    if cached is not None:
        return list(cached)
    now = timezone.now()
    cut = now - timedelta(hours=RECENT_HOURS)
    since = cut - timedelta(days=BASELINE_DAYS)
    span, base_span = float(RECENT_HOURS), float(BASELINE_DAYS * 24)
    found: list[HotQuery] = []
    seen: set[str] = set()
    for scope in [region, None] if region else [None]:
        scored = [
            (rise(recent, base, recent_span=span, baseline_span=base_span), key, text, recent, base)
            for key, text, recent, base in _tally_rows(language, scope, since, cut)
            if key not in seen
        ]
        scored.sort(key=lambda row: (-row[0], row[1]))
        for score, key, text, recent, base in scored:
            if len(found) >= limit:
                break
            if score <= 0 or not _findable(key):
                continue
            seen.add(key)
            found.append(HotQuery(text=text, searches=recent, is_new=base == 0))
    cache.set(cache_key, found, HOT_SECONDS)
    return found


def rising_tags(*, language: str, country: str | None, limit: int = 10) -> list[Tag]:
    """Tags whose public notes in ``language`` rose over the last ``TAG_RECENT_DAYS`` days against the
    ``TAG_BASELINE_DAYS`` before, each note weighing 1 plus its engagement (likes, 2x collects, 1.5x
    comments, as Discover weighs them). Counts seen from ``country`` (withheld notes left out); a tag
    whose notes there are all withheld is not listed. Cached ``HOT_SECONDS`` per language and country."""
    cache_key = f"rising-tags:{language}:{country or ''}:{limit}"
    cached = cache.get(cache_key)
    if cached is not None:
        return list(cached)
    now = timezone.now()
    cut = now - timedelta(days=TAG_RECENT_DAYS)
    since = cut - timedelta(days=TAG_BASELINE_DAYS)
    weight = 2 + 2 * F("note__like_count") + 4 * F("note__collect_count") + 3 * F("note__comment_count")
    where = Q(note__state=NoteState.PUBLISHED, note__visibility=Visibility.PUBLIC, note__created_at__gte=since)
    if language:
        where &= Q(note__language__startswith=language.split("-")[0])
    zero = Value(0, output_field=IntegerField())
    rows = list(
        NoteTag.objects.filter(where)
        .values("tag_id")
        .annotate(
            recent=Coalesce(Sum(weight, filter=Q(note__created_at__gte=cut)), zero),
            base=Coalesce(Sum(weight, filter=Q(note__created_at__lt=cut)), zero),
        )
        .filter(recent__gt=0)
        .values_list("tag_id", "recent", "base")[:2000]
    )
    span, base_span = float(TAG_RECENT_DAYS), float(TAG_BASELINE_DAYS)
    scored = sorted(
        ((rise(r / 2, b / 2, recent_span=span, baseline_span=base_span), tag_id) for tag_id, r, b in rows),
        key=lambda row: (-row[0], row[1]),
    )
    wanted = [tag_id for score, tag_id in scored if score > 0][: limit * 3]
    tags = {t.pk: t for t in public_tags(Tag.objects.filter(pk__in=wanted))}
    for tag in tags.values():
        tag.notes_count = tag.public_notes  # type: ignore[attr-defined]
    ordered = with_counts_seen_from([tags[pk] for pk in wanted if pk in tags], country)
    result = [t for t in ordered if t.notes_seen > 0][:limit]  # type: ignore[attr-defined]
    cache.set(cache_key, result, HOT_SECONDS)
    return result


# --- suggestions as you type ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    tags: list[Tag]
    people: list[User]
    queries: list[str]


def popular_queries(prefix_key: str, *, language: str, limit: int = SUGGEST_EACH) -> list[str]:
    """Queries others searched often lately that start with ``prefix_key`` (shared, cached a minute)."""
    cache_key = "suggest-q:" + hashlib.sha256(f"{language}\x00{prefix_key}".encode()).hexdigest()[:32]
    cached = cache.get(cache_key)
    if cached is not None:
        return list(cached)
    since = timezone.now() - timedelta(hours=RECENT_HOURS + BASELINE_DAYS * 24)
    rows = (
        SearchTally.objects.filter(hour__gte=since, language=language, key__startswith=prefix_key)
        .values("key")
        .annotate(total=Sum("people"), shown=Max("text"))
        .filter(total__gte=MIN_SEARCHES)
        .order_by("-total", "key")
        .values_list("key", "shown")[: limit * 2]
    )
    found = [text for key, text in rows if _findable(key)][:limit]
    cache.set(cache_key, found, SUGGEST_SECONDS)
    return found


def search_suggestions(raw: str, *, viewer: User | None, language: str, country: str | None) -> Suggestions:
    """Tags, people and popular queries for what has been typed so far (empty for an empty query)."""
    text, key = clean_query(raw), query_key(raw)
    if not key:
        return Suggestions(tags=[], people=[], queries=[])
    hidden = blocked_ids(viewer)
    tags = with_counts_seen_from(search_tags(text.lstrip("#"), limit=SUGGEST_EACH), country)
    people = [p for p in search_people(text.lstrip("@"), limit=SUGGEST_EACH + len(hidden)) if p.pk not in hidden]
    queries = [q for q in popular_queries(key, language=language) if query_key(q) != key]
    return Suggestions(tags=tags, people=people[:SUGGEST_EACH], queries=queries)
