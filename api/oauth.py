"""OAuth2 for Mastodon clients: one app registration for several grants, and Mastodon's scopes.

Mastodon has four top-level scopes (``read``, ``write``, ``follow``, ``push``) and granular ones
(``read:statuses``, ``write:media``...). A granted top-level scope covers its granular ones, and the
legacy ``follow`` scope covers reading and writing follows, blocks and mutes. ``token_allows`` is the
one place that rule lives; API endpoints declare the granular scope they need.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from api.models import AppRegistration

# Shown on the consent page, in the reader's language (lazy: translated when the page renders).
TOP_SCOPES: dict[str, Any] = {
    "read": gettext_lazy("read your account, notes and timelines"),
    "write": gettext_lazy("post, like, collect and follow on your behalf"),
    "follow": gettext_lazy("manage who you follow, block and mute"),
    "push": gettext_lazy("receive push notifications"),
    "profile": gettext_lazy("read your profile only"),
}
GRANULAR = {
    "read": [
        "accounts",
        "blocks",
        "bookmarks",
        "favourites",
        "filters",
        "follows",
        "lists",
        "mutes",
        "notifications",
        "search",
        "statuses",
    ],
    "write": [
        "accounts",
        "blocks",
        "bookmarks",
        "conversations",
        "favourites",
        "filters",
        "follows",
        "lists",
        "media",
        "mutes",
        "notifications",
        "reports",
        "statuses",
    ],
}
FOLLOW_COVERS = {"read:follows", "read:blocks", "read:mutes", "write:follows", "write:blocks", "write:mutes"}

ALL_SCOPES: dict[str, Any] = dict(TOP_SCOPES)
for _top, _names in GRANULAR.items():
    for _name in _names:
        ALL_SCOPES[f"{_top}:{_name}"] = format_lazy("{} ({})", TOP_SCOPES[_top], _name)


def token_allows(granted: Iterable[str], required: str | None) -> bool:
    """Whether a token with ``granted`` scopes may do something that needs ``required``."""
    if not required:
        return True
    scopes = set(granted)
    if required in scopes:
        return True
    top = required.split(":", 1)[0]
    if ":" in required and top in scopes:
        return True
    if required in FOLLOW_COVERS and "follow" in scopes:
        return True
    return required == "read:accounts" and "profile" in scopes


def parse_scopes(raw: str | None, *, default: str = "read") -> list[str]:
    names = [s for s in (raw or "").replace(",", " ").split() if s]
    return list(dict.fromkeys(names)) or [default]


class MastodonScopes(BaseScopes):
    """All of Mastodon's scopes; an app may only be granted the scopes it registered."""

    def get_all_scopes(self) -> dict[str, Any]:
        return ALL_SCOPES

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list:
        if application is not None:
            registered = (
                AppRegistration.objects.filter(application=application).values_list("scopes", flat=True).first()
            )
            if registered:
                allowed = registered.split()
                return [s for s in ALL_SCOPES if any(token_allows([a], s) for a in allowed)]
        return list(ALL_SCOPES)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list:
        return ["read"]


class NotebridgeOAuth2Validator(OAuth2Validator):
    """Mastodon apps use one registration for the authorization-code and client-credentials grants."""

    ALLOWED = {"authorization_code", "client_credentials", "refresh_token"}

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return grant_type in self.ALLOWED
