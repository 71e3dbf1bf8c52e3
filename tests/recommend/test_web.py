"""The web Discover: "For you" with a reason per card for signed-in readers, "Not interested", the
language mix; anonymous readers keep trending."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from recommend.models import Interaction, ReaderPreference


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_signed_in_readers_get_for_you_with_reasons(catalogue, reader):
    page = signed_in(reader).get(reverse("web:discover"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "For you" in html
    assert html.count("Why am I seeing this?") >= 10
    assert "Not interested" in html
    assert 'data-rec-pos="0"' in html


def test_anonymous_readers_keep_trending(catalogue):
    html = Client().get(reverse("web:discover")).content.decode()
    assert "Why am I seeing this?" not in html
    assert "Sichuan hot pot at home" in html


def test_reasons_are_in_chinese_for_a_chinese_interface(catalogue, reader):
    client = signed_in(reader)
    html = client.get(reverse("web:discover"), HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "为什么推荐给我" in html
    assert "不感兴趣" in html


def test_not_interested_records_a_hide_and_changes_the_next_page(catalogue, reader):
    _authors, notes = catalogue
    client = signed_in(reader)
    first = client.get(reverse("web:discover")).content.decode()
    assert "Sichuan hot pot at home" in first
    target = next(n for n in notes if n.title == "Sichuan hot pot at home")
    answer = client.post(reverse("web:not_interested", args=[target.pk]), {"reason": "author"})
    assert answer.status_code == 302
    assert Interaction.objects.filter(user=reader, kind="hide", note=target, reason="author").exists()
    again = client.get(reverse("web:discover")).content.decode()
    assert "Sichuan hot pot at home" not in again
    assert "Dumplings from scratch" not in again  # the same author, "show less from this author"


def test_not_interested_with_htmx_answers_in_place(catalogue, reader):
    _authors, notes = catalogue
    answer = signed_in(reader).post(reverse("web:not_interested", args=[notes[0].pk]), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "less like this" in answer.content.decode()


def test_not_interested_in_an_unknown_note_is_404_and_needs_a_sign_in(catalogue, reader):
    assert signed_in(reader).post(reverse("web:not_interested", args=[1])).status_code == 404
    _authors, notes = catalogue
    anonymous = Client().post(reverse("web:not_interested", args=[notes[0].pk]))
    assert anonymous.status_code in (302, 401, 403)
    assert not Interaction.objects.exists()


def test_language_mix_setting(catalogue, reader):
    client = signed_in(reader)
    assert client.post(reverse("web:language_mix"), {"language_mix": "4"}).status_code == 302
    assert ReaderPreference.objects.get(user=reader).language_mix == 4
    client.post(reverse("web:language_mix"), {"language_mix": "nine"})
    assert ReaderPreference.objects.get(user=reader).language_mix == 4
    html = client.get(reverse("web:discover")).content.decode()
    assert "Show me the world" in html
