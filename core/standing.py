"""An account's standing, as the apps that screen content see it without importing the app that
judges accounts (docs/architecture.md, "Between siblings").

Trust keeps each account's counterfeit/spam risk; review decides whether new content is published or
held. Review may not import trust, so trust installs its policies here at start (``TrustConfig.ready``)
and review's screening asks them:

- ``content_hold_reason``: whether the author's risk holds a new note or comment for a person;
- ``assess_poster``: trust's look at a new post's author (a newcomer's payloads kept, the risk
  reassessed), which review's screening runs first, in the worker that screens (or inline when screening
  is inline), so the hold above reads the risk that very post makes and the posting request does not pay
  for it.

Review, in turn, installs ``screens_posts`` (``ReviewConfig.ready``): whether new posts are screened at
all; where they are not, trust queues its look at the author itself. Without installed policies nothing is
held, nothing is assessed and nothing is screened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection, transaction

logger = logging.getLogger("notebridge.standing")

HoldPolicy = Callable[[int], str]
# (kind: "note" | "comment", the post's id, its author's id)
PosterAssessment = Callable[[str, int, int], None]
POST_KINDS = ("note", "comment")


def _no_policy(user_id: int) -> str:
    return ""


def _no_assessment(kind: str, target_id: int, author_id: int) -> None:
    return None


def _not_screened() -> bool:
    return False


_policy: HoldPolicy = _no_policy
_assessment: PosterAssessment = _no_assessment
_screens_posts: Callable[[], bool] = _not_screened


def set_content_hold_policy(policy: HoldPolicy) -> None:
    global _policy
    _policy = policy


def content_hold_reason(user_id: int) -> str:
    """Why new content by ``user_id`` must wait for a person before it is shown ("" when it need not)."""
    return _policy(user_id)


def set_poster_assessment(assessment: PosterAssessment) -> None:
    global _assessment
    _assessment = assessment


def assess_poster(kind: str, target_id: int, author_id: int) -> None:
    """Before a new post is screened: let the account's judge look at its author (trust's risk). As a
    failing domain-event subscriber (core/events.py), a failing assessment is logged and loses nothing:
    it runs in a savepoint of its own under inline screening, and the post is screened all the same,
    with the risk as it was."""
    if kind not in POST_KINDS:
        raise ValueError(f"unknown kind of post {kind!r}")
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                _assessment(kind, target_id, author_id)
        else:
            _assessment(kind, target_id, author_id)
    except Exception:
        logger.exception("assessing the author of %s %s failed; screened with the risk as it was", kind, target_id)


def set_post_screening(screens: Callable[[], bool]) -> None:
    global _screens_posts
    _screens_posts = screens


def screens_posts() -> bool:
    """Whether new notes and comments are screened (and so their authors assessed by the screening)."""
    return _screens_posts()
