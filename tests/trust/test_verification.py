"""Verified badges: granted and revoked by an admin command, shown in pages and the Mastodon Account."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from trust.verification import verify_account


def test_the_badge_shows_on_the_profile_and_the_note_cards(make_user, make_note):
    star = make_user("official_jess", display_name="Jess Tremblay")
    plain = make_user("plain_pat", display_name="Pat")
    note = make_note(star, title="Matcha in Toronto")
    # (Cards come from the note cache: a badge granted later shows once it expires, NOTE_CACHE_SECONDS.)
    verify_account(username="official_jess")
    page = Client().get("/u/official_jess/")
    assert b"verified-badge" in page.content and b"Verified account" in page.content
    assert b"verified-badge" not in Client().get("/u/plain_pat/").content
    note_page = Client().get(f"/n/{note.pk}/")
    assert note_page.status_code == 200 and b"verified-badge" in note_page.content
    # The profile's heading and the author of its note card.
    assert page.content.count(b'class="verified-badge"') == 2
    # In Simplified Chinese too.
    zh = Client(headers={"accept-language": "zh-hans"}).get("/u/official_jess/")
    assert "认证账号".encode() in zh.content
    assert plain.verified_at is None


def test_the_mastodon_account_carries_the_badge(make_user):
    star = make_user("official_news", display_name="News Desk")
    plain = make_user("news_fan", display_name="News Fan")
    call_command("verify_account", "official_news")
    data = Client().get(f"/api/v1/accounts/{star.pk}").json()
    assert data["verified"] is True
    assert data["fields"][0]["name"] == "Verified" and data["fields"][0]["verified_at"]
    other = Client().get(f"/api/v1/accounts/{plain.pk}").json()
    assert other["verified"] is False and other["fields"] == []
    call_command("verify_account", "official_news", "--revoke")
    assert Client().get(f"/api/v1/accounts/{star.pk}").json()["verified"] is False
    assert User.objects.get(pk=star.pk).verified_at is None
