"""Suspending, reinstating and deactivating accounts: through the command, the admin site and the
service, each refusing what it must."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from accounts.services import deactivate_account, suspend_account
from core.errors import ServiceError


def test_the_command_suspends_and_lifts(make_user, capsys):
    make_user("gus")
    call_command("suspend_account", "GUS")
    assert not User.objects.get(username="gus").is_active
    assert Client().post("/login/", {"username": "gus", "password": "correct horse battery"}).status_code != 302
    call_command("suspend_account", "gus", "--lift")
    assert User.objects.get(username="gus").is_active
    assert "gus: reinstated." in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("suspend_account", "nobody")


def test_an_administrator_cannot_be_suspended(make_user):
    boss = make_user("boss")
    User.objects.filter(pk=boss.pk).update(is_superuser=True)
    boss.refresh_from_db()
    with pytest.raises(ServiceError):
        suspend_account(user=boss)
    assert User.objects.get(pk=boss.pk).is_active


def test_deactivation_needs_the_right_password(make_user):
    ann = make_user("ann")
    with pytest.raises(ServiceError):
        deactivate_account(user=ann, password="wrong")
    assert User.objects.get(pk=ann.pk).is_active


def test_the_admin_site_suspends_through_the_service(make_user):
    admin = make_user("root_admin")
    User.objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    target = make_user("spammy")
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200 and "spammy" in page.content.decode()
    done = client.post("/admin/accounts/user/", {"action": "suspend", "_selected_action": [target.pk]})
    assert done.status_code == 302
    assert not User.objects.get(pk=target.pk).is_active
    # A raw edit of the record is not offered: changes go through the actions.
    assert client.post(f"/admin/accounts/user/{target.pk}/change/", {"is_active": "on"}).status_code in (302, 403)
    assert not User.objects.get(pk=target.pk).is_active
