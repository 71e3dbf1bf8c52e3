"""Re-check impersonation when an account enters the most-followed set (docs/trust.md).

The detector protects verified accounts and the ``top_followed`` most-followed ones. A newly verified
account is compared with recent accounts at once (``verify_account``); an account that *becomes* one of
the most-followed is handled here: ``refresh`` compares the set with its last snapshot
(``MostFollowed``), and each newcomer to the set is compared with the accounts that joined in the last
``recheck_days`` (``impersonation.recheck_against``), so an impostor who took the name before the
account grew popular is found too. Accounts that left the set are dropped from the snapshot (and are
re-checked if they enter it again).

It runs as ``trust.tasks.refresh_most_followed_task`` (low queue), which follows schedule at most once
every ``most_followed_check_s`` (the embedded default has no periodic scheduler), and from
``manage.py recheck_most_followed [--loop 600]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from trust import impersonation
from trust.models import MostFollowed


@dataclass(frozen=True)
class Refreshed:
    entered: tuple[int, ...]
    left: tuple[int, ...]
    findings: int  # new impersonation findings sent to review


def refresh() -> Refreshed:
    """Bring the snapshot up to date and re-check the accounts that resemble each newcomer to the set.
    Idempotent: a second run finds no newcomer, and a finding is sent once (``ImpersonationFlag``)."""
    current = impersonation.most_followed_ids()
    with transaction.atomic():
        known = set(MostFollowed.objects.select_for_update().values_list("user_id", flat=True))
        entered = [i for i in current if i not in known]
        left = sorted(known - set(current))
        MostFollowed.objects.filter(user_id__in=left).delete()
        now = timezone.now()
        MostFollowed.objects.bulk_create([MostFollowed(user_id=i, entered_at=now) for i in entered])
    findings = sum(impersonation.recheck_against(protected_id=i) for i in entered)
    return Refreshed(entered=tuple(entered), left=tuple(left), findings=findings)
