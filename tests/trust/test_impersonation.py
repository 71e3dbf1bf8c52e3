"""The impersonation detector: folded names, pinyin, Traditional/Simplified, avatars; findings reach the
review queue with their evidence through trust's event, and nothing happens to the account itself."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import update_profile
from review.models import ReviewItem
from tests.review.fixtures import as_user
from trust.impersonation import Name, check_account, compare_names
from trust.models import ImpersonationFlag
from trust.verification import revoke_verification, verify_account


def finding(candidate: str, protected: str):
    return compare_names(Name.of(candidate), Name.of(protected))


@pytest.mark.parametrize(
    ("candidate", "protected", "signal"),
    [
        ("Jеss Tremblay", "Jess Tremblay", "homoglyph"),  # Cyrillic е
        ("Μaria Ρapadopoulou", "Maria Papadopoulou", "homoglyph"),  # Greek Μ and Ρ
        ("ｊｅｓｓ ｔｒｅｍｂｌａｙ", "Jess Tremblay", "homoglyph"),  # full-width
        ("Jess Tremb1ay", "Jess Tremblay", "lookalike"),
        ("jess_tremblay", "Jess Tremblay", "lookalike"),
        ("J.e.s.s Tremblay", "Jess Tremblay", "lookalike"),
        ("Jess Trernblay", "Jess Tremblay", "lookalike"),  # rn for m
        ("張偉", "张伟", "traditional_simplified"),
        ("Zhang Wei", "张伟", "pinyin"),
        ("zhangwei", "張偉", "pinyin"),
        ("Wei Zhang", "张伟", "pinyin"),
        ("Li Na", "李娜", "pinyin"),
        ("linlin_zai_lushang", "林林在路上", "pinyin"),
        ("Jess Tremblay Official", "Jess Tremblay", "affix"),
        ("刘亦非", "刘亦菲", "homophone"),
        ("Gabriel Reyess", "Gabriel Reyes", "fuzzy"),
    ],
)
def test_tricks_are_found(candidate, protected, signal):
    found = finding(candidate, protected)
    assert found is not None and found.signal == signal


@pytest.mark.parametrize(
    ("candidate", "protected"),
    [
        ("小红 Lisa", "小红"),  # a bilingual name: mixed scripts alone are no signal
        ("李娜娜", "李娜"),
        ("Anna Lee", "Anna Li"),
        ("Lina", "李娜"),  # a Western name, not the pinyin of 李娜
        ("Jess Tremblay Fans", "Jess Tremblay"),
        ("王芳", "王方"),  # two-character homophones are everyday names
        ("Tom Okafor", "Tom Oakley"),
        ("Lisa", "Lina"),
    ],
)
def test_honest_look_alikes_are_not_flagged(candidate, protected):
    assert finding(candidate, protected) is None


def _avatar(shift: int = 0) -> bytes:
    img = Image.new("RGB", (256, 256), (240, 240, 230))
    draw = ImageDraw.Draw(img)
    draw.ellipse((40 + shift, 40, 200 + shift, 200), fill=(200, 40, 40))
    draw.rectangle((100, 120 + shift, 160, 240), fill=(20, 60, 160))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _other_avatar() -> bytes:
    img = Image.new("RGB", (256, 256), (10, 10, 10))
    draw = ImageDraw.Draw(img)
    for x in range(0, 256, 32):
        draw.line((x, 0, 255 - x, 255), fill=(250, 250, 0), width=6)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def star(make_user):
    make_user("jess_t", display_name="Jess Tremblay")
    return verify_account(username="jess_t")


def test_a_cyrillic_name_change_is_flagged_with_evidence(make_user, star, django_capture_on_commit_callbacks):
    suspect = make_user("jt_fan", display_name="Jessie")
    assert not ReviewItem.objects.filter(target_id=suspect.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=suspect, display_name="Jеss Tremblay")
    item = ReviewItem.objects.get(target_type="profile", target_id=suspect.pk, source="impersonation")
    assert item.category == "impersonation" and item.status == "open"
    assert item.screening is not None
    evidence = item.screening.stages["impersonation"][0]
    assert evidence["signal"] == "homoglyph" and evidence["score"] == pytest.approx(0.98)
    assert evidence["protected_username"] == "jess_t" and evidence["protected_verified"] is True
    assert evidence["candidate_value"] == "Jеss Tremblay"
    # Never a ban: the account is as it was.
    suspect.refresh_from_db()
    assert suspect.is_active and suspect.display_name == "Jеss Tremblay"
    # The same finding again is not sent twice; a new trick adds to the open item.
    assert check_account(user_id=suspect.pk) == []
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=suspect, display_name="Jess Tremb1ay")
    item.refresh_from_db()
    assert ReviewItem.objects.filter(target_id=suspect.pk, source="impersonation").count() == 1
    assert item.screening is not None
    assert {e["signal"] for e in item.screening.stages["impersonation"]} == {"homoglyph", "lookalike"}


def test_verified_accounts_and_unrelated_names_are_not_flagged(make_user, star, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = make_user("someone_else", display_name="Jess Tremblay")
    assert ImpersonationFlag.objects.filter(user=other).count() == 1  # same display name: a person looks
    verify_account(username="someone_else")
    assert check_account(user_id=other.pk) == []  # verified: who it says it is
    with django_capture_on_commit_callbacks(execute=True):
        plain = make_user("bob_builder", display_name="Bob")
    assert not ImpersonationFlag.objects.filter(user=plain).exists()


def test_most_followed_accounts_are_protected(make_user, settings, django_capture_on_commit_callbacks):
    settings.TRUST_IMPERSONATION = {"min_followers": 1, "top_followed": 5}
    popular = make_user("xiaoman", display_name="小满爱吃")
    User.objects.filter(pk=popular.pk).update(followers_count=3)
    with django_capture_on_commit_callbacks(execute=True):
        suspect = make_user("xiaoman_ai_chi", display_name="Xiaoman Ai Chi")
    flag = ImpersonationFlag.objects.get(user=suspect)
    assert flag.protected_user_id == popular.pk and flag.signal == "pinyin"
    settings.TRUST_IMPERSONATION = {"min_followers": 10}
    with django_capture_on_commit_callbacks(execute=True):
        quiet = make_user("xiaomanaichi2", display_name="小滿愛吃")
    assert not ImpersonationFlag.objects.filter(user=quiet).exists()  # 3 followers: not protected now


def test_a_copied_avatar_is_flagged(make_user, star, django_capture_on_commit_callbacks):
    update_profile(user=star, avatar=_avatar())
    suspect = make_user("totally_new", display_name="Sunny")
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=suspect, avatar=_other_avatar())
    assert not ImpersonationFlag.objects.filter(user=suspect).exists()
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=suspect, avatar=_avatar(shift=2))  # re-encoded and nudged: the same picture
    flag = ImpersonationFlag.objects.get(user=suspect)
    assert flag.signal == "avatar" and flag.score >= 0.9 and flag.protected_user_id == star.pk


def test_signup_through_the_web_with_pinyin_of_a_verified_chinese_name(
    make_user, reviewer, django_capture_on_commit_callbacks
):
    make_user("linlin_lvxing", display_name="林林在路上", languages=["zh-Hans"])
    verify_account(username="linlin_lvxing")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/signup/",
            {
                "username": "lin_lin_zai_lu_shang",
                "display_name": "Linlin Zai Lushang",
                "password": "a long passphrase 7",
            },
        )
    assert response.status_code == 302
    suspect = User.objects.get(username="lin_lin_zai_lu_shang")
    item = ReviewItem.objects.get(target_id=suspect.pk, source="impersonation")
    assert item.screening is not None
    assert item.screening.stages["impersonation"][0]["signal"] == "pinyin"
    # The console shows the evidence to a reviewer who reads Chinese.
    page = as_user(reviewer(languages=["zh-Hans", "en"])).get(f"/review/items/{item.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Possible impersonation" in html and "@linlin_lvxing" in html and "林林在路上" in html
    assert "pinyin" in html and "0.90" in html


def test_verify_account_command(make_user):
    make_user("official_news")
    call_command("verify_account", "official_news")
    assert User.objects.get(username="official_news").verified
    call_command("verify_account", "official_news", "--revoke")
    assert not User.objects.get(username="official_news").verified
    with pytest.raises(CommandError):
        call_command("verify_account", "nobody_here")
    revoke_verification(username="official_news")  # idempotent


def test_verifying_an_account_rechecks_recent_accounts(make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        early = make_user("tom_okafor_", display_name="Tоm Okafor")  # Cyrillic о, before anyone is protected
        honest = make_user("tomas_o", display_name="Tomas O.")
        old = make_user("t0m_okafor", display_name="T0m Okafor")
        real = make_user("trailmix_tom", display_name="Tom Okafor")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    assert not ImpersonationFlag.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        verify_account(username="trailmix_tom")
    flag = ImpersonationFlag.objects.get()
    assert (flag.user_id, flag.protected_user_id, flag.signal) == (early.pk, real.pk, "homoglyph")
    assert ReviewItem.objects.filter(target_id=early.pk, source="impersonation").exists()
    assert not ImpersonationFlag.objects.filter(user__in=[honest, old]).exists()  # old: joined 400 days ago
    with django_capture_on_commit_callbacks(execute=True):
        verify_account(username="trailmix_tom")  # already verified: no second scan, nothing twice
    assert ImpersonationFlag.objects.count() == 1
