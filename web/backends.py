"""The signed-in user of a page, loaded with their reviewer role in the same query, so the navigation
can show the Review link without a query of its own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserWithRoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("reviewer").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
