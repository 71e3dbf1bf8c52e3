from accounts.selectors import is_following
from accounts.services import follow


def test_is_following(make_user):
    alice, bob = make_user(), make_user()
    follow(follower=bob, followee=alice)
    assert is_following(bob, alice.pk) and not is_following(alice, bob.pk)
    assert not is_following(None, alice.pk) and not is_following(alice, alice.pk)
