from accounts.selectors import followers_of, following_of, is_following
from accounts.services import follow


def test_follow_lists_newest_first_and_is_following(make_user):
    alice, bob, carol = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    follow(follower=carol, followee=alice)
    assert followers_of(alice) == [carol, bob]
    assert followers_of(alice, limit=1, offset=1) == [bob]
    assert following_of(bob) == [alice]
    assert is_following(bob, alice.pk) and not is_following(alice, bob.pk)
    assert not is_following(None, alice.pk) and not is_following(alice, alice.pk)
