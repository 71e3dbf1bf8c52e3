"""What trust finds, announced to the apps beside and above it (core/events.py).

Review subscribes to these to open review items (docs/architecture.md, "Between siblings"): every event
carries its evidence as plain values, so a subscriber needs nothing else from trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.events import Event


@dataclass(frozen=True)
class ImpersonationSuspected(Event):
    """``user_id``'s name, handle or avatar looks like that of a protected account (verified or among the
    most followed). Never a ban: a person decides.

    ``signal`` is one of trust.impersonation.SIGNALS; ``score`` in [0, 1]; ``subject`` says what of the
    suspect matched (display_name, username, avatar) and ``protected_subject`` what of the protected
    account; ``candidate_value`` / ``protected_value`` are the two values as shown; ``detail`` a short,
    language-neutral explanation (the folded keys that matched, or the avatar hash distance)."""

    user_id: int
    protected_user_id: int
    protected_username: str
    protected_verified: bool
    signal: str
    score: float
    subject: str
    protected_subject: str
    candidate_value: str
    protected_value: str
    detail: str


@dataclass(frozen=True)
class AccountRiskRaised(Event):
    """``user_id``'s counterfeit/spam risk reached the review threshold (trust.risk). ``reasons`` are
    language-neutral lines ("follows_1h 62 >= 50"); ``rules`` the codes of the rules that fired."""

    user_id: int
    score: float
    rules: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TrustSettingChanged(Event):
    """An operator (``actor_id``) or influx detection (``actor_id`` None) changed one of trust's settings.
    ``key`` names it (``signup_mode``, ``capacity_per_hour``, ``influx_capacity_per_hour``,
    ``rate_limit:<name>``, ``signup_rule``, ``influx_mode``); ``before`` and ``after`` are JSON values
    (None: the default, or no rule); ``detail`` says why, for influx detection. Review audits every one;
    an ``influx_mode`` change alerts the operators."""

    actor_id: int | None
    key: str
    before: Any
    after: Any
    detail: str = ""
