"""Notifications for what happens to a user's notes and account (subscribed in
``NotificationsConfig.ready``). They run inside the action's transaction, so they appear with it."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.events import Followed
from accounts.models import User
from notes.events import (
    CommentCreated,
    CommentLiked,
    NoteCollected,
    NoteLiked,
    TranslationSuggestionDecided,
    TranslationSuggestionOpened,
    UsersMentioned,
    VideoFailed,
)
from notifications.services import leave_video_failed_notice, notify


def on_follow(event: Followed) -> None:
    notify(recipient_id=event.followee_id, actor_id=event.follower_id, type="follow")


def on_like(event: NoteLiked) -> None:
    notify(recipient_id=event.note_author_id, actor_id=event.user_id, type="like", note_id=event.note_id)


def on_comment_like(event: CommentLiked) -> None:
    notify(
        recipient_id=event.comment_author_id,
        actor_id=event.user_id,
        type="comment_like",
        note_id=event.note_id,
        comment_id=event.comment_id,
    )


def on_collect(event: NoteCollected) -> None:
    notify(recipient_id=event.note_author_id, actor_id=event.user_id, type="collect", note_id=event.note_id)


def on_comment(event: CommentCreated) -> None:
    """The replied-to commenter hears of a reply, the note's author of a comment (once, if both)."""
    ids = {"note_id": event.note_id, "comment_id": event.comment_id}
    if event.reply_to_id is not None:
        notify(recipient_id=event.reply_to_id, actor_id=event.author_id, type="reply", **ids)
    if event.reply_to_id != event.note_author_id:
        notify(recipient_id=event.note_author_id, actor_id=event.author_id, type="comment", **ids)


def on_mention(event: UsersMentioned) -> None:
    for user_id in event.user_ids:
        notify(
            recipient_id=user_id,
            actor_id=event.actor_id,
            type="mention",
            note_id=event.note_id,
            comment_id=event.comment_id,
        )


def on_video_failed(event: VideoFailed) -> None:
    owner = User.objects.filter(pk=event.owner_id).first()
    if owner is None:
        return
    with translation.override(owner.interface_language):
        text = _("Your video could not be processed: %(reason)s") % {"reason": event.reason}
    leave_video_failed_notice(recipient_id=owner.pk, video_id=event.video_id, note_id=event.note_id, text=text)


def on_suggestion(event: TranslationSuggestionOpened) -> None:
    """A suggested translation passed screening: the note's author may approve or decline it."""
    notify(recipient_id=event.note_author_id, actor_id=event.suggester_id, type="suggestion", note_id=event.note_id)


def on_suggestion_decided(event: TranslationSuggestionDecided) -> None:
    """The reader hears that the author took their translation (a decline is not announced)."""
    if event.approved:
        notify(
            recipient_id=event.suggester_id,
            actor_id=event.note_author_id,
            type="suggest_approved",
            note_id=event.note_id,
        )
