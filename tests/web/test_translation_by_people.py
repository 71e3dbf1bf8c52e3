"""Translations written by people on the web: the author's translation in compose and edit, shown as
"Translated by the author" to readers of that language; "Suggest a better translation" on a machine
translation, the form at /n/<id>/suggest/, and the author's page to approve or decline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import update_profile
from notes.models import Note, NoteTranslation, SuggestionState, TranslationSuggestion, Visibility
from notes.services import upload_photo
from notifications.models import Notification
from tests.conftest import image_bytes

HX = {"HX-Request": "true"}
EN_TITLE, EN_BODY = "Breakfast in Taiwan", "The soy milk here is really good."


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def chen(make_user):
    return make_user("chen", languages=["zh-Hans"])


@pytest.fixture
def note(chen, make_note):
    return make_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans")


def _reader(make_user, name, langs):
    return update_profile(user=make_user(name, languages=langs), auto_translate=True)


def _compose(client, chen, **extra):
    photo = upload_photo(owner=chen, file=image_bytes())
    data = {"title": "台湾的早餐", "body": "这里的豆浆很好喝。", "visibility": "public", "photo_ids": [photo.pk]}
    return client.post(reverse("web:compose"), data | extra)


def test_compose_with_translation_then_reader_sees_it_labelled(client, login, chen, make_user, on_commit):
    login(chen)
    with on_commit():
        response = _compose(
            client, chen, translation_language="en", translation_title=EN_TITLE, translation_body=EN_BODY
        )
    assert response.status_code == 302
    note = Note.objects.get(author=chen)
    assert note.state == "published"
    assert NoteTranslation.objects.get(note=note, language="en").body == EN_BODY

    client.logout()
    login(_reader(make_user, "sam", ["en"]))
    html = client.get(f"/translate/note/{note.pk}/?auto=1", headers=HX).content.decode()
    assert EN_TITLE in html and EN_BODY in html
    assert 'data-engine="author"' in html and "Translated by the author" in html
    assert "Suggest a better translation" not in html  # only on a machine translation
    # Without JavaScript: the page itself with ?translate=1.
    page = client.get(f"/n/{note.pk}/?translate=1").content.decode()
    assert EN_BODY in page and "Translated by the author" in page


def test_reader_in_chinese_interface_sees_the_chinese_label(client, login, chen, make_user, note, on_commit):
    with on_commit():
        from notes.translations import set_author_translation

        set_author_translation(author=chen, note_id=note.pk, language="en", title=EN_TITLE, body=EN_BODY)
    sam = _reader(make_user, "sam", ["en"])
    sam.ui_language = "zh-hans"
    sam.save(update_fields=["ui_language"])
    login(sam)
    html = client.get(f"/translate/note/{note.pk}/?auto=1", headers={**HX, "Accept-Language": "zh-hans"})
    assert "作者翻译" in html.content.decode()


def test_refused_translation_keeps_the_form_and_saves_nothing(client, login, chen):
    login(chen)
    response = _compose(
        client, chen, translation_language="zh-Hans", translation_title="台湾", translation_body="自己的语言"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "already written in that language" in html and "自己的语言" in html  # nothing the author typed is lost
    assert not Note.objects.filter(author=chen).exists()  # one transaction: no half-saved note
    long = _compose(client, chen, translation_language="en", translation_title="x", translation_body="y" * 6000)
    assert long.status_code == 422 and not NoteTranslation.objects.exists()


def test_edit_page_shows_and_changes_the_translation(client, login, chen, note, on_commit):
    login(chen)
    with on_commit():
        client.post(
            reverse("web:edit_note", args=[note.pk]),
            {
                "title": note.title,
                "body": note.body,
                "visibility": "public",
                "photo_ids": [p.pk for p in note.photos.all()],
                "translation_language": "en",
                "translation_title": EN_TITLE,
                "translation_body": "<script>alert(1)</script>",
            },
        )
    page = client.get(reverse("web:edit_note", args=[note.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert NoteTranslation.objects.get(note=note).body == "<script>alert(1)</script>"  # stored as typed


def test_suggest_approve_flow(client, login, chen, make_user, note, on_commit):
    mei = _reader(make_user, "mei", ["zh-Hant"])
    login(mei)
    html = client.get(f"/translate/note/{note.pk}/?auto=1", headers=HX).content.decode()
    assert 'data-engine="opencc"' in html  # a machine translation (OpenCC, to Traditional)
    link = f"/n/{note.pk}/suggest/?lang=zh-Hant"
    assert f'href="{link}"' in html and "Suggest a better translation" in html
    form = client.get(link).content.decode()
    assert "臺灣的早餐" in form  # the machine's translation, to improve
    with on_commit():
        response = client.post(
            f"/n/{note.pk}/suggest/", {"language": "zh-Hant", "title": "臺灣早餐", "body": "這裡的豆漿真好喝。"}
        )
    assert response.status_code == 302
    suggestion = TranslationSuggestion.objects.get()
    assert suggestion.state == SuggestionState.OPEN

    client.logout()
    login(chen)
    assert Notification.objects.filter(recipient=chen, type="suggestion").exists()
    inbox = client.get("/notifications/?tab=comments").content.decode()
    assert reverse("web:note_suggestions", args=[note.pk]) in inbox
    page = client.get(reverse("web:note_suggestions", args=[note.pk])).content.decode()
    assert "這裡的豆漿真好喝。" in page
    with on_commit():
        response = client.post(reverse("web:decide_suggestion", args=[suggestion.pk, "approve"]))
    assert response.status_code == 302
    assert NoteTranslation.objects.get(note=note, language="zh-Hant").body == "這裡的豆漿真好喝。"

    client.logout()
    login(mei)
    html = client.get(f"/translate/note/{note.pk}/?auto=1", headers=HX).content.decode()
    assert "這裡的豆漿真好喝。" in html and 'data-engine="author"' in html
    assert "Suggest a better translation" not in html


def test_suggest_form_refusals(client, login, chen, make_user, make_note, note, settings):
    settings.RATE_LIMITS = {"suggest.user_new": "100/1h"}  # many refused tries in a row, from a new account
    sam = _reader(make_user, "sam", ["en"])
    login(sam)
    # Hostile and malformed input: a clear message, nothing stored.
    for data, needle in [
        ({"language": "xx", "title": "a", "body": "b"}, "Select a valid choice"),
        ({"language": "zh-Hans", "title": "a", "body": "b"}, "already written in that language"),
        ({"language": "en", "title": "a", "body": "b" * 5001}, "at most 5000"),
        ({"language": "en", "title": "", "body": "b"}, "Translate the title too"),
    ]:
        response = client.post(f"/n/{note.pk}/suggest/", data)
        assert response.status_code == 422 and needle in response.content.decode(), needle
    assert not TranslationSuggestion.objects.exists()
    # A note sam cannot see: 404, whatever he sends.
    private = make_note(chen, title="私人", body="只给关注者看", language="zh-Hans", visibility=Visibility.FOLLOWERS)
    assert client.get(f"/n/{private.pk}/suggest/").status_code == 404
    assert client.post(f"/n/{private.pk}/suggest/", {"language": "en", "title": "a", "body": "b"}).status_code == 404
    assert client.post("/n/999999999/suggest/", {"language": "en", "title": "a", "body": "b"}).status_code == 404
    # Someone else's suggestions page and decisions: 403.
    assert client.get(reverse("web:note_suggestions", args=[note.pk])).status_code == 403
    other = TranslationSuggestion.objects.create(
        note=note, suggester=make_user("eve"), language="en", title="a", body="b", state=SuggestionState.OPEN
    )
    assert client.post(reverse("web:decide_suggestion", args=[other.pk, "approve"])).status_code == 403
    assert client.post(reverse("web:decide_suggestion", args=[other.pk, "explode"])).status_code == 404
    assert client.get(reverse("web:decide_suggestion", args=[other.pk, "approve"])).status_code == 405
    assert TranslationSuggestion.objects.get(pk=other.pk).state == SuggestionState.OPEN
    # The author is sent to their own edit page.
    client.logout()
    login(chen)
    assert client.get(f"/n/{note.pk}/suggest/").url == reverse("web:edit_note", args=[note.pk])
    client.logout()
    assert client.get(f"/n/{note.pk}/suggest/").status_code == 302  # visitors log in first


def test_suggestions_are_rate_limited(client, login, make_user, make_note, chen, settings):
    settings.RATE_LIMITS = {"suggest.user": "2/1h", "suggest.user_new": "2/1h"}
    notes = [make_note(chen, title=f"早餐{i}", body="豆浆", language="zh-Hans") for i in range(3)]
    login(_reader(make_user, "sam", ["en"]))
    codes = [
        client.post(f"/n/{n.pk}/suggest/", {"language": "en", "title": "Breakfast", "body": "Soy milk"}).status_code
        for n in notes
    ]
    assert codes == [302, 302, 429]
    assert TranslationSuggestion.objects.count() == 2


def test_cards_show_the_authors_translation(client, login, chen, make_user, note, on_commit):
    from notes.translations import set_author_translation

    with on_commit():
        set_author_translation(author=chen, note_id=note.pk, language="en", title=EN_TITLE, body=EN_BODY)
    login(_reader(make_user, "sam", ["en"]))
    html = client.get(f"/translate/batch/card/?ids={note.pk}", headers=HX).content.decode()
    assert f'id="ct-{note.pk}"' in html
    assert f'<h3 class="card-title" lang="en" data-engine="author">{EN_TITLE}</h3>' in html
    assert "Translated by the author" in html
