"""Translation on the note page: offered, swapped in by htmx, polled while pending, labelled, and without JS."""

from __future__ import annotations

import pytest

from accounts.services import block, update_profile
from notes.models import Visibility
from notes.services import create_comment
from translation.models import TranslationJob
from translation.services import process_jobs

HX = {"HX-Request": "true"}


def _person(make_user, name, langs, *, auto):
    return update_profile(user=make_user(name, languages=langs), auto_translate=auto)


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    """OpenCC (zh-Hans <-> zh-Hant, instant) and the word gloss: both work offline, without a model."""
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def zh_note(make_user, post_note):
    author = make_user("chen", languages=["zh-Hans"])
    return post_note(author, title="台湾的早餐", body="这里的豆浆很好喝。", photos=0, language="zh-Hans")


@pytest.fixture
def reader(make_user, login):
    """A reader of Traditional Chinese who translates by hand (auto_translate off), signed in."""
    user = _person(make_user, "lin", ["zh-Hant"], auto=False)
    login(user)
    return user


def test_translate_button_offered_with_original_shown(client, zh_note, reader):
    html = client.get(f"/n/{zh_note.pk}/").content.decode()
    assert "豆浆" in html  # the original, at once
    assert f'id="tr-note-{zh_note.pk}"' in html
    assert f'href="/n/{zh_note.pk}/?translate=1#tr-note-{zh_note.pk}"' in html
    assert f'hx-get="/translate/note/{zh_note.pk}/"' in html
    assert 'hx-trigger="load"' not in html  # not automatic for this reader


def test_no_button_in_the_readers_own_language(client, make_user, login, zh_note):
    login(make_user("wang", languages=["zh-Hans"]))
    html = client.get(f"/n/{zh_note.pk}/").content.decode()
    assert "豆浆" in html
    assert "/translate/note/" not in html and "translate-tools" not in html


def test_htmx_swaps_in_the_labelled_translation_and_back(client, zh_note, reader):
    html = client.get(f"/translate/note/{zh_note.pk}/", headers=HX).content.decode()
    assert "豆漿" in html and "豆浆" not in html
    assert "Translated by OpenCC" in html
    assert 'lang="zh-Hant"' in html
    assert f'hx-get="/translate/note/{zh_note.pk}/?show=original"' in html
    assert "Show original" in html
    original = client.get(f"/translate/note/{zh_note.pk}/?show=original", headers=HX).content.decode()
    assert "豆浆" in original and "豆漿" not in original and ">Translate<" in original


def test_without_js_the_link_reloads_the_page_translated(client, zh_note, reader):
    response = client.get(f"/translate/note/{zh_note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/n/{zh_note.pk}/?translate=1"
    html = client.get(f"/n/{zh_note.pk}/?translate=1").content.decode()
    assert "豆漿" in html and "Translated by OpenCC" in html
    assert f'href="/n/{zh_note.pk}/?translate=0#tr-note-{zh_note.pk}"' in html
    assert "豆浆" in client.get(f"/n/{zh_note.pk}/?translate=0").content.decode()


def test_auto_translate_loads_after_the_page(client, make_user, login, zh_note):
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get(f"/n/{zh_note.pk}/").content.decode()
    assert "豆浆" in html  # the page does not wait for the translation
    assert f'hx-get="/translate/note/{zh_note.pk}/?auto=1" hx-trigger="load"' in html


def test_pending_is_polled_then_the_translation_is_labelled(settings, client, make_user, login, post_note):
    from tests.translation.fake_servers import FakeServer

    author = make_user("chen", languages=["zh-Hans"])
    note = post_note(
        author, title="今天天气很好，我们去公园吧", body="周末去了西湖，风景绝了", photos=0, language="zh-Hans"
    )
    login(_person(make_user, "sam", ["en"], auto=False))
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
        assert "Translating…" in html
        assert f'hx-get="/translate/note/{note.pk}/?n=1" hx-trigger="load delay:2s, tr-done"' in html
        assert "今天天气很好" in html and 'lang="zh-Hans"' in html  # the original meanwhile, nothing else
        assert "gloss" not in html.lower() and 'lang="en"' not in html
        process_jobs(list(TranslationJob.objects.filter(obj_id=note.pk).values_list("pk", flat=True)))
        html = client.get(f"/translate/note/{note.pk}/?n=1", headers=HX).content.decode()
    assert "The weather is nice today" in html and "Went to West Lake" in html
    assert "Translated by LibreTranslate" in html and "Word gloss" not in html
    assert 'lang="en"' in html


def test_polling_stops_after_a_while(settings, client, make_user, login, post_note):
    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
    settings.LIBRETRANSLATE_URL = "http://127.0.0.1:9"
    author = make_user("sam", languages=["en"])
    note = post_note(author, title="Breakfast", body="The soy milk here is great.", photos=0, language="en")
    login(_person(make_user, "wang", ["zh-Hans"], auto=False))
    html = client.get(f"/translate/note/{note.pk}/?n=30", headers=HX).content.decode()
    assert "The translation is taking a while." in html
    assert "hx-trigger" not in html
    assert client.get(f"/translate/note/{note.pk}/?n=abc", headers=HX).status_code == 404


def test_failed_translation_shows_original_and_try_again(settings, client, make_user, login, post_note):
    settings.TRANSLATION_ENGINES = ["opencc"]
    author = make_user("sam", languages=["en"])
    note = post_note(author, title="Breakfast", body="The soy milk here is great.", photos=0, language="en")
    login(_person(make_user, "wang", ["zh-Hans"], auto=False))
    html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert "This server cannot translate this language yet." in html
    assert "Try again" not in html  # nothing to retry: no engine for the pair
    assert "The soy milk here is great." in html


def test_comment_and_author_bio_translate(client, zh_note, reader):
    update_profile(user=zh_note.author, bio="喜欢吃早餐，住在台北")
    comment = create_comment(author=zh_note.author, note_id=zh_note.pk, body="欢迎来吃<script>alert(1)</script>早餐")
    page = client.get(f"/n/{zh_note.pk}/").content.decode()
    assert f'hx-get="/translate/comment/{comment.pk}/"' in page
    assert f'hx-get="/translate/bio/{zh_note.author.pk}/"' in page
    html = client.get(f"/translate/comment/{comment.pk}/", headers=HX).content.decode()
    assert "歡迎" in html and "<script>" not in html and "&lt;script&gt;" in html
    bio = client.get(f"/translate/bio/{zh_note.author.pk}/", headers=HX).content.decode()
    assert "喜歡" in bio and "Translated by OpenCC" in bio


def test_chinese_interface_labels(client, zh_note, reader):
    update_profile(user=reader, ui_language="zh-hans")
    html = client.get(f"/translate/note/{zh_note.pk}/", headers=HX).content.decode()
    assert "豆漿" in html and "由 OpenCC 翻译" in html and "查看原文" in html


def test_visitor_reads_in_the_interface_language(client, zh_note):
    """Anonymous: the target is the interface language (English here), and nothing is automatic."""
    html = client.get(f"/n/{zh_note.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert f'hx-get="/translate/note/{zh_note.pk}/"' in html and 'hx-trigger="load"' not in html
    chinese = client.get(f"/n/{zh_note.pk}/", headers={"Accept-Language": "zh-Hans"}).content.decode()
    assert "/translate/note/" not in chinese


def test_hidden_or_unknown_objects_are_404(client, make_user, login, post_note, zh_note):
    author = zh_note.author
    secret = post_note(
        author, title="私密", body="只给关注者看", photos=0, language="zh-Hans", visibility=Visibility.FOLLOWERS
    )
    stranger = make_user("lin", languages=["zh-Hant"])
    login(stranger)
    assert client.get(f"/translate/note/{secret.pk}/", headers=HX).status_code == 404
    assert client.get(f"/translate/poll/{zh_note.pk}/", headers=HX).status_code == 404
    assert client.get("/translate/comment/999/", headers=HX).status_code == 404
    assert client.get("/translate/bio/999/", headers=HX).status_code == 404
    block(blocker=author, blocked=stranger)
    assert client.get(f"/translate/bio/{author.pk}/", headers=HX).status_code == 404
    assert client.get(f"/translate/note/{zh_note.pk}/", headers=HX).status_code == 404
