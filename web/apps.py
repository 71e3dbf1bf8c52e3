from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from web.nav import register_nav_link


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web import sessions  # noqa: F401  (connects the log-in / log-out receivers; uses models)

        register_nav_link("web:ops_translation", _("Translation"), staff_only=True)
        register_nav_link("web:review_console", _("Review"), staff_only=True)
        register_nav_link("web:transparency", _("Transparency"))
