"""The "For you" Discover: interaction events, candidate sources, ranking, training and offline
evaluation (docs/recommend.md)."""

from django.apps import AppConfig

from accounts.events import Followed
from core.events import AFTER_COMMIT, IN_TRANSACTION, subscribe
from notes.events import CommentCreated, NoteCollected, NoteLiked, NotePublished


class RecommendConfig(AppConfig):
    name = "recommend"

    def ready(self) -> None:
        from recommend import subscribers as on  # handlers use models: import once the app registry is ready

        subscribe(NoteLiked, on.record_like, when=IN_TRANSACTION)
        subscribe(NoteCollected, on.record_collect, when=IN_TRANSACTION)
        subscribe(CommentCreated, on.record_comment, when=IN_TRANSACTION)
        subscribe(Followed, on.record_follow, when=IN_TRANSACTION)
        subscribe(NotePublished, on.embed_published, when=AFTER_COMMIT)
