"""Re-checking impersonation when an account enters the most-followed set (trust/most_followed.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import follow
from review.models import ReviewItem
from trust import most_followed
from trust.models import ImpersonationFlag, MostFollowed


@pytest.fixture(autouse=True)
def _small_set(settings):
    settings.TRUST_IMPERSONATION = {"min_followers": 3, "top_followed": 2}
    cache.delete("trust:most-followed-refresh")


def test_an_account_entering_the_set_gets_its_look_alikes_checked(make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        # The impostor takes the name while the real account is nobody: nothing to compare with yet.
        impostor = make_user("lin_bakes_", display_name="Lіn Bakes")  # Cyrillic і
        honest = make_user("linda_b", display_name="Linda B")
        old = make_user("l1n_bakes", display_name="L1n Bakes")
        real = make_user("linbakes", display_name="Lin Bakes")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    assert not ImpersonationFlag.objects.exists()
    User.objects.filter(pk=real.pk).update(followers_count=5)  # the account grows popular
    done = most_followed.refresh()
    assert done.entered == (real.pk,) and done.findings == 1
    flag = ImpersonationFlag.objects.get()
    assert (flag.user_id, flag.protected_user_id, flag.signal) == (impostor.pk, real.pk, "homoglyph")
    assert ReviewItem.objects.filter(target_id=impostor.pk, source="impersonation").exists()
    assert not ImpersonationFlag.objects.filter(user__in=[honest, old]).exists()  # old: outside recheck_days
    # Idempotent: a second run finds no newcomer and sends nothing twice.
    again = most_followed.refresh()
    assert again.entered == () and again.findings == 0
    assert ImpersonationFlag.objects.count() == 1


def test_the_follow_schedules_the_refresh(make_user, django_capture_on_commit_callbacks):
    real = make_user("popular_pat", display_name="Popular Pat")
    User.objects.filter(pk=real.pk).update(followers_count=2)
    with django_capture_on_commit_callbacks(execute=True):
        follow(follower=make_user(), followee=real)  # the third follower: the refresh runs after commit
    assert MostFollowed.objects.filter(user=real).exists()


def test_leaving_and_entering_again_rechecks_again(make_user, settings, django_capture_on_commit_callbacks):
    star = make_user("mei_cooks", display_name="Mei Cooks")
    User.objects.filter(pk=star.pk).update(followers_count=10)
    assert most_followed.refresh().entered == (star.pk,)
    others = [make_user(f"bigger{i}") for i in range(2)]
    User.objects.filter(pk__in=[u.pk for u in others]).update(followers_count=50)  # pushed out of the top 2
    done = most_followed.refresh()
    assert set(done.entered) == {u.pk for u in others} and done.left == (star.pk,)
    with django_capture_on_commit_callbacks(execute=True):
        copy = make_user("mei_c00ks", display_name="Mei C00ks")  # not protected now: nothing found
    assert not ImpersonationFlag.objects.filter(user=copy).exists()
    User.objects.filter(pk__in=[u.pk for u in others]).update(followers_count=1)
    done = most_followed.refresh()
    assert done.entered == (star.pk,) and done.findings == 1
    assert ImpersonationFlag.objects.get(user=copy).protected_user_id == star.pk


def test_the_command(make_user, capsys):
    star = make_user("bao_draws", display_name="Bao Draws")
    User.objects.filter(pk=star.pk).update(followers_count=5)
    call_command("recheck_most_followed")
    assert "1 entered the most-followed set, 0 left it, 0 new impersonation findings" in capsys.readouterr().out
    call_command("recheck_most_followed")
    assert "0 entered" in capsys.readouterr().out
