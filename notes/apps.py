from django.apps import AppConfig

from accounts.events import UserRegistered
from core import sweeper
from core.events import IN_TRANSACTION, subscribe
from notes.events import NoteDeleted, NoteEdited, NoteHidden, NotePublished


class NotesConfig(AppConfig):
    name = "notes"

    def ready(self) -> None:
        from notes import subscribers as on  # handlers use models: import once the app registry is ready
        from notes import sweeps  # sweeps query models: import once the app registry is ready

        sweeper.register("photos processing", sweeps.lost_photos)
        sweeper.register("videos processing", sweeps.lost_videos)
        sweeper.register("notes waiting on media", sweeps.notes_left_waiting)

        subscribe(UserRegistered, on.default_board, when=IN_TRANSACTION)
        subscribe(NotePublished, on.index_published, when=IN_TRANSACTION)
        subscribe(NoteEdited, on.reindex_edited, when=IN_TRANSACTION)
        subscribe(NoteHidden, on.unindex_hidden, when=IN_TRANSACTION)
        subscribe(NoteDeleted, on.unindex_deleted, when=IN_TRANSACTION)
