"""Counterfeit-account signals (many newcomers from one subnet or one device, one photo posted by several
newcomers), high risk holding new content for review, and the trust section of the review console."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from notes.models import Comment, NoteState
from notes.services import create_comment
from review.models import ReviewItem
from tests.review.fixtures import as_user, old_user
from trust import risk
from trust import signup as trust_signup
from trust.models import AccountRisk, Signup

RULES = {
    "subnet_signups": ("subnet", 24, 3, 0.9),
    "device_signups": ("device", 24 * 7, 2, 0.5),
    "photo_shared": ("photo", 24, 3, 0.6),
    "follows_1h": ("follow", 1, 60, 0.5),
}


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.TRUST_RISK = {"rules": RULES, "hold_score": 0.8}


def newcomer(username: str, ip: str, django_capture_on_commit_callbacks) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        user, _signup = trust_signup.register(username=username, password="a long passphrase 9", ip=ip)
    return user


def test_many_newcomers_from_one_subnet_raise_risk_and_hold_their_content(
    db, make_user, reviewer, make_note, django_capture_on_commit_callbacks
):
    reviewer()
    first = newcomer("farm_a", "198.51.100.7", django_capture_on_commit_callbacks)
    newcomer("elsewhere", "192.0.2.200", django_capture_on_commit_callbacks)
    assert not AccountRisk.objects.filter(user=first).exists()
    newcomer("farm_b", "198.51.100.8", django_capture_on_commit_callbacks)
    third = newcomer("farm_c", "198.51.100.250", django_capture_on_commit_callbacks)  # same /24
    kept = AccountRisk.objects.get(user=third)
    assert kept.score == 0.9 and kept.reasons == ["subnet_signups 3 >= 3"]
    # The earlier accounts of the cluster are reassessed in the background; the one elsewhere is not.
    assert AccountRisk.objects.get(user=first).score == 0.9
    assert not AccountRisk.objects.filter(user__username="elsewhere").exists()
    # Its next note waits for a person, however harmless, with trust's reason for the reviewer.
    note = make_note(third, title="Sunday market", body="Lovely peaches today", photos=0)
    note.refresh_from_db()
    assert note.state == NoteState.HELD
    item = ReviewItem.objects.get(target_type="note", target_id=note.pk)
    assert item.screening is not None and item.category == "spam"
    assert any("account risk 0.9 >= 0.8" in r for r in item.screening.reasons)
    # The first account of the cluster is held too.
    early = make_note(first, title="Hello", body="My first note", photos=0)
    early.refresh_from_db()
    assert early.state == NoteState.HELD
    # Its comments are held as well (they appear at once and are screened right after).
    published = make_note(old_user(make_user), title="Peaches", body="In season now", photos=0)
    with django_capture_on_commit_callbacks(execute=True):
        comment = create_comment(author=third, note_id=published.pk, body="Nice!")
    assert Comment.objects.get(pk=comment.pk).state == NoteState.HELD


def test_an_ordinary_newcomer_and_an_established_account_publish(
    db, make_user, make_note, django_capture_on_commit_callbacks
):
    fresh = newcomer("just_me", "192.0.2.50", django_capture_on_commit_callbacks)
    note = make_note(fresh, title="Hi", body="Hello everyone", photos=0)
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    veteran = old_user(make_user)
    note = make_note(veteran, title="Hi", body="Hello again", photos=0)
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED


def test_accounts_signed_up_from_one_browser_share_the_device_cookie(db, django_capture_on_commit_callbacks):
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post("/signup/", {"username": "sock_one", "password": "a sturdy passphrase"}).status_code == 302
    cookie = browser.cookies["nb_device"]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 86400 and len(cookie.value) >= 24
    browser.post("/logout/")  # a real log-out ends the session and leaves the device cookie
    assert browser.cookies["nb_device"].value == cookie.value
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post("/signup/", {"username": "sock_two", "password": "a sturdy passphrase"}).status_code == 302
    one, two = (Signup.objects.get(user__username=name) for name in ("sock_one", "sock_two"))
    assert one.device and one.device == two.device and cookie.value not in one.device  # only a hash is kept
    assert AccountRisk.objects.get(user=two.user).reasons == ["device_signups 2 >= 2"]
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        other.post("/signup/", {"username": "honest_three", "password": "a sturdy passphrase"})
    assert Signup.objects.get(user__username="honest_three").device != one.device


def test_one_photo_posted_by_several_newcomers(db, make_note, django_capture_on_commit_callbacks):
    posters = [newcomer(f"photo_bot{i}", f"10.{i}.0.1", django_capture_on_commit_callbacks) for i in range(3)]
    for user in posters[:2]:
        make_note(user, title="Great deal", body="Look at this", photos=1)
    assert not AccountRisk.objects.filter(user__in=posters).exists()
    make_note(posters[2], title="Great deal", body="Look at this", photos=1)  # the same picture, third account
    assert AccountRisk.objects.get(user=posters[2]).reasons == ["photo_shared 3 >= 3"]


def test_accounts_the_operators_tools_create_are_not_newcomers(db, make_user, make_note):
    # The demo loader and createsuperuser make accounts without the public sign-up: a shared photo
    # pool among them is by design, and no counterfeit rule counts them.
    users = [make_user() for _ in range(4)]
    for user in users:
        make_note(user, title="Shared pool", body="Photo from the pool", photos=1)
    assert not AccountRisk.objects.filter(user__in=users).exists()
    assert risk.assess(users[-1]) == (0.0, [], [])


def test_the_review_item_shows_the_accounts_risk_and_linked_accounts(
    db, reviewer, make_note, django_capture_on_commit_callbacks
):
    checker = reviewer()
    for name in ("ring_a", "ring_b"):
        newcomer(name, "198.51.100.3", django_capture_on_commit_callbacks)
    suspect = newcomer("ring_c", "198.51.100.4", django_capture_on_commit_callbacks)
    note = make_note(suspect, title="Cheap bags", body="Message me", photos=0)
    item = ReviewItem.objects.get(target_type="note", target_id=note.pk)
    html = as_user(checker).get(f"/review/items/{item.pk}/").content.decode()
    assert "Account trust" in html and 'data-risk="0.9"' in html
    assert "subnet_signups 3 &gt;= 3" in html
    assert 'data-linked="subnet"' in html and "@ring_a" in html and "@ring_b" in html
    zh = Client(headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    zh.force_login(checker)
    assert "账号可信度" in zh.get(f"/review/items/{item.pk}/").content.decode()


def test_a_newcomer_queues_its_clusters_reassessment_only_when_a_cluster_rule_fired(
    db, django_capture_on_commit_callbacks
):
    """A burst of ordinary sign-ups queues no cluster job per account (it would do nothing): only a
    newcomer whose subnet or device rule fired has its cluster reassessed."""
    from django_tasks.signals import task_enqueued

    queued: list[int] = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "reassess_cluster_task":
            queued.append(task_result.args[0])

    task_enqueued.connect(record)
    try:
        first = newcomer("wave_a", "203.0.113.7", django_capture_on_commit_callbacks)
        newcomer("wave_b", "203.0.113.8", django_capture_on_commit_callbacks)
        assert queued == []  # two from one /24: under the rule's 3, nothing fired
        third = newcomer("wave_c", "203.0.113.9", django_capture_on_commit_callbacks)
    finally:
        task_enqueued.disconnect(record)
    assert queued == [third.pk]
    assert AccountRisk.objects.get(user=first).score == 0.9  # and the earlier ones were reassessed
