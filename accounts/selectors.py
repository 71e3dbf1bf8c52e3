"""Reads about accounts and the social graph."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Block, Follow, Mute, SuggestionDismissal, User
from core import generations, request_reads


def hidden_author_ids(viewer: User | None) -> set[int]:
    """Accounts whose content the viewer must not see: blocked either way, or muted by the viewer.

    Cached briefly per viewer: feeds call this on every page.
    """
    if viewer is None or not viewer.is_authenticated:
        return set()
    key = hidden_authors_key(viewer.pk)
    # A page that read it ahead with its own keys (``request_reads.get_many(also=...)``) asks no more.
    cached = request_reads.get(key)
    if cached is not None:
        return set(cached)
    # One hand-written query for blocks both ways and mutes (a cold reader's page made two ORM queries
    # of it; building them cost more than running them). Only table names are formatted in.
    block, mute = Block._meta.db_table, Mute._meta.db_table
    sql = (
        f"SELECT blocked_id FROM {block} WHERE blocker_id = %s "  # noqa: S608
        f"UNION ALL SELECT blocker_id FROM {block} WHERE blocked_id = %s "
        f"UNION ALL SELECT muted_id FROM {mute} WHERE muter_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, viewer.pk, viewer.pk])
        ids = {row[0] for row in cursor.fetchall()}
    cache.set(key, list(ids), 30)
    request_reads.put(key, list(ids))
    return ids


def hidden_authors_key(user_id: int) -> str:
    """The cache key of ``hidden_author_ids(user)``: a page may read it with its own keys."""
    return f"hidden-authors:{generations.current('blocks')}:{user_id}"


def blocked_ids(viewer: User | None) -> set[int]:
    """Accounts blocked either way with the viewer (mutes aside: a muted account can still be looked at)."""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return {
        b if a == viewer.pk else a
        for a, b in Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list("blocker_id", "blocked_id")
    }


def forget_hidden_authors(user_id: int) -> None:
    """After a block, unblock, mute or unmute: every worker reads the change on its next request."""
    key = hidden_authors_key(user_id)
    cache.delete(key)
    request_reads.forget(key)
    generations.bump("blocks")


def following_ids(user: User) -> set[int]:
    return set(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))


def follower_ids(user_id: int) -> list[int]:
    return list(Follow.objects.filter(followee_id=user_id).values_list("follower_id", flat=True))


def relationships(viewer: User, others: list[int]) -> dict[int, dict[str, bool]]:
    following = set(
        Follow.objects.filter(follower=viewer, followee_id__in=others).values_list("followee_id", flat=True)
    )
    followed_by = set(
        Follow.objects.filter(followee=viewer, follower_id__in=others).values_list("follower_id", flat=True)
    )
    blocking = set(Block.objects.filter(blocker=viewer, blocked_id__in=others).values_list("blocked_id", flat=True))
    blocked_by = set(Block.objects.filter(blocked=viewer, blocker_id__in=others).values_list("blocker_id", flat=True))
    muting = set(Mute.objects.filter(muter=viewer, muted_id__in=others).values_list("muted_id", flat=True))
    return {
        pk: {
            "following": pk in following,
            "followed_by": pk in followed_by,
            "blocking": pk in blocking,
            "blocked_by": pk in blocked_by,
            "muting": pk in muting,
        }
        for pk in others
    }


def get_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=username, is_active=True).first()


def is_blocked_either_way(viewer: User | None, other_id: int) -> bool:
    if viewer is None or not viewer.is_authenticated or viewer.pk == other_id:
        return False
    return Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=viewer.pk)
    ).exists()


def get_visible_profile(*, viewer: User | None, user_id: int | None = None, username: str = "") -> User | None:
    """The access gate for a profile's own content (bio, display name, avatar, its translations): an
    active account that has not blocked the viewer and that the viewer has not blocked. Notes and
    comments have theirs in notes.selectors (``get_visible_note``, ``get_visible_comment``)."""
    qs = User.objects.filter(is_active=True)
    user = qs.filter(pk=user_id).first() if user_id is not None else qs.filter(username__iexact=username).first()
    if user is None or is_blocked_either_way(viewer, user.pk):
        return None
    return user


def search_people(query: str, limit: int = 20) -> QuerySet[User]:
    query = query.strip().lstrip("@")
    if not query:
        return User.objects.none()
    return User.objects.filter(
        Q(username__icontains=query) | Q(display_name__icontains=query), is_active=True
    ).order_by("-followers_count", "username")[:limit]


MENTION_PREFIX = re.compile(r"^[A-Za-z0-9_]{1,30}$")
MAX_MENTION_CANDIDATES = 8


def mention_candidates(viewer: User, prefix: str, *, limit: int = MAX_MENTION_CANDIDATES) -> list[User]:
    """Accounts whose username starts with ``prefix``, for @mention autocomplete: active ones only, never
    one blocked either way with ``viewer`` (nor the viewer), people the viewer follows first, then the
    most followed. One query; anything that could not be a username gives nothing."""
    if not MENTION_PREFIX.fullmatch(prefix or ""):
        return []
    blocked = Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id=OuterRef("pk")) | Q(blocker_id=OuterRef("pk"), blocked_id=viewer.pk)
    )
    followed = Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("pk"))
    return list(
        User.objects.filter(username__istartswith=prefix, is_active=True)
        .exclude(pk=viewer.pk)
        .exclude(Exists(blocked))
        .annotate(followed=Exists(followed))
        .order_by("-followed", "-followers_count", "username")[: max(1, min(limit, MAX_MENTION_CANDIDATES))]
    )


SUGGESTION_ACTIVE_DAYS = 180
FRIENDS_OF_FRIENDS = "friends_of_friends"
MOST_FOLLOWED = "most_followed"


def account_suggestions(user: User, limit: int = 8) -> list[tuple[User, list[str]]]:
    """Whom ``user`` might follow, each with why (Mastodon 4.3's ``sources``): accounts that the
    people ``user`` follows follow (``friends_of_friends``, most shared first), then popular accounts
    that share the user's languages, region or interests (``most_followed``). Never the user, anyone
    they follow, blocked either way or muted, a dismissed suggestion, or an account that has not
    posted for ``SUGGESTION_ACTIVE_DAYS`` days."""
    following = following_ids(user)
    dismissed = set(SuggestionDismissal.objects.filter(user=user).values_list("account_id", flat=True))
    exclude = following | hidden_author_ids(user) | dismissed | {user.pk}
    active = User.objects.filter(
        is_active=True,
        notes_count__gt=0,
        last_note_at__gte=timezone.now() - timedelta(days=SUGGESTION_ACTIVE_DAYS),
    ).exclude(pk__in=exclude)
    sources: dict[int, list[str]] = {}
    ranked: list[User] = []
    if following:
        recent_follows = list(
            Follow.objects.filter(follower=user).order_by("-created_at").values_list("followee_id", flat=True)[:500]
        )
        shared = list(
            Follow.objects.filter(follower_id__in=recent_follows)
            .exclude(followee_id__in=exclude)
            .values("followee_id")
            .annotate(n=Count("follower_id"))
            .order_by("-n", "followee_id")
            .values_list("followee_id", "n")[: limit * 4]
        )
        found = {u.pk: u for u in active.filter(pk__in=[pk for pk, _n in shared])}
        for pk, _n in shared:
            if pk in found and len(ranked) < limit:
                ranked.append(found[pk])
                sources[pk] = [FRIENDS_OF_FRIENDS]
    candidates = list(active.order_by("-followers_count", "pk")[:200])
    langs, interests = set(user.languages), set(user.interests)

    def score(u: User) -> float:
        return (
            2.0 * len(langs & set(u.languages))
            + 1.5 * len(interests & set(u.interests))
            + (1.0 if user.region and u.region == user.region else 0.0)
            + u.followers_count / 100.0
        )

    candidates.sort(key=score, reverse=True)
    for u in candidates[: limit * 2]:
        if u.pk in sources:
            sources[u.pk].append(MOST_FOLLOWED)
        elif len(ranked) < limit:
            ranked.append(u)
            sources[u.pk] = [MOST_FOLLOWED]
    return [(u, sources[u.pk]) for u in ranked]


def suggested_accounts(user: User, limit: int = 8) -> list[User]:
    """``account_suggestions`` without the reasons."""
    return [u for u, _why in account_suggestions(user, limit=limit)]


def follow_page(user_id: int, *, followers: bool, max_id: int | None = None, limit: int = 40) -> list[tuple[int, User]]:
    """(follow id, account) pairs, newest follow first: who follows ``user_id``, or whom it follows."""
    qs = Follow.objects.filter(**({"followee_id": user_id} if followers else {"follower_id": user_id}))
    other = "follower" if followers else "followee"
    qs = qs.filter(**{f"{other}__is_active": True}).select_related(other)
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return [(f.pk, getattr(f, other)) for f in qs.order_by("-pk")[:limit]]


def blocked_page(user: User, *, max_id: int | None = None, limit: int = 40) -> list[tuple[int, User]]:
    """(block id, account) pairs the user blocked, newest first."""
    qs = Block.objects.filter(blocker=user).select_related("blocked")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return [(b.pk, b.blocked) for b in qs.order_by("-pk")[:limit]]


def muted_page(user: User, *, max_id: int | None = None, limit: int = 40) -> list[tuple[int, User]]:
    """(mute id, account) pairs the user muted, newest first."""
    qs = Mute.objects.filter(muter=user).select_related("muted")
    if max_id is not None:
        qs = qs.filter(pk__lt=max_id)
    return [(m.pk, m.muted) for m in qs.order_by("-pk")[:limit]]


def is_following(viewer: User | None, other_id: int) -> bool:
    if viewer is None or not viewer.is_authenticated or viewer.pk == other_id:
        return False
    return Follow.objects.filter(follower=viewer, followee_id=other_id).exists()
