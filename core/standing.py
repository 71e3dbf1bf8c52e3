"""An account's standing, as the apps that screen content see it without importing the app that
judges accounts (docs/architecture.md, "Between siblings").

Trust keeps each account's counterfeit/spam risk; review decides whether new content is published or
held. Review may not import trust, so trust installs its policy here at start
(``TrustConfig.ready``) and review's screening asks ``content_hold_reason``. Without an installed policy
nothing is held for the account's sake.
"""

from __future__ import annotations

from collections.abc import Callable

HoldPolicy = Callable[[int], str]


def _no_policy(user_id: int) -> str:
    return ""


_policy: HoldPolicy = _no_policy


def set_content_hold_policy(policy: HoldPolicy) -> None:
    global _policy
    _policy = policy


def content_hold_reason(user_id: int) -> str:
    """Why new content by ``user_id`` must wait for a person before it is shown ("" when it need not)."""
    return _policy(user_id)
