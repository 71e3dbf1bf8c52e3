"""Newcomers' impersonation checks, in batches.

Every new account's handle and display name are compared with the protected accounts
(``trust.impersonation``). One task job per sign-up spent most of its time in the task queue's own
bookkeeping (a forked work horse, a database connection, the job's records) rather than in the
comparison, and during a burst of sign-ups that overhead competed with page reads for the CPU
(docs/trust.md, "Cost per sign-up"). So a sign-up only writes a ``NewcomerCheck`` row in its own
transaction, and one job, queued at most once every ``TRUST_NEWCOMER_CHECK_S`` seconds, checks every
account waiting there, loading the protected accounts and their index once for all of them.

Nothing is lost when a worker dies: a row is deleted only after its account is checked, and the next
batch (queued by the next sign-up or admission) takes what is left; checking an account twice sends no
finding twice (``impersonation.check_account``). Inactive accounts (on the waitlist, pending approval)
are left in place until they are admitted; admission queues a batch.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from trust.impersonation import config, find_matches, protected_accounts, protected_index, send_finding
from trust.models import NewcomerCheck

BATCH = 200


def add(user_id: int) -> None:
    """Note a new account for the next batch (inside the caller's transaction; one insert)."""
    NewcomerCheck.objects.bulk_create([NewcomerCheck(user_id=user_id)], ignore_conflicts=True)


def forget(user_id: int) -> None:
    """A refused sign-up is never checked (its account stays inactive)."""
    NewcomerCheck.objects.filter(user_id=user_id).delete()


def check_pending() -> int:
    """Check every active account waiting for its check, oldest first; returns how many new findings
    went to review. Idempotent."""
    cfg = config()
    accounts = protected_accounts(cfg)
    index = protected_index(accounts)
    fields = ("id", "username", "display_name", "avatar", "verified_at", "is_active")
    sent = 0
    while True:
        waiting = NewcomerCheck.objects.filter(user__is_active=True).order_by("created_at", "user_id")
        ids = list(waiting.values_list("user_id", flat=True)[:BATCH])
        if not ids:
            return sent
        users = list(User.objects.filter(pk__in=ids, is_active=True).only(*fields))
        for user in users:
            with transaction.atomic():
                matches = find_matches(user, check_avatar=False, cfg=cfg, protected=(accounts, index))
                sent += sum(send_finding(user, match) for match in matches)
        # Only those checked: one that turned inactive since the first query waits for its admission.
        NewcomerCheck.objects.filter(user_id__in=[user.pk for user in users]).delete()
        if not users:
            return sent
