"""Make sure an admin account exists and print how to log in (the password is kept in DATA_DIR)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import register_user


class Command(BaseCommand):
    help = "Create the admin account on first run and print its login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="operator")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        secret_file = settings.DATA_DIR / "admin-password.txt"
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = register_user(
                username=username,
                password=password,
                display_name="Operator",
                languages=["en", "zh-Hans"],
                check_password=False,
            )
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            secret_file.write_text(password + "\n")
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip() if secret_file.exists() else "(set with manage.py changepassword)"
        self.stdout.write(self.style.SUCCESS(f"Admin login: {username} / {password}  ({settings.SITE_URL}/login/)"))
