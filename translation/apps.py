from django.apps import AppConfig

from accounts.events import ProfileChanged
from core.events import AFTER_COMMIT, StackStarted, subscribe
from notes.events import NoteCollected, NoteEdited, NoteLiked, NotePublished, NoteTranslationSaved, PhotoDescribed


class TranslationConfig(AppConfig):
    name = "translation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Translation"

    def ready(self) -> None:
        from translation import subscribers as on  # handlers use models: import once the registry is ready

        subscribe(NotePublished, on.translate_published, when=AFTER_COMMIT)
        subscribe(NoteLiked, on.keep_trending_translated, when=AFTER_COMMIT)
        subscribe(NoteCollected, on.keep_trending_translated, when=AFTER_COMMIT)
        subscribe(NoteEdited, on.note_text_changed, when=AFTER_COMMIT)
        subscribe(PhotoDescribed, on.alt_text_changed, when=AFTER_COMMIT)
        subscribe(ProfileChanged, on.bio_changed, when=AFTER_COMMIT)
        subscribe(NoteTranslationSaved, on.keep_author_translation, when=AFTER_COMMIT)
        subscribe(StackStarted, on.announce_preparation, when=AFTER_COMMIT)
