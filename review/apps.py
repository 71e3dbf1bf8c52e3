from django.apps import AppConfig

from accounts.events import ProfileChanged
from core.events import IN_TRANSACTION, subscribe
from notes.events import CommentCreated, NoteSubmitted


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Handlers, packs and selectors use models: import them once the app registry is ready.
        from notes.selectors import set_withholding_policy
        from review import selectors
        from review import subscribers as on
        from review.packs import validate_shipped_packs

        # A shipped policy pack that does not validate must stop the process at start, with the reason,
        # not fail later in a worker.
        validate_shipped_packs()
        # Notes apply regional withholding on every read; review decides where a note is withheld.
        set_withholding_policy(selectors)
        subscribe(NoteSubmitted, on.screen_submitted_note, when=IN_TRANSACTION)
        subscribe(CommentCreated, on.screen_new_comment, when=IN_TRANSACTION)
        subscribe(ProfileChanged, on.screen_changed_profile, when=IN_TRANSACTION)
