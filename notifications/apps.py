from django.apps import AppConfig

from accounts.events import Followed
from core.events import IN_TRANSACTION, subscribe
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


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications import subscribers as on  # handlers use models: import once the registry is ready

        subscribe(Followed, on.on_follow, when=IN_TRANSACTION)
        subscribe(NoteLiked, on.on_like, when=IN_TRANSACTION)
        subscribe(NoteCollected, on.on_collect, when=IN_TRANSACTION)
        subscribe(CommentCreated, on.on_comment, when=IN_TRANSACTION)
        subscribe(UsersMentioned, on.on_mention, when=IN_TRANSACTION)
        subscribe(CommentLiked, on.on_comment_like, when=IN_TRANSACTION)
        subscribe(VideoFailed, on.on_video_failed, when=IN_TRANSACTION)
        subscribe(TranslationSuggestionOpened, on.on_suggestion, when=IN_TRANSACTION)
        subscribe(TranslationSuggestionDecided, on.on_suggestion_decided, when=IN_TRANSACTION)
