"""Influx mode: a surge of sign-ups (by country and interface language, against the trailing baseline)
switches it on; it opens the waitlist at the influx capacity, tightens new accounts' limits, suggests
the incoming language, alerts operators and is audited; calm switches it off; an operator's switch wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from core.errors import RateLimited
from notifications.models import Notification
from review.models import AuditEvent
from trust import influx, limits, operator, waitlist
from trust import signup as trust_signup
from trust.models import OperatorSettings

# Two days ago on the hour: every frozen moment (up to NOW + 7 h) lies in the past, so nothing minted under
# the frozen clock (time-sortable ids never go backwards in a process) carries a time still to come.
NOW = (datetime.now(UTC) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
_seq = iter(range(1, 100_000))


@pytest.fixture(autouse=True)
def _small_waves(settings):
    settings.TRUST_INFLUX = {"min_signups": 6, "factor": 4, "baseline_hours": 24, "window_minutes": 60}
    settings.SIGNUP_CAPACITY_PER_HOUR = 3600
    settings.SIGNUP_INFLUX_CAPACITY_PER_HOUR = 120


@pytest.fixture
def staff(make_user):
    user = make_user("operator_influx")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def clock():
    """One frozen clock per test, moved by hand (starting freezegun is slow; moving it is not)."""
    with freeze_time(NOW) as frozen:
        yield frozen


def join(clock, when: datetime, *, language: str = "zh-hans", ip: str = "192.0.2.10", n: int = 1) -> None:
    """``n`` people sign up at ``when`` through the real sign-up service; the clock goes back to NOW."""
    clock.move_to(when)
    for _ in range(n):
        i = next(_seq)
        trust_signup.register(username=f"wave{i}", password="a long passphrase 9", ip=ip, ui_language=language)
    clock.move_to(NOW)


def test_a_surge_switches_influx_mode_on_with_its_language_and_calm_switches_it_off(db, staff, clock):
    # A steady trickle over the day before: a Chinese sign-up every four hours.
    for hours in range(4, 24, 4):
        join(clock, NOW - timedelta(hours=hours))
    join(clock, NOW - timedelta(minutes=50), n=5)  # five in the last hour: not yet a surge (at least 6)
    assert influx.check() == ""
    join(clock, NOW - timedelta(minutes=10), language="en", n=2)  # English sign-ups are another group
    assert influx.check() == ""
    join(clock, NOW - timedelta(minutes=5))  # the sixth Chinese sign-up in the hour
    assert influx.check() == "on"
    assert influx.active() and influx.incoming_language() == "zh-hans"
    row = OperatorSettings.objects.get()
    assert not row.influx_manual and "6 sign-ups" in row.influx_detail
    # The waitlist opens at the influx capacity: 120 an hour, 20 per ten-minute window.
    assert operator.capacity_per_hour() == 120 and waitlist.per_window() == 20
    event = AuditEvent.objects.get(action="trust_setting", reason_code="influx_mode")
    assert event.actor_id is None and event.detail["by"] == "influx detection"
    assert event.after["value"]["active"] is True and event.after["value"]["language"] == "zh-hans"
    alert = Notification.objects.get(recipient=staff, kind="influx")
    assert "Influx mode is on" in alert.text and "zh-hans" in alert.text
    # Still busy half an hour later (above half the thresholds): stays on.
    join(clock, NOW + timedelta(minutes=20), n=3)
    clock.move_to(NOW + timedelta(minutes=30))
    assert influx.check() == ""
    # Two hours on, nobody is arriving: off again, audited, operators told.
    clock.move_to(NOW + timedelta(hours=2))
    assert influx.check() == "off"
    assert not influx.active() and operator.capacity_per_hour() == 3600
    assert AuditEvent.objects.filter(action="trust_setting", reason_code="influx_mode").count() == 2
    assert Notification.objects.filter(recipient=staff, kind="influx").count() == 2


def test_a_group_with_a_busy_baseline_is_not_a_surge(db, clock):
    for hours in range(1, 5):
        join(clock, NOW - timedelta(hours=hours, minutes=30), language="en", n=2)  # 2 an hour, all morning
    cfg = {**influx.config(), "baseline_hours": 4}
    join(clock, NOW - timedelta(minutes=20), language="en", n=7)  # 7 in the hour: over the minimum, under 4 x 2
    assert influx.surges(NOW, cfg=cfg) == []
    join(clock, NOW - timedelta(minutes=10), language="en")  # 8 in the hour: 4 x 2
    found = influx.surges(NOW, cfg=cfg)
    assert [(s.language, s.count, s.baseline_per_hour) for s in found] == [("en", 8, 2.0)]


def test_an_operators_switch_is_left_alone_by_detection_for_a_while(db, staff, clock):
    assert operator.set_influx(actor_id=staff.pk, active=True, manual=True, language="en")
    assert influx.check() == ""  # no surge, but the operator said on
    clock.move_to(NOW + timedelta(hours=5))
    assert influx.check() == "" and influx.active()
    clock.move_to(NOW + timedelta(hours=7))
    assert influx.check() == "off"
    by = list(AuditEvent.objects.filter(reason_code="influx_mode").order_by("id").values_list("actor_id", flat=True))
    assert by == [staff.pk, None]
    # The operator who switched it is not alerted by their own switch; the second change alerts them.
    assert Notification.objects.filter(recipient=staff, kind="influx").count() == 1


def test_operators_switch_it_on_and_off_on_the_page(staff):
    client = Client()
    client.force_login(staff)
    assert client.post("/ops/trust/", {"action": "influx_on", "language": "zh-hans"}).status_code == 302
    row = OperatorSettings.objects.get()
    assert row.influx_active and row.influx_manual and row.influx_language == "zh-hans"
    assert 'data-influx="on"' in client.get("/ops/trust/").content.decode()
    assert client.post("/ops/trust/", {"action": "influx_off"}).status_code == 302
    assert not OperatorSettings.objects.get().influx_active
    assert AuditEvent.objects.filter(reason_code="influx_mode", actor_id=staff.pk).count() == 2


def test_influx_tightens_new_accounts_limits_only(db, settings):
    settings.RATE_LIMITS = {"post.user_new": "4/1h", "post.user": "4/1h"}
    operator.set_influx(actor_id=None, active=True, manual=True)
    for _ in range(2):
        limits.check("post", {"user": "new-1"}, new_account=True)
    with pytest.raises(RateLimited):
        limits.check("post", {"user": "new-1"}, new_account=True)  # 4 / 2 while the wave lasts
    for _ in range(4):
        limits.check("post", {"user": "old-1"})  # established accounts keep theirs
    operator.set_influx(actor_id=None, active=False, manual=True)
    for _ in range(4):
        limits.check("post", {"user": "new-2"}, new_account=True)


def test_signup_and_onboarding_suggest_the_incoming_language(db):
    english = Client(headers={"Accept-Language": "en"})
    assert "data-suggest-language" not in english.get("/signup/").content.decode()
    operator.set_influx(actor_id=None, active=True, manual=True, language="zh-hans")
    html = english.get("/signup/").content.decode()
    assert 'data-suggest-language="zh-hans"' in html and "Many newcomers are joining in" in html
    chinese = Client(headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "data-suggest-language" not in chinese.get("/signup/").content.decode()  # already theirs
    english.post("/signup/", {"username": "newcomer_en", "password": "a sturdy passphrase"})
    assert 'data-suggest-language="zh-hans"' in english.get("/welcome/").content.decode()


def test_sign_ups_schedule_the_check_themselves(db, settings, django_capture_on_commit_callbacks):
    settings.TRUST_INFLUX = {**settings.TRUST_INFLUX, "check_every_s": 0}
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            trust_signup.register(username=f"early{i}", password="a long passphrase 9", ui_language="zh-hans")
    assert not influx.active()
    with django_capture_on_commit_callbacks(execute=True):
        trust_signup.register(username="sixth", password="a long passphrase 9", ui_language="zh-hans")
    assert influx.active() and influx.incoming_language() == "zh-hans"
