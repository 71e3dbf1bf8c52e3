"""The same payload from several new accounts (docs/trust.md, "Account risk").

A spam wave is one *payload* - a link's site, a contact id after a WeChat/QQ/Telegram marker, a phone
number, an e-mail address, a promo code, a price in a text that solicits - pushed by a cluster of new
accounts in changing words. A short phrase everybody writes (好看, "Love this!") carries no payload and
is never counted. ``core.payloads`` reads the payloads through their disguises; here each newcomer's
payloads are kept (``PayloadSighting``) and the ``payload_shared`` rule counts, for each of the
account's recent payloads, how many distinct newcomers pushed it inside the window.

Only newcomers count and are counted (accounts younger than ``young_days`` that came in through the
public sign-up), as for the other cluster rules: the demo loader's and the benchmarks' accounts are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from core.payloads import keys_for
from notes.models import Comment, Note
from trust.models import PayloadSighting

# A text carries a handful of payloads at most; a text with dozens is a list, not a wave message, and
# keeping them all would let one post write unbounded rows.
MAX_KEYS_PER_TEXT = 8
# How many accounts a reason names.
EVIDENCE_ACCOUNTS = 5


def note_text(note: Note) -> str:
    return "\n".join(part for part in (note.title, note.body) if part)


def record(*, user_id: int, text: str) -> list[str]:
    """Keep the payload keys of one of the newcomer's texts; returns them."""
    keys = list(keys_for(text[:20_000]))[:MAX_KEYS_PER_TEXT]
    now = timezone.now()
    PayloadSighting.objects.bulk_create([PayloadSighting(user_id=user_id, key=k[:200], created_at=now) for k in keys])
    return keys


def record_note(*, note_id: int) -> list[str]:
    note = Note.objects.filter(pk=note_id).only("author_id", "title", "body").first()
    return record(user_id=note.author_id, text=note_text(note)) if note is not None else []


def record_profile(*, user_id: int) -> list[str]:
    """A newcomer's display name and bio: a wave often puts its contact in the profile and posts only
    innocent-looking comments that lead there."""
    row = User.objects.filter(pk=user_id).values_list("display_name", "bio").first()
    text = "\n".join(part for part in row if part) if row is not None else ""
    return record(user_id=user_id, text=text) if text else []


def record_comment(*, comment_id: int) -> list[str]:
    comment = Comment.objects.filter(pk=comment_id).only("author_id", "body").first()
    return record(user_id=comment.author_id, text=comment.body) if comment is not None else []


@dataclass(frozen=True)
class Shared:
    key: str
    accounts: int  # distinct newcomers, this one included
    user_ids: tuple[int, ...]  # the other ones, newest first

    def reason(self, code: str, threshold: int) -> str:
        names = list(User.objects.filter(pk__in=self.user_ids[:EVIDENCE_ACCOUNTS]).values_list("username", flat=True))
        shown = ", ".join(f"@{n}" for n in sorted(names))
        more = self.accounts - 1 - len(names)
        return (
            f"{code} {self.accounts} >= {threshold}: {self.key} also from {shown}"
            + (f" and {more} more" if more > 0 else "")
        )[:400]


def most_shared(user_id: int, *, hours: int, young_since: datetime) -> Shared | None:
    """The account's payload of the last ``hours`` that the most distinct newcomers pushed (joined
    after ``young_since``, with a sign-up record), with who they are; None when it has none."""
    since = timezone.now() - timedelta(hours=hours)
    mine = list(
        PayloadSighting.objects.filter(user_id=user_id, created_at__gte=since)
        .values_list("key", flat=True)
        .distinct()[:50]
    )
    if not mine:
        return None
    rows = (
        PayloadSighting.objects.filter(
            key__in=mine,
            created_at__gte=since,
            user__date_joined__gte=young_since,
            user__signup__isnull=False,
        )
        .exclude(user_id=user_id)
        .order_by("-created_at")
        .values_list("key", "user_id")[:5000]
    )
    others: dict[str, list[int]] = {k: [] for k in mine}
    for key, other in rows:
        if other not in others[key]:
            others[key].append(other)
    key = max(mine, key=lambda k: (len(others[k]), k))
    return Shared(key=key, accounts=1 + len(others[key]), user_ids=tuple(others[key]))


def pushers(user_id: int, *, hours: int, young_since: datetime, limit: int) -> list[int]:
    """The other newcomers that pushed any of this account's recent payloads, newest first."""
    since = timezone.now() - timedelta(hours=hours)
    mine = PayloadSighting.objects.filter(user_id=user_id, created_at__gte=since).values("key")
    ids = (
        PayloadSighting.objects.filter(
            key__in=mine, created_at__gte=since, user__date_joined__gte=young_since, user__signup__isnull=False
        )
        .exclude(user_id=user_id)
        .order_by("-created_at")
        .values_list("user_id", flat=True)[: limit * 10]
    )
    return list(dict.fromkeys(ids))[:limit]


def purge(*, older_than_hours: int) -> int:
    deleted, _rows = PayloadSighting.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=older_than_hours)
    ).delete()
    return deleted
