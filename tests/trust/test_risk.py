"""Counterfeit and spam-account risk: counters per hour and day, rules as settings, a score with reasons
that reaches the review queue; nothing is blocked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import follow, unfollow
from review.models import ReviewItem
from tests.review.fixtures import as_user
from trust.models import AccountRisk

RULES = {
    "follows_1h": ("follow", 1, 5, 0.5),
    "follows_1d": ("follow", 24, 8, 0.5),
    "unfollows_1h": ("unfollow", 1, 4, 0.5),
    "mentions_young": ("mentions", 24, 3, 0.6),
}


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.TRUST_RISK = {"rules": RULES}


def test_mass_following_reaches_review_with_reasons(make_user, reviewer):
    spammer = make_user("follow_bot")
    targets = [make_user() for _ in range(9)]
    for target in targets[:4]:
        follow(follower=spammer, followee=target)
    assert not AccountRisk.objects.filter(user=spammer).exists()  # no row while the score is 0
    assert not ReviewItem.objects.filter(target_id=spammer.pk).exists()
    follow(follower=spammer, followee=targets[4])  # the fifth this hour
    risk = AccountRisk.objects.get(user=spammer)
    assert risk.score == 0.5 and risk.reasons == ["follows_1h 5 >= 5"]
    item = ReviewItem.objects.get(target_type="profile", target_id=spammer.pk, source="account_risk")
    assert item.screening is not None
    assert item.category == "spam" and item.screening.stages["account_risk"][0]["rules"] == ["follows_1h"]
    for target in targets[5:8]:
        follow(follower=spammer, followee=target)
    risk.refresh_from_db()
    assert risk.score == 1.0 and len(risk.reasons) == 2
    # Flagged once a day, not on every follow; the account still follows as before.
    assert ReviewItem.objects.filter(target_id=spammer.pk).count() == 1
    assert item.screening is not None
    assert len(item.screening.stages["account_risk"]) == 1
    assert User.objects.get(pk=spammer.pk).following_count == 8
    page = as_user(reviewer(languages=["en"])).get(f"/review/items/{item.pk}/").content.decode()
    assert "follows_1h 5 &gt;= 5" in page or "follows_1h 5 >= 5" in page


def test_follow_unfollow_churn_counts_and_ordinary_use_does_not(make_user):
    churner = make_user("churner")
    normal = make_user("normal_person")
    target = make_user()
    for _ in range(4):
        follow(follower=churner, followee=target)
        unfollow(follower=churner, followee=target)
    assert AccountRisk.objects.get(user=churner).reasons == ["unfollows_1h 4 >= 4"]
    follow(follower=normal, followee=target)
    follow(follower=normal, followee=make_user())
    assert not AccountRisk.objects.filter(user=normal).exists()
    assert not ReviewItem.objects.filter(target_id=normal.pk).exists()


def test_mentions_of_many_accounts_count_only_for_young_accounts(make_user, make_note):
    young = make_user("young_spammer")
    old = make_user("old_timer")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    old.refresh_from_db()
    names = [make_user(f"target{i}").username for i in range(3)]
    body = "Check this out " + " ".join(f"@{n}" for n in names)
    make_note(young, body=body, photos=0)
    make_note(old, body=body, photos=0)
    assert AccountRisk.objects.get(user=young).reasons == ["mentions_young 3 >= 3"]
    assert not AccountRisk.objects.filter(user=old).exists()
