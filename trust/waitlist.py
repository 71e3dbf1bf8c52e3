"""The waitlist: when sign-ups come faster than ``SIGNUP_CAPACITY_PER_HOUR``, newcomers wait in line
instead of getting an error, and are let in oldest first as capacity frees.

Capacity is spread over a sliding window (``SIGNUP_CAPACITY_WINDOW_S``, ten minutes by default) so a
burst cannot use an hour's capacity in its first minute: at most ``capacity * window / 3600`` accounts
are admitted in any window. A sign-up finds room when fewer than that were admitted in the last window
and nobody is already waiting (no overtaking). Admission runs on a tick: every sign-up and every poll
of the waitlist page calls ``tick()``, which admits at most once every ``TICK_SECONDS`` across all
processes; ``manage.py admit_waitlist`` does the same from cron or a loop. A waiting account is
inactive; admitting it activates it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from trust import newcomers, operator
from trust.models import Signup
from trust.tasks import schedule_newcomer_checks

TICK_SECONDS = 2


def per_window() -> int:
    """How many sign-ups may be admitted in one window; 0 means no capacity limit (no waitlist)."""
    per_hour = operator.capacity_per_hour()
    if per_hour <= 0:
        return 0
    return max(1, math.ceil(per_hour * window_seconds() / 3600))


def window_seconds() -> int:
    return max(1, int(getattr(settings, "SIGNUP_CAPACITY_WINDOW_S", 600)))


def admitted_recently(now: datetime | None = None) -> int:
    since = (now or timezone.now()) - timedelta(seconds=window_seconds())
    return Signup.objects.filter(state=Signup.ADMITTED, decided_at__gte=since).count()


def has_room(now: datetime | None = None) -> bool:
    cap = per_window()
    if cap <= 0:
        return True
    if Signup.objects.filter(state=Signup.WAITING).exists():
        return False
    return admitted_recently(now) < cap


def admit_due(now: datetime | None = None) -> int:
    """Admit the oldest waiting sign-ups that fit in the window now; how many were admitted."""
    now = now or timezone.now()
    cap = per_window()
    with transaction.atomic():
        waiting = Signup.objects.filter(state=Signup.WAITING).order_by("id")
        if cap > 0:
            free = cap - admitted_recently(now)
            if free <= 0:
                return 0
            waiting = waiting[:free]
        chosen = list(waiting.select_for_update().values_list("id", "user_id"))
        if not chosen:
            return 0
        ids = [signup_id for signup_id, _user in chosen]
        Signup.objects.filter(id__in=ids, state=Signup.WAITING).update(state=Signup.ADMITTED, decided_at=now)
        User.objects.filter(pk__in=[user_id for _id, user_id in chosen]).update(is_active=True)
        schedule_newcomer_checks()  # the admitted accounts' names (trust.newcomers)
    return len(chosen)


def tick() -> int:
    """Admit what is due, at most once every ``TICK_SECONDS`` across processes sharing the cache (with
    the in-process cache, once per process: admission itself is safe to run concurrently)."""
    if not cache.add("trust:waitlist-tick", 1, timeout=TICK_SECONDS):
        return 0
    return admit_due()


def place(signup: Signup) -> int:
    """1 for the next to be admitted; 0 when not waiting."""
    if signup.state != Signup.WAITING:
        return 0
    return Signup.objects.filter(state=Signup.WAITING, id__lt=signup.pk).count() + 1


def waiting_count() -> int:
    return Signup.objects.filter(state=Signup.WAITING).count()


def decide(signup: Signup, *, approve: bool) -> Signup:
    """An operator's decision on a sign-up pending approval (or on the waitlist)."""
    with transaction.atomic():
        signup.state = Signup.ADMITTED if approve else Signup.REFUSED
        signup.decided_at = timezone.now()
        signup.save(update_fields=["state", "decided_at"])
        User.objects.filter(pk=signup.user_id).update(is_active=approve)
        if approve:
            schedule_newcomer_checks()  # its names, now that it is active (trust.newcomers)
        else:
            newcomers.forget(signup.user_id)
    return signup
