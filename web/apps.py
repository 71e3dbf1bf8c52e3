from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web import sessions  # noqa: F401  (connects the log-in / log-out receivers)
