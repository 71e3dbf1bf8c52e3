from django.apps import AppConfig

from accounts.events import Followed, Unfollowed
from core.events import IN_TRANSACTION, subscribe
from notes.events import NotePublished, NoteSubmitted, TagFollowed, TagUnfollowed


class FeedsConfig(AppConfig):
    name = "feeds"

    def ready(self) -> None:
        from feeds import subscribers as on  # handlers use models: import once the app registry is ready

        subscribe(NoteSubmitted, on.own_entry_at_once, when=IN_TRANSACTION)
        subscribe(NotePublished, on.fan_out_published, when=IN_TRANSACTION)
        subscribe(Followed, on.backfill_followed, when=IN_TRANSACTION)
        subscribe(Unfollowed, on.drop_unfollowed, when=IN_TRANSACTION)
        subscribe(TagFollowed, on.backfill_followed_tag, when=IN_TRANSACTION)
        subscribe(TagUnfollowed, on.drop_unfollowed_tag, when=IN_TRANSACTION)
