from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web import sessions  # noqa: F401  (connects the log-in / log-out receivers; uses models)
        from web.nav import REVIEWERS, register_nav_link  # reads review's models: once the registry is ready

        register_nav_link("web:ops_translation", _("Translation"), staff_only=True)
        register_nav_link("web:review_console", _("Review"), audience=REVIEWERS)
        register_nav_link("web:review_reviewers", _("Reviewers"), staff_only=True)
        register_nav_link("web:ops_trust", _("Trust and safety"), staff_only=True)
        register_nav_link("web:transparency", _("Transparency"))
