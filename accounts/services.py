"""Writes about accounts and the social graph. Views, APIs, tasks and commands call these."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.events import AccessChanged, Followed, ProfileChanged, Unfollowed, UserRegistered
from accounts.models import MAX_BIO, MAX_DISPLAY_NAME, Block, Follow, Mute, User, username_validator
from accounts.selectors import forget_hidden_authors
from core import events
from core.errors import Forbidden, ServiceError
from core.images import process_avatar
from core.language_detection import detect_language
from core.text import clean_user_text

SUPPORTED_LANGUAGES = {"en", "zh-Hans", "zh-Hant", "th", "ja", "ko"}
RESERVED_USERNAMES = {"admin", "administrator", "root", "notebridge", "support", "api", "oauth", "settings", "me"}


def _clean_languages(languages: list[str] | None) -> list[str]:
    if not languages:
        return []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise ServiceError(_("Languages must be a list of language codes."), field="languages")
    unknown = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    if unknown:
        raise ServiceError(_("Unsupported language: %(code)s") % {"code": unknown[0]}, field="languages")
    return list(dict.fromkeys(languages))


def _clean_region(region: str) -> str:
    region = (region or "").strip().upper()
    if region and (len(region) != 2 or not region.isalpha()):
        raise ServiceError(_("Region must be a two-letter country code."), field="region")
    return region


def register_user(
    *,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    languages: list[str] | None = None,
    region: str = "",
    ui_language: str = "",
    interests: list[str] | None = None,
    check_password: bool = True,
    hashing: Callable[[], AbstractContextManager[object]] | None = None,
) -> User:
    """Create an account and announce it (``UserRegistered``). ``hashing``: a context manager held around
    the password hash alone (trust's bounded hashing slots), not around the checks and the insert."""
    username = (username or "").strip()
    try:
        username_validator(username)
    except ValidationError as exc:
        raise ServiceError(str(exc.messages[0]), field="username", code="invalid_username") from exc
    if username.lower() in RESERVED_USERNAMES:
        raise ServiceError(_("That username is reserved."), field="username", code="taken")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("That username is taken."), field="username", code="taken")
    email = (email or "").strip()
    if email and User.objects.filter(email__iexact=email).exists():
        raise ServiceError(_("That email is already registered."), field="email", code="taken")
    user = User(
        username=username,
        email=email,
        display_name=clean_user_text(display_name)[:MAX_DISPLAY_NAME],
        languages=_clean_languages(languages),
        region=_clean_region(region),
        ui_language=ui_language if ui_language in {"en", "zh-hans"} else "",
        interests=[clean_user_text(str(i))[:30] for i in (interests or [])][:20],
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password", code="weak_password") from exc
    if hashing is None:
        user.set_password(password)
    else:
        with hashing():
            user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            events.emit(UserRegistered(user_id=user.pk))
    except IntegrityError as exc:
        raise ServiceError(_("That username is taken."), field="username", code="taken") from exc
    return user


PROFILE_FIELDS = {
    "display_name",
    "bio",
    "languages",
    "region",
    "interests",
    "ui_language",
    "auto_translate",
    "locked",
    "onboarded",
    "show_collects",
    "show_likes",
}


def update_profile(*, user: User, **changes: Any) -> User:
    unknown = set(changes) - PROFILE_FIELDS - {"avatar"}
    if unknown:
        raise ServiceError(f"Unknown profile field: {sorted(unknown)[0]}")
    before = _profile_snapshot(user)
    if "display_name" in changes:
        user.display_name = clean_user_text(str(changes["display_name"] or ""))
        if len(user.display_name) > MAX_DISPLAY_NAME:
            raise ServiceError(_("Display name is too long."), field="display_name")
    if "bio" in changes:
        bio = clean_user_text(str(changes["bio"] or ""))
        if len(bio) > MAX_BIO:
            raise ServiceError(_("Bio is too long (at most %(n)s characters).") % {"n": MAX_BIO}, field="bio")
        if bio != user.bio:
            user.bio, user.bio_language = bio, detect_language(bio)
    if "languages" in changes:
        user.languages = _clean_languages(changes["languages"])
    if "region" in changes:
        user.region = _clean_region(str(changes["region"] or ""))
    if "interests" in changes:
        user.interests = [clean_user_text(str(i))[:30] for i in (changes["interests"] or [])][:20]
    if "ui_language" in changes:
        value = str(changes["ui_language"] or "")
        if value and value not in {"en", "zh-hans"}:
            raise ServiceError(_("Unsupported interface language."), field="ui_language")
        user.ui_language = value
    for flag in ("auto_translate", "locked", "onboarded", "show_collects", "show_likes"):
        if flag in changes:
            setattr(user, flag, bool(changes[flag]))
    if changes.get("avatar") is not None:
        user.avatar.save(f"{user.pk}.jpg", process_avatar(changes["avatar"]), save=False)
    user.save()
    changed = frozenset(f for f, value in _profile_snapshot(user).items() if before[f] != value)
    if changed:
        # Screening (a risky bio is queued for a human), the bio's translations, impersonation checks.
        events.emit(ProfileChanged(user_id=user.pk, fields=changed))
    return user


def _profile_snapshot(user: User) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "bio": user.bio,
        "avatar": user.avatar.name if user.avatar else "",
        "languages": list(user.languages or []),
        "region": user.region,
        "interests": list(user.interests or []),
        "ui_language": user.ui_language,
        "auto_translate": user.auto_translate,
        "locked": user.locked,
        "onboarded": user.onboarded,
        "show_collects": user.show_collects,
        "show_likes": user.show_likes,
    }


def is_blocked_between(a: User | int, b: User | int) -> bool:
    a_id = a if isinstance(a, int) else a.pk
    b_id = b if isinstance(b, int) else b.pk
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()


@transaction.atomic
def follow(*, follower: User, followee: User) -> bool:
    """Follow; True when a new follow was made. Idempotent."""
    if follower.pk == followee.pk:
        raise ServiceError(_("You cannot follow yourself."))
    if is_blocked_between(follower, followee):
        raise Forbidden(_("You cannot follow this account."))
    _follow, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        User.objects.filter(pk=follower.pk).update(following_count=F("following_count") + 1)
        User.objects.filter(pk=followee.pk).update(followers_count=F("followers_count") + 1)
        events.emit(Followed(follower_id=follower.pk, followee_id=followee.pk))
    return created


@transaction.atomic
def unfollow(*, follower: User, followee: User) -> bool:
    deleted, _count = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        User.objects.filter(pk=follower.pk).update(following_count=F("following_count") - 1)
        User.objects.filter(pk=followee.pk).update(followers_count=F("followers_count") - 1)
        events.emit(Unfollowed(follower_id=follower.pk, followee_id=followee.pk))
    return bool(deleted)


@transaction.atomic
def block(*, blocker: User, blocked: User) -> None:
    if blocker.pk == blocked.pk:
        raise ServiceError(_("You cannot block yourself."))
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    unfollow(follower=blocker, followee=blocked)
    unfollow(follower=blocked, followee=blocker)
    _forget(blocker, blocked)


def unblock(*, blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    _forget(blocker, blocked)


def _forget(*users: User) -> None:
    for user in users:
        forget_hidden_authors(user.pk)


def mute(*, muter: User, muted: User) -> None:
    if muter.pk == muted.pk:
        raise ServiceError(_("You cannot mute yourself."))
    Mute.objects.get_or_create(muter=muter, muted=muted)
    _forget(muter)


def unmute(*, muter: User, muted: User) -> None:
    Mute.objects.filter(muter=muter, muted=muted).delete()
    _forget(muter)


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ServiceError(_("Your current password is not correct."), field="old_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="new_password") from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Other browsers are signed out by Django's session hash; apps' tokens by the API (api.subscribers).
    events.emit(AccessChanged(user_id=user.pk, reason="password"))


def deactivate_account(*, user: User, password: str) -> None:
    """The owner closes their account: it can no longer sign in, and its tokens stop working at once.
    Its notes stay in the database but are shown to nobody (the access gates skip inactive authors)."""
    if not user.check_password(password):
        raise ServiceError(_("Your current password is not correct."), field="password")
    _set_active(user, False, "deactivated")


def suspend_account(*, user: User) -> None:
    """An operator suspends an account: sign-in and every token are refused from the next request on."""
    if user.is_superuser:
        raise Forbidden(_("An administrator account cannot be suspended."))
    _set_active(user, False, "suspended")


def reinstate_account(*, user: User) -> None:
    _set_active(user, True, "reinstated")


def _set_active(user: User, active: bool, reason: str) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        events.emit(AccessChanged(user_id=user.pk, reason=reason))
