"""A gloss never stands in for a translation: what a reader who reads several languages is (not) sent,
glosses only on request and labelled on their own field, reasons in the reader's language, retry."""

from __future__ import annotations

import re

import pytest

from accounts.services import update_profile
from notes.services import create_comment
from translation.models import JobState, TranslationJob
from translation.services import process_jobs

HX = {"HX-Request": "true"}
BATCH = re.compile(r'data-batch="(\w+)" hx-get="([^"]+)"')


def _person(make_user, name, langs, *, auto=True, ui=""):
    user = update_profile(user=make_user(name, languages=langs), auto_translate=auto)
    return update_profile(user=user, ui_language=ui) if ui else user


def _work_off(**filters):
    process_jobs(list(TranslationJob.objects.filter(**filters).values_list("pk", flat=True)))


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def mixed(make_user, post_note):
    """Notes in Simplified and Traditional Chinese, English and Japanese."""
    chen = make_user("chen", languages=["zh-Hans"])
    return {
        "zh": post_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans"),
        "tw": post_note(chen, title="臺灣的早餐", body="這裡的豆漿很好喝。", language="zh-Hant"),
        "en": post_note(chen, title="Breakfast in Queens", body="The soy milk here is great.", language="en"),
        "ja": post_note(chen, title="東京の朝ごはん", body="ここの豆乳はとてもおいしいです。", language="ja"),
    }


def _card_batch_ids(html: str) -> set[int]:
    found = [url for kind, url in BATCH.findall(html) if kind == "card"]
    if not found:
        return set()
    [url] = found
    return {int(i) for i in url.split("ids=")[1].split("&")[0].split("%2C")}


# --- a reader of English and Simplified Chinese -----------------------------------------------------


def test_bilingual_reader_gets_nothing_auto_translated_that_they_read(client, make_user, login, mixed):
    login(_person(make_user, "amy", ["en", "zh-Hans"]))
    html = client.get("/").content.decode()
    assert "台湾的早餐" in html and "臺灣的早餐" in html and "Breakfast in Queens" in html
    # Only the Japanese card is asked for; Chinese (either script) and English stay as written.
    assert _card_batch_ids(html) == {mixed["ja"].pk}
    for key in ("zh", "tw", "en"):
        page = client.get(f"/n/{mixed[key].pk}/").content.decode()
        assert 'hx-trigger="load"' not in page, key  # no automatic request
    zh_page = client.get(f"/n/{mixed['zh'].pk}/").content.decode()
    assert f'hx-get="/translate/note/{mixed["zh"].pk}/"' in zh_page and ">Translate<" in zh_page  # on request
    assert (
        f'hx-get="/translate/note/{mixed["ja"].pk}/?auto=1" hx-trigger="load"'
        in client.get(f"/n/{mixed['ja'].pk}/").content.decode()
    )


def test_bilingual_reader_comments_in_languages_they_read_are_not_batched(client, make_user, login, mixed):
    chen = mixed["zh"].author
    create_comment(author=chen, note_id=mixed["en"].pk, body="豆浆要趁热喝")
    create_comment(author=chen, note_id=mixed["en"].pk, body="See you tomorrow morning")
    login(_person(make_user, "amy", ["en", "zh-Hans"]))
    html = client.get(f"/n/{mixed['en'].pk}/").content.decode()
    assert "/translate/batch/comment/" not in html and 'data-state="auto"' not in html


def test_only_script_conversion_is_automatic_for_a_reader_of_the_other_script(client, make_user, login, mixed):
    """Preferring Simplified: Traditional cards are converted by OpenCC (exact), nothing else is touched."""
    login(_person(make_user, "wei", ["zh-Hans", "en"]))
    assert _card_batch_ids(client.get("/").content.decode()) == {mixed["tw"].pk, mixed["ja"].pk}


def test_auto_request_translates_only_the_fields_the_reader_does_not_read(client, make_user, login, on_commit):
    """An English note with a Chinese alt text, read by a reader of English and Chinese: nothing at all."""
    from notes.services import create_note, upload_photo
    from tests.conftest import image_bytes

    author = make_user("sam", languages=["en"])
    photo = upload_photo(owner=author, file=image_bytes(), alt_text="一碗面放在木桌上")
    with on_commit():
        note = create_note(author=author, title="Noodles", body="Lunch today.", photo_ids=[photo.pk], language="en")
    login(_person(make_user, "amy", ["en", "zh-Hans"]))
    fragment = client.get(f"/translate/note/{note.pk}/?auto=1", headers=HX).content.decode()
    assert 'data-state="offer"' in fragment and not TranslationJob.objects.exists()


# --- glosses only on request, labelled on their own field -------------------------------------------


def test_no_translation_engine_says_so_and_offers_the_gloss(client, make_user, login, mixed):
    note = mixed["zh"]
    login(_person(make_user, "sam", ["en"], auto=False))
    html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert 'data-state="failed"' in html and "这里的豆浆很好喝。" in html
    assert "This server cannot translate this language yet." in html
    assert f'hx-get="/translate/note/{note.pk}/?gloss=1"' in html
    assert "Show a word gloss (not a translation)" in html and "Try again" not in html
    assert "soy" not in html.lower()  # no gloss unasked
    pending = client.get(f"/translate/note/{note.pk}/?gloss=1", headers=HX).content.decode()
    assert "Translating…" in pending and f'hx-get="/translate/note/{note.pk}/?gloss=1&amp;n=1"' in pending
    _work_off(obj_id=note.pk)
    glossed = client.get(f"/translate/note/{note.pk}/?gloss=1&n=1", headers=HX).content.decode()
    assert '<span class="translated-by gloss">Word gloss (not a translation)</span>' in glossed
    assert "soy" in glossed.lower() and "Show a word gloss" not in glossed
    # Asked again without ?gloss=1: the reason again, not the gloss.
    assert "soy" not in client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode().lower()


def test_gloss_without_javascript(client, make_user, login, mixed):
    note = mixed["zh"]
    login(_person(make_user, "sam", ["en"], auto=False))
    page = client.get(f"/n/{note.pk}/?translate=1").content.decode()
    assert f'href="/n/{note.pk}/?translate=gloss#tr-note-{note.pk}"' in page
    response = client.get(f"/translate/note/{note.pk}/?gloss=1")
    assert response.status_code == 302 and response["Location"] == f"/n/{note.pk}/?translate=gloss"


def test_a_gloss_title_above_a_translated_text_is_labelled_on_the_title(
    client, make_user, login, libretranslate, post_note
):
    """The stand-in translates the text but not the title: the title alone is a gloss, and says so."""
    chen = make_user("chen", languages=["zh-Hans"])
    note = post_note(chen, title="早餐店的老板很热情", body="这里的豆浆很好喝。", language="zh-Hans")
    login(_person(make_user, "sam", ["en"], auto=False))
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    _work_off(obj_id=note.pk)
    html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert "The soy milk here is really good." in html and "早餐店的老板很热情" in html  # title: the original
    assert '<span class="translated-by">Translated by LibreTranslate</span>' in html
    assert 'data-field="title">The machine translation did not pass our checks, so it is not shown.</p>' in html
    assert "Word gloss" not in html and "Show a word gloss" in html
    glossed = client.get(f"/translate/note/{note.pk}/?gloss=1", headers=HX).content.decode()
    assert '<p class="field-label translated-by gloss" data-field="title">Word gloss (not a translation)</p>' in glossed
    assert '<p class="field-label translated-by" data-field="body">Translated by LibreTranslate</p>' in glossed
    assert '<span class="translated-by gloss">' not in glossed  # the note as a whole is not "a gloss"
    assert 'data-engine="gloss"' in glossed and 'data-engine="libretranslate"' in glossed


# --- failures in plain words, and Try again ---------------------------------------------------------


def test_failure_reason_in_the_readers_language_and_retry(client, make_user, login, libretranslate, mixed):
    note = mixed["zh"]
    libretranslate.mode = "down"
    login(_person(make_user, "sam", ["en"], auto=False, ui="zh-hans"))
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    _work_off(obj_id=note.pk)
    html = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert "现在无法连接翻译引擎。" in html and "HTTP 503" not in html and "ratio" not in html
    assert f'hx-get="/translate/note/{note.pk}/?retry=1"' in html and "重试" in html
    libretranslate.mode = "ok"
    retried = client.get(f"/translate/note/{note.pk}/?retry=1", headers=HX).content.decode()
    assert 'data-state="pending"' in retried
    assert f'hx-get="/translate/note/{note.pk}/?n=1"' in retried  # the poll does not retry again
    assert set(TranslationJob.objects.filter(obj_id=note.pk).values_list("state", flat=True)) == {JobState.PENDING}
    _work_off(obj_id=note.pk)
    done = client.get(f"/translate/note/{note.pk}/?n=1", headers=HX).content.decode()
    assert "Breakfast in Taiwan" in done and "由 LibreTranslate 翻译" in done


def test_retry_without_javascript(client, make_user, login, libretranslate, mixed):
    note = mixed["zh"]
    libretranslate.mode = "down"
    login(_person(make_user, "sam", ["en"], auto=False))
    client.get(f"/translate/note/{note.pk}/", headers=HX)
    _work_off(obj_id=note.pk)
    page = client.get(f"/n/{note.pk}/?translate=1").content.decode()
    assert f'href="/n/{note.pk}/?translate=retry#tr-note-{note.pk}"' in page
    client.get(f"/n/{note.pk}/?translate=retry")
    assert set(TranslationJob.objects.filter(obj_id=note.pk).values_list("state", flat=True)) == {JobState.PENDING}


def test_cards_never_show_a_gloss(client, make_user, login, mixed):
    """English reader, auto-translate, only the gloss for Chinese: every card keeps its title."""
    login(_person(make_user, "sam", ["en"]))
    ids = ",".join(str(mixed[k].pk) for k in ("zh", "tw"))
    html = client.get(f"/translate/batch/card/?ids={ids}", headers=HX).content.decode()
    assert "card-title-box" not in html and "tr-batch" not in html  # failed: nothing to swap or poll
    assert not TranslationJob.objects.exists()


# --- the native API ---------------------------------------------------------------------------------


def test_native_api_fields_carry_engine_reason_and_no_gloss_unasked(client, make_user, libretranslate, mixed):
    note = mixed["zh"]
    data = client.post(f"/api/nb/v1/translation/note/{note.pk}?target=en").json()
    assert data["fields"]["title"]["status"] == "pending" and data["fields"]["title"]["text"] == "台湾的早餐"
    _work_off(obj_id=note.pk)
    fields = client.post(f"/api/nb/v1/translation/note/{note.pk}?target=en").json()["fields"]
    assert (
        fields["title"] | {"status": "ready", "text": "Breakfast in Taiwan", "engine": "libretranslate"}
        == (fields["title"])
    )
    assert fields["body"]["engine"] == "libretranslate" and fields["body"]["is_gloss"] is False
    tw = client.post(f"/api/nb/v1/translation/note/{mixed['tw'].pk}?target=en").json()["fields"]
    _work_off(obj_id=mixed["tw"].pk)
    tw = client.post(f"/api/nb/v1/translation/note/{mixed['tw'].pk}?target=en").json()["fields"]
    title = tw["title"]  # unknown to the stand-in: refused, kept as written, with the reason
    assert title["status"] == "failed" and title["text"] == "臺灣的早餐" and title["is_gloss"] is False
    assert title["error_code"] == "rejected" and title["can_retry"] is True and title["gloss_available"] is True
    assert title["error"] == "The machine translation did not pass our checks, so it is not shown."
