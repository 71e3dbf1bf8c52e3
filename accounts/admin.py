"""Accounts in the admin site: operators find an account and suspend or reinstate it through the
service, so its sessions and app tokens stop working on the next request in every worker."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import reinstate_account, suspend_account
from core.errors import ServiceError


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "display_name", "is_active", "is_staff", "date_joined", "region")
    list_filter = ("is_active", "is_staff", "region")
    search_fields = ("username", "display_name", "email")
    fields = ("username", "display_name", "email", "bio", "region", "languages", "is_active", "is_staff")
    readonly_fields = fields  # changes go through the actions (and the services), never a raw save
    actions = ("suspend", "reinstate")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Suspend the selected accounts"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                suspend_account(user=user)
            except ServiceError as exc:
                self.message_user(request, f"{user.username}: {exc}", messages.ERROR)

    @admin.action(description=_("Reinstate the selected accounts"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            reinstate_account(user=user)
