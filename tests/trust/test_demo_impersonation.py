"""Done means (issue 11): on the demo, an account named like a verified demo account with Cyrillic letters,
or with the pinyin of a Chinese demo name, is flagged with its evidence in the review console."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from review.models import ReviewItem
from tests.review.fixtures import as_user
from trust.models import ImpersonationFlag


def _sign_up(username: str, display_name: str) -> User:
    response = Client().post(
        "/signup/", {"username": username, "display_name": display_name, "password": "a long passphrase 7"}
    )
    assert response.status_code == 302, response.content[:500]
    return User.objects.get(username=username)


@pytest.mark.django_db
def test_look_alikes_of_verified_demo_accounts_reach_the_console(on_commit, reviewer):
    with on_commit():
        call_command("load_demo", users=6, notes=2, stdout=io.StringIO())
    assert not ImpersonationFlag.objects.exists()
    assert User.objects.get(username="maple_matcha").verified

    with on_commit():
        cyrillic = _sign_up("jess_t_ca", "Jеss Trеmblay")  # two Cyrillic е
        pinyin = _sign_up("xiaoman_aichi", "Xiaoman Ai Chi")
        honest = _sign_up("jess_reads", "Jess")
    assert not ImpersonationFlag.objects.filter(user=honest).exists()

    mod = as_user(reviewer(languages=["en", "zh-Hans"]))
    for suspect, signal, protected in ((cyrillic, "homoglyph", "maple_matcha"), (pinyin, "pinyin", "xiaoman_chi")):
        item = ReviewItem.objects.get(target_type="profile", target_id=suspect.pk, source="impersonation")
        assert item.screening is not None
        evidence = item.screening.stages["impersonation"][0]
        assert (evidence["signal"], evidence["protected_username"]) == (signal, protected)
        assert str(item.pk).encode() in mod.get("/review/?source=impersonation").content
        page = mod.get(f"/review/items/{item.pk}/").content.decode()
        assert f"@{protected}" in page and suspect.display_name in page and f"({signal})" in page
    zh = as_user(reviewer(languages=["zh-Hans"]))
    zh_page = zh.get(f"/review/items/{item.pk}/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "疑似冒充" in zh_page and "中文名字的拼音" in zh_page
