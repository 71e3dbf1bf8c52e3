import pytest

from accounts.models import User
from accounts.selectors import relationships, suggested_accounts
from accounts.services import block, follow, register_user, unfollow, update_profile
from core.errors import Forbidden, ServiceError
from notes.models import Board
from notifications.models import Notification


def test_register_creates_user_with_default_board(db):
    user = register_user(
        username="newcomer", password="a-long-enough-password", languages=["en", "zh-Hans"], region="us"
    )
    assert user.region == "US"
    assert user.check_password("a-long-enough-password")
    assert user.password.startswith(("argon2", "md5"))
    assert Board.objects.filter(owner=user, is_default=True, is_private=True).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "bad name!"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": "admin"}, "username"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"languages": ["xx"]}, "languages"),
        ({"region": "USA"}, "region"),
    ],
)
def test_register_rejects_bad_input(db, kwargs, field):
    params = {"username": "valid_name", "password": "a-long-enough-password", **kwargs}
    with pytest.raises(ServiceError) as info:
        register_user(**params)
    assert info.value.field == field
    assert User.objects.count() == 0


def test_usernames_are_unique_case_insensitively(make_user):
    make_user("Lily")
    with pytest.raises(ServiceError):
        make_user("lily")


def test_follow_counts_notifies_and_is_idempotent(make_user):
    alice, bob = make_user(), make_user()
    assert follow(follower=bob, followee=alice) is True
    assert follow(follower=bob, followee=alice) is False
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.followers_count, bob.following_count) == (1, 1)
    assert Notification.objects.filter(recipient=alice, type="follow").count() == 1
    assert relationships(bob, [alice.pk])[alice.pk]["following"] is True
    assert unfollow(follower=bob, followee=alice) is True
    alice.refresh_from_db()
    assert alice.followers_count == 0
    with pytest.raises(ServiceError):
        follow(follower=bob, followee=bob)


def test_block_removes_follows_and_prevents_new_ones(make_user):
    alice, bob = make_user(), make_user()
    follow(follower=bob, followee=alice)
    follow(follower=alice, followee=bob)
    block(blocker=alice, blocked=bob)
    alice.refresh_from_db()
    assert alice.followers_count == 0 and alice.following_count == 0
    with pytest.raises(Forbidden):
        follow(follower=bob, followee=alice)


def test_profile_update_validates(make_user):
    user = make_user()
    update_profile(user=user, display_name="Lily 🌸", bio="Food in NYC\n纽约美食", languages=["zh-Hans", "en"])
    user.refresh_from_db()
    assert user.preferred_language == "zh-Hans"
    with pytest.raises(ServiceError):
        update_profile(user=user, bio="x" * 501)
    with pytest.raises(ServiceError):
        update_profile(user=user, is_superuser=True)


def test_suggestions_prefer_shared_language(make_user, make_note):
    me = make_user(languages=["zh-Hans"])
    en = make_user(languages=["en"])
    zh = make_user(languages=["zh-Hans"])
    make_note(en)
    make_note(zh)
    assert suggested_accounts(me)[0] == zh
