from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web import sessions  # noqa: F401  (connects the log-in / log-out receivers)
        from web.nav import register_nav_link

        register_nav_link("web:ops_translation", _("Translation"), staff_only=True)
