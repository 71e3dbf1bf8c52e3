"""What happens to accounts and the social graph, announced to the apps above (core/events.py)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class UserRegistered(Event):
    user_id: int


@dataclass(frozen=True)
class ProfileChanged(Event):
    """``fields`` names what changed among display_name, bio, avatar, languages, region, interests,
    ui_language, auto_translate, locked, onboarded, and ``verified`` (the badge, granted or revoked by
    trust.verification)."""

    user_id: int
    fields: frozenset[str]


@dataclass(frozen=True)
class Followed(Event):
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class Unfollowed(Event):
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class AccessChanged(Event):
    """What an account's credentials allow changed: ``reason`` is "password" (changed: every app's
    token is signed out), "deactivated" (by its owner), "suspended" or "reinstated" (by an operator).
    Whatever holds a credential of the account must judge it afresh on the next request."""

    user_id: int
    reason: str


ACCESS_REASONS = ("password", "deactivated", "suspended", "reinstated")
