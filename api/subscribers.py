"""How the APIs react to what happens to accounts (accounts/events.py)."""

from __future__ import annotations

from accounts.events import AccessChanged, ProfileChanged
from api.auth import forget_user, revoke_tokens_of


def sign_apps_out(event: AccessChanged) -> None:
    """A changed password signs every app out, as it signs out every other browser."""
    if event.reason == "password":
        revoke_tokens_of(event.user_id)


def forget_cached_account(event: AccessChanged | ProfileChanged) -> None:
    """Every worker reads the account afresh on its next request (a deactivated or suspended account's
    tokens answer 403 from then on; a changed profile is served as it now is)."""
    forget_user(event.user_id)
