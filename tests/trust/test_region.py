"""Claimed region against the network country of sign-ins (the ``region_mismatch`` rule): a signal in
the account's risk reasons, never a ban."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from trust import risk
from trust.models import AccountRisk, SecurityEvent

PASSWORD = "correct horse battery"
CN, US, BR, GB = "202.108.22.5", "8.8.8.8", "200.147.67.142", "81.2.69.160"


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.TRUST_RISK = {"rules": {"region_mismatch": ("region", 24 * 14, 3, 0.2)}}


def log_in(user: User, ip: str) -> None:
    client = Client(REMOTE_ADDR=ip)
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_signing_in_from_another_country_again_and_again_adds_a_reason(db, make_user):
    user = make_user(region="US")
    log_in(user, US)
    for _ in range(3):
        log_in(user, CN)
    assert SecurityEvent.objects.filter(user=user, kind="login").count() == 4
    assert SecurityEvent.objects.filter(user=user, kind="login", ip=CN).count() == 3
    kept = AccountRisk.objects.get(user=user)
    assert kept.score == 0.2
    assert kept.reasons == ["region_mismatch 3 >= 3: 3 of 4 sign-ins from CN, profile says US"]
    # A signal, never a ban: the account signs in as before.
    user.refresh_from_db()
    assert user.is_active
    log_in(user, CN)


def test_a_trip_or_a_matching_region_adds_nothing(db, make_user):
    traveller = make_user(region="GB")
    for ip in (GB, GB, GB, BR, GB):  # one sign-in abroad among five
        log_in(traveller, ip)
    assert not AccountRisk.objects.filter(user=traveller).exists()
    home = make_user(region="CN")
    for _ in range(4):
        log_in(home, CN)
    assert not AccountRisk.objects.filter(user=home).exists()


def test_no_claimed_region_or_unknown_addresses_add_nothing(db, make_user):
    silent = make_user()  # no region in the profile
    for _ in range(4):
        log_in(silent, CN)
    assert not AccountRisk.objects.filter(user=silent).exists()
    private = make_user(region="US")
    for ip in ("10.1.2.3", "192.168.0.9", "127.0.0.1", "203.0.113.5"):  # no country for any of them
        log_in(private, ip)
    assert risk.assess(private) == (0.0, [], [])


def test_a_refused_log_in_is_not_a_sign_in(db, make_user):
    user = make_user(region="US")
    for _ in range(4):
        response = Client(REMOTE_ADDR=CN).post("/login/", {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
    assert not SecurityEvent.objects.filter(user=user).exists()


def test_only_the_last_entries_are_read(db, make_user, settings):
    settings.TRUST_RISK = {**settings.TRUST_RISK, "region_entries": 4}
    user = make_user(region="BR")
    for _ in range(3):
        log_in(user, CN)  # an old run of sign-ins from elsewhere...
    assert AccountRisk.objects.get(user=user).score == 0.2
    for _ in range(3):
        log_in(user, BR)  # ...then home again: of the last four, one is elsewhere
    assert AccountRisk.objects.get(user=user).score == 0


def test_deleting_the_security_log_entries_forgets_them(db, make_user):
    user = make_user(region="US")
    for _ in range(3):
        log_in(user, CN)
    SecurityEvent.objects.filter(user=user).delete()
    assert risk.assess(user) == (0.0, [], [])
