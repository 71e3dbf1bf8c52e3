from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A shipped policy pack that does not validate must stop the process at start, with the reason,
        # not fail later in a worker.
        from review.packs import validate_shipped_packs

        validate_shipped_packs()
