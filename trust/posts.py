"""Trust's look at a new post's author (docs/trust.md, "When it is reassessed").

When an account younger than ``young_days`` posts a note or a comment, a newcomer's payloads are kept and
the account's risk is reassessed, so that review's screening of that very post reads the risk it makes
(high risk holds it). Review's screening runs this first, in the worker that screens (or inline under
inline screening), through ``core.standing.assess_poster``; where nothing is screened, trust's subscribers
queue it (``trust.tasks.assess_poster_task``). Either way the posting request does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from core.tasks import enqueue_on_commit
from trust import payloads, risk
from trust.models import Signup
from trust.tasks import reassess_cluster_task


def _young(user_id: int) -> bool:
    joined = User.objects.filter(pk=user_id).values_list("date_joined", flat=True).first()
    return joined is not None and joined >= timezone.now() - timedelta(days=risk.config()["young_days"])


def after_post(user_id: int, record: Callable[[], list[str]]) -> None:
    """A young account posted: a newcomer's payloads are kept first, then its risk is reassessed (so
    review screens what it posted with the risk that post makes); when the post made the payload rule
    fire, the other newcomers pushing the same payload are reassessed too, in the background."""
    if not _young(user_id):
        return
    if Signup.objects.filter(user_id=user_id).exists() and record():
        kept = risk.reassess(user_id=user_id)
        if kept is not None and any(r.startswith("payload_shared ") for r in kept.reasons):
            enqueue_on_commit(reassess_cluster_task, user_id)
        return
    risk.reassess(user_id=user_id)


def assess_poster(kind: str, target_id: int, author_id: int) -> None:
    """Installed as ``core.standing``'s poster assessment; ``kind`` is "note" or "comment"."""
    if kind == "note":
        after_post(author_id, lambda: payloads.record_note(note_id=target_id))
    elif kind == "comment":
        after_post(author_id, lambda: payloads.record_comment(comment_id=target_id))
    else:
        raise ValueError(f"unknown kind of post {kind!r}")
