"""Liking a comment: counted once, told to the commenter once, only through the comment's access gate."""

from __future__ import annotations

import pytest

from accounts.services import block, follow
from core.errors import NotFound
from notes.models import Comment, CommentLike
from notes.selectors import comment_likers_page, liked_comment_ids
from notes.services import create_comment, delete_comment, like_comment, unlike_comment
from notifications.models import Notification


def test_a_like_counts_once_and_tells_the_commenter_once(make_user, make_note):
    author, commenter, fan = make_user(), make_user(), make_user()
    note = make_note(author)
    comment = create_comment(author=commenter, note_id=note.pk, body="Lovely light")
    assert like_comment(user=fan, comment_id=comment.pk) is True
    assert like_comment(user=fan, comment_id=comment.pk) is False
    comment.refresh_from_db()
    assert comment.like_count == 1
    told = Notification.objects.get(recipient=commenter, type="comment_like")
    assert (told.actor_id, told.note_id, told.comment_id) == (fan.pk, note.pk, comment.pk)
    # The note's author hears nothing of a like on someone else's comment.
    assert not Notification.objects.filter(recipient=author, type="comment_like").exists()
    assert liked_comment_ids(fan, [comment.pk]) == {comment.pk}
    assert [like.user_id for like in comment_likers_page(comment.pk)] == [fan.pk]


def test_unlike_takes_the_like_back_and_a_second_like_tells_nobody_again(make_user, make_note):
    author, fan = make_user(), make_user()
    comment = create_comment(author=author, note_id=make_note(author).pk, body="First!")
    like_comment(user=fan, comment_id=comment.pk)
    assert unlike_comment(user=fan, comment_id=comment.pk) is True
    assert unlike_comment(user=fan, comment_id=comment.pk) is False
    comment.refresh_from_db()
    assert comment.like_count == 0
    like_comment(user=fan, comment_id=comment.pk)
    assert Notification.objects.filter(recipient=author, type="comment_like").count() == 1


def test_liking_ones_own_comment_counts_but_notifies_nobody(make_user, make_note):
    author = make_user()
    comment = create_comment(author=author, note_id=make_note(author).pk, body="Mine")
    assert like_comment(user=author, comment_id=comment.pk) is True
    assert not Notification.objects.filter(type="comment_like").exists()


def test_a_comment_one_cannot_see_cannot_be_liked(make_user, make_note):
    author, stranger, blocked, follower = make_user(), make_user(), make_user(), make_user()
    follow(follower=follower, followee=author)
    private = make_note(author, visibility="followers")
    comment = create_comment(author=follower, note_id=private.pk, body="Only for followers")
    with pytest.raises(NotFound):
        like_comment(user=stranger, comment_id=comment.pk)
    open_comment = create_comment(author=author, note_id=make_note(author).pk, body="Public")
    block(blocker=author, blocked=blocked)
    with pytest.raises(NotFound):
        like_comment(user=blocked, comment_id=open_comment.pk)
    with pytest.raises(NotFound):
        like_comment(user=stranger, comment_id=999_999_999)
    assert not CommentLike.objects.exists()
    assert not Notification.objects.filter(type="comment_like").exists()
    assert Comment.objects.get(pk=comment.pk).like_count == 0


def test_deleting_a_comment_takes_its_likes(make_user, make_note):
    author, fan = make_user(), make_user()
    comment = create_comment(author=author, note_id=make_note(author).pk, body="Soon gone")
    like_comment(user=fan, comment_id=comment.pk)
    delete_comment(user=author, comment_id=comment.pk)
    assert not CommentLike.objects.exists()
