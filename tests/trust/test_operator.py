"""The trust operator page and its service: sign-up mode, waitlist capacity, rules and rate limits kept
in the database over the settings defaults, every change audited, hostile input refused with nothing
lost; staff only."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from core.errors import ServiceError
from review.models import AuditEvent
from tests.review.fixtures import as_user
from tests.trust.conftest import sign_up
from trust import limits, operator, rules, waitlist
from trust import signup as trust_signup
from trust.models import OperatorSettings, SignupRule


@pytest.fixture
def staff(make_user):
    user = make_user("operator_ann")
    user.is_staff = True
    user.save()
    return user


def _audit(key: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="trust_setting", reason_code=key[:32]).order_by("id"))


# --- the service -----------------------------------------------------------------------------------


def test_database_settings_override_the_settings_module_and_are_audited(staff, settings):
    settings.SIGNUP_MODE = "open"
    settings.SIGNUP_CAPACITY_PER_HOUR = 3600
    assert operator.signup_mode() == "open" and waitlist.per_window() == 600
    changed = operator.update_signups(
        actor_id=staff.pk, signup_mode="approval", capacity_per_hour=60, influx_capacity_per_hour=None
    )
    assert changed == ["signup_mode", "capacity_per_hour"]
    assert operator.signup_mode() == "approval"
    assert waitlist.per_window() == 10  # 60 an hour over a ten-minute window
    verdict = trust_signup.screen(username="newbie", domain="example.org", ip="192.0.2.1", invite=None)
    assert verdict.state == "pending" and verdict.reason == "approval mode"
    mode = _audit("signup_mode")
    assert len(mode) == 1 and mode[0].actor_id == staff.pk
    assert mode[0].before == {"value": ""} and mode[0].after == {"value": "approval"}
    assert mode[0].target_type == "trust" and mode[0].detail["by"] == "operator"
    # Back to the default: empty means the settings module again, and that is audited too.
    operator.update_signups(actor_id=staff.pk, signup_mode="", capacity_per_hour=None, influx_capacity_per_hour=None)
    assert operator.signup_mode() == "open" and waitlist.per_window() == 600
    assert len(_audit("signup_mode")) == 2 and len(_audit("capacity_per_hour")) == 2


def test_saving_the_same_values_changes_and_audits_nothing(staff):
    operator.update_signups(actor_id=staff.pk, signup_mode="invite", capacity_per_hour=5, influx_capacity_per_hour=9)
    before = AuditEvent.objects.count()
    assert (
        operator.update_signups(
            actor_id=staff.pk, signup_mode="invite", capacity_per_hour=5, influx_capacity_per_hour=9
        )
        == []
    )
    assert AuditEvent.objects.count() == before


def test_rate_limits_from_the_page_override_defaults_and_settings(staff, settings):
    settings.RATE_LIMITS = {"post.user": "100/1h"}
    assert limits.rate("post.user") == limits.Rate(100, 3600)
    operator.update_rate_limits(actor_id=staff.pk, values={"post.user": "5/1m", "like.user": "off"})
    assert limits.rate("post.user") == limits.Rate(5, 60)
    assert limits.rate("like.user") is None
    assert [e.after for e in _audit("rate_limit:post.user")] == [{"value": "5/1m"}]
    operator.update_rate_limits(actor_id=staff.pk, values={"post.user": ""})  # back to the default
    assert limits.rate("post.user") == limits.Rate(100, 3600)
    assert limits.rate("like.user") is None  # untouched
    assert OperatorSettings.objects.get().rate_limits == {"like.user": "off"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"post.user": "lots"}, "post.user"),
        ({"post.user": "5/0s"}, "post.user"),
        ({"post.user": "99999999999/1s"}, "post.user"),
        ({"no.such_limit": "5/1h"}, "no.such_limit"),
    ],
)
def test_bad_rate_limits_are_refused_and_nothing_is_written(staff, values, field):
    operator.update_rate_limits(actor_id=staff.pk, values={"like.user": "7/1h"})
    with pytest.raises(ServiceError) as refused:
        operator.update_rate_limits(actor_id=staff.pk, values={"like.user": "8/1h", **values})
    assert refused.value.field == field
    assert OperatorSettings.objects.get().rate_limits == {"like.user": "7/1h"}


def test_rules_added_and_deleted_through_the_service_apply_and_are_audited(staff, app_token):
    rule = operator.add_rule(actor_id=staff.pk, kind="username", pattern=r"^promo\d+$", action="refuse")
    assert sign_up(app_token, "promo42").status_code == 422
    assert sign_up(app_token, "promotion").status_code == 200
    assert _audit("signup_rule")[0].after["value"]["pattern"] == r"^promo\d+$"
    assert operator.delete_rule(actor_id=staff.pk, rule_id=rule.pk)
    assert sign_up(app_token, "promo43").status_code == 200
    assert _audit("signup_rule")[1].before["value"]["id"] == rule.pk and _audit("signup_rule")[1].after == {
        "value": None
    }
    assert not operator.delete_rule(actor_id=staff.pk, rule_id=rule.pk)


@pytest.mark.parametrize(
    ("kind", "pattern", "kept"),
    [
        ("ip", "203.0.113.7/24", "203.0.113.0/24"),
        ("ip", "2001:db8::1/32", "2001:db8::/32"),
        ("email_domain", "@Spam.Example.", "spam.example"),
        ("email_domain", "*.Bücher.example", "xn--bcher-kva.example"),
        ("username", r"^shop\d{3,}$", r"^shop\d{3,}$"),
        ("username", r"(ab)+x", r"(ab)+x"),
        ("username", r"[a-z]+_[0-9]+", r"[a-z]+_[0-9]+"),
    ],
)
def test_good_patterns_are_cleaned(kind, pattern, kept):
    assert rules.clean(kind, pattern) == kept


@pytest.mark.parametrize(
    ("kind", "pattern", "code"),
    [
        ("ip", "300.1.2.3/24", "invalid"),
        ("ip", "10.0.0.0/33", "invalid"),
        ("ip", "everyone", "invalid"),
        ("email_domain", "not a domain", "invalid"),
        ("email_domain", "-bad-.example", "invalid"),
        ("username", "(unclosed", "invalid"),
        ("username", "", "invalid"),
        ("username", "a" * 101, "invalid"),
        ("username", r"(a+)+$", "unsafe"),
        ("username", r"(a|aa)*b", "unsafe"),
        ("username", r"(.*a){12}", "unsafe"),
        ("username", r"(\w+\s?)*$", "unsafe"),
        ("username", r"(a)\1", "unsafe"),
        ("username", r"(?=a)a", "unsafe"),
        ("username", r".*.*.*.*.*x", "unsafe"),
    ],
)
def test_hostile_patterns_are_refused(kind, pattern, code):
    with pytest.raises(ServiceError) as refused:
        rules.clean(kind, pattern)
    assert refused.value.field == "pattern" and refused.value.code == code


def test_an_unsafe_rule_saved_before_the_check_is_skipped_not_run(db):
    # As if written through an older admin: the pattern would take minutes on this name.
    SignupRule.objects.create(kind=SignupRule.USERNAME, pattern=r"^(a+)+$", action=SignupRule.REFUSE)
    started = time.monotonic()
    verdict = trust_signup.screen(username="a" * 29 + "!", domain="", ip="192.0.2.1", invite=None)
    assert verdict.state == "admitted"
    assert time.monotonic() - started < 5  # a guard against hanging, not a measurement


# --- the page --------------------------------------------------------------------------------------


def test_the_page_is_for_staff_only(make_user, db):
    assert Client().get("/ops/trust/").status_code == 302  # to the log-in page
    member = as_user(make_user("member_bob"))
    assert member.get("/ops/trust/").status_code == 403
    assert member.post("/ops/trust/", {"action": "signups", "signup_mode": "closed"}).status_code == 403
    assert member.post("/ops/trust/", {"action": "influx_on"}).status_code == 403
    assert not OperatorSettings.objects.filter(signup_mode="closed").exists()
    assert not AuditEvent.objects.filter(action="trust_setting").exists()


def test_staff_see_the_page_in_english_and_chinese(staff):
    client = as_user(staff)
    html = client.get("/ops/trust/").content.decode()
    for text in ("Trust and safety", "Influx mode", "Sign-up rules", "Rate limits", 'data-limit="post.user_new"'):
        assert text in html
    zh = Client(headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    zh.force_login(staff)
    html = zh.get("/ops/trust/").content.decode()
    assert "信任与安全" in html and "流量激增模式" in html and "注册规则" in html


def test_changes_through_the_page(staff):
    client = as_user(staff)
    response = client.post(
        "/ops/trust/",
        {"action": "signups", "signup_mode": "invite", "capacity_per_hour": "120", "influx_capacity_per_hour": ""},
    )
    assert response.status_code == 302
    assert operator.signup_mode() == "invite" and operator.capacity_per_hour() == 120
    assert (
        client.post(
            "/ops/trust/", {"action": "add_rule", "kind": "ip", "pattern": "198.51.100.9/24", "rule_action": "approve"}
        ).status_code
        == 302
    )
    rule = SignupRule.objects.get()
    assert (rule.pattern, rule.action) == ("198.51.100.0/24", "approve")
    assert client.post("/ops/trust/", {"action": "limits", "rate:post.user_new": "3/1h"}).status_code == 302
    assert limits.rate("post.user_new") == limits.Rate(3, 3600)
    assert client.post("/ops/trust/", {"action": "delete_rule", "rule_id": str(rule.pk)}).status_code == 302
    assert not SignupRule.objects.exists()
    keys = list(AuditEvent.objects.filter(action="trust_setting").values_list("reason_code", "actor_id"))
    assert ("signup_mode", staff.pk) in keys and ("rate_limit:post.user_new", staff.pk) in keys
    assert [k for k, _a in keys].count("signup_rule") == 2
    audit = client.get("/review/audit/?action=trust_setting").content.decode()
    assert "signup_mode" in audit


@pytest.mark.parametrize(
    "form",
    [
        {"action": "add_rule", "kind": "ip", "pattern": "10.0.0.0/99", "rule_action": "refuse"},
        {"action": "add_rule", "kind": "username", "pattern": "(x+x+)+y", "rule_action": "refuse"},
        {"action": "add_rule", "kind": "username", "pattern": "ok", "rule_action": "explode"},
        {"action": "add_rule", "kind": "shell", "pattern": "ok", "rule_action": "refuse"},
        {"action": "add_rule", "kind": "email_domain", "pattern": "<script>alert(1)</script>", "rule_action": "refuse"},
        {"action": "signups", "signup_mode": "anarchy"},
        {"action": "signups", "signup_mode": "open", "capacity_per_hour": "-5"},
        {"action": "signups", "signup_mode": "open", "capacity_per_hour": "1e9"},
        {"action": "signups", "signup_mode": "open", "capacity_per_hour": "99999999"},
        {"action": "limits", "rate:post.user": "'; DROP TABLE trust_signuprule; --"},
        {"action": "delete_rule", "rule_id": "not-a-number"},
        {"action": "delete_rule", "rule_id": "424242"},
        {"action": "influx_on", "language": "klingon"},
        {"action": "reboot"},
    ],
)
def test_hostile_input_on_the_forms_gets_a_clear_error_and_changes_nothing(staff, form):
    operator.update_signups(actor_id=staff.pk, signup_mode="open", capacity_per_hour=50, influx_capacity_per_hour=None)
    kept = SignupRule.objects.create(kind="email_domain", pattern="kept.example", action="refuse")
    audited = AuditEvent.objects.count()
    response = as_user(staff).post("/ops/trust/", form)
    assert response.status_code == 422
    assert 'class="flash-error"' in response.content.decode()
    row = OperatorSettings.objects.get()
    assert (row.signup_mode, row.capacity_per_hour, row.rate_limits, row.influx_active) == ("open", 50, {}, False)
    assert list(SignupRule.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditEvent.objects.count() == audited
    assert "<script>alert(1)</script>" not in response.content.decode()
