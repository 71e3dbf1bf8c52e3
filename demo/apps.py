from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content: users, notes, photos and interactions loaded through the services."""

    name = "demo"
    verbose_name = "Demo content"
