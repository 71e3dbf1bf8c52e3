"""Writes about follow suggestions: a user dismisses one (reads are ``accounts.selectors.account_suggestions``)."""

from __future__ import annotations

from accounts.models import SuggestionDismissal, User


def dismiss_suggestion(*, user: User, account: User) -> bool:
    """Never suggest ``account`` to ``user`` again. Idempotent; True when newly dismissed."""
    if account.pk == user.pk:
        return False
    _row, created = SuggestionDismissal.objects.get_or_create(user=user, account=account)
    return created
