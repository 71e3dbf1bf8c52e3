"""Reads about accounts and the social graph."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet

from accounts.models import Block, Follow, Mute, User


def hidden_author_ids(viewer: User | None) -> set[int]:
    """Accounts whose content the viewer must not see: blocked either way, or muted by the viewer.

    Cached briefly per viewer: feeds call this on every page.
    """
    if viewer is None or not viewer.is_authenticated:
        return set()
    key = f"hidden-authors:{viewer.pk}"
    cached = cache.get(key)
    if cached is not None:
        return set(cached)
    ids: set[int] = set()
    for blocker_id, blocked_id in Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked_id if blocker_id == viewer.pk else blocker_id)
    ids.update(Mute.objects.filter(muter=viewer).values_list("muted_id", flat=True))
    cache.set(key, list(ids), 30)
    return ids


def forget_hidden_authors(user_id: int) -> None:
    cache.delete(f"hidden-authors:{user_id}")


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


def search_people(query: str, limit: int = 20) -> QuerySet[User]:
    query = query.strip().lstrip("@")
    if not query:
        return User.objects.none()
    return User.objects.filter(
        Q(username__icontains=query) | Q(display_name__icontains=query), is_active=True
    ).order_by("-followers_count", "username")[:limit]


def suggested_accounts(user: User, limit: int = 8) -> list[User]:
    """Popular accounts the user does not follow yet, preferring shared languages and interests."""
    exclude = following_ids(user) | hidden_author_ids(user) | {user.pk}
    candidates = list(
        User.objects.filter(is_active=True, notes_count__gt=0)
        .exclude(pk__in=exclude)
        .order_by("-followers_count")[:200]
    )
    langs = set(user.languages)
    interests = set(user.interests)

    def score(u: User) -> float:
        return 2.0 * len(langs & set(u.languages)) + 1.5 * len(interests & set(u.interests)) + u.followers_count / 100.0

    candidates.sort(key=score, reverse=True)
    return candidates[:limit]
