"""Translation through the Mastodon API: /statuses/:id/translate, instance translation languages."""

from __future__ import annotations

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError

from notes.models import Visibility
from notes.services import create_comment


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    """OpenCC (zh-Hans <-> zh-Hant) and the word gloss work offline; nothing waits for a worker."""
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    settings.TRANSLATION_SYNC_WAIT_S = 0


def _zh_note(make_note, author, **kwargs):
    return make_note(author, title="台湾的早餐", body="这里的豆浆很好喝。", photos=0, language="zh-Hans", **kwargs)


def test_translate_simplified_to_traditional(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note = _zh_note(make_note, author)
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["language"] == "zh-TW"
    assert data["detected_source_language"] == "zh"
    assert "臺灣" in data["content"] or "台灣" in data["content"]
    assert "豆漿" in data["content"]
    assert data["provider"] == "Notebridge (opencc)"
    assert data["is_gloss"] is False
    assert data["spoiler_text"] == "" and data["poll"] is None


def test_translate_lang_parameter_overrides_preference(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("sam", languages=["en"])
    note = _zh_note(make_note, author)
    data = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate", {"lang": "zh-TW"}).json()
    assert data["language"] == "zh-TW" and "豆漿" in data["content"]


def test_a_gloss_never_answers_a_translate_request(make_user, make_note, client_for):
    """Only the word gloss knows Chinese -> English here: 503 with the reason, never the gloss."""
    from translation.models import TranslationJob

    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("sam", languages=["en"])
    note = _zh_note(make_note, author)
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate", {"lang": "en"})
    assert response.status_code == 503
    assert "This server cannot translate this language yet." in response.json()["error"]
    assert not TranslationJob.objects.exists()  # no worker asked for a gloss nobody will be shown


def test_same_language_is_403(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("wang", languages=["zh-Hans"])
    note = _zh_note(make_note, author)
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 403
    assert "error" in response.json()


def test_no_engine_for_the_pair_is_503(settings, make_user, make_note, client_for):
    settings.TRANSLATION_ENGINES = ["opencc"]
    author = make_user("sam", languages=["en"])
    reader = make_user("wang", languages=["zh-Hans"])
    note = make_note(author, title="Breakfast", body="The soy milk here is great.", photos=0, language="en")
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 503
    assert "not available" in response.json()["error"]


def test_pending_translation_is_503_and_job_recorded(settings, make_user, make_note, client_for):
    from translation.models import TranslationJob

    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
    settings.LIBRETRANSLATE_URL = "http://127.0.0.1:9"
    author = make_user("sam", languages=["en"])
    reader = make_user("wang", languages=["zh-Hans"])
    note = make_note(author, title="Breakfast", body="The soy milk here is great.", photos=0, language="en")
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 503
    assert TranslationJob.objects.filter(obj_id=note.pk, target_language="zh-Hans").exists()


def test_translate_a_reply(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note = _zh_note(make_note, author)
    comment = create_comment(author=author, note_id=note.pk, body="欢迎来台湾吃早餐")
    response = client_for(reader).post(f"/api/v1/statuses/{comment.pk}/translate")
    assert response.status_code == 200, response.content
    assert "歡迎" in response.json()["content"]


def test_invisible_status_is_404(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    stranger = make_user("lin", languages=["zh-Hant"])
    note = _zh_note(make_note, author, visibility=Visibility.FOLLOWERS)
    response = client_for(stranger).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 404


@pytest.mark.parametrize("lang", ["fr", "x" * 40, "<script>"])
def test_unsupported_or_hostile_lang_is_422(make_user, make_note, client_for, lang):
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note = _zh_note(make_note, author)
    response = client_for(reader).post(f"/api/v1/statuses/{note.pk}/translate", {"lang": lang})
    assert response.status_code == 422


def test_translate_requires_a_user_and_post(make_user, make_note, client_for):
    author = make_user("chen", languages=["zh-Hans"])
    note = _zh_note(make_note, author)
    assert client_for().post(f"/api/v1/statuses/{note.pk}/translate").status_code == 401
    assert client_for(author).get(f"/api/v1/statuses/{note.pk}/translate").status_code == 405
    assert client_for(author).post("/api/v1/statuses/notanid/translate").status_code == 404


def test_instance_translation_languages_and_flag(db, client_for):
    langs = client_for().get("/api/v1/instance/translation_languages").json()
    assert "zh-TW" in langs["zh"] and "zh" in langs["zh-TW"]
    assert "en" not in langs  # the gloss alone does not count as a translation engine
    assert client_for().get("/api/v2/instance").json()["configuration"]["translation"]["enabled"] is True


def test_instance_translation_disabled_without_engines(settings, db, client_for):
    settings.TRANSLATION_ENGINES = ["gloss"]
    assert client_for().get("/api/v1/instance/translation_languages").json() == {}
    assert client_for().get("/api/v2/instance").json()["configuration"]["translation"]["enabled"] is False


def test_mastodon_py_status_translate(live_server, settings, make_user, make_note):
    from api.services import issue_token

    settings.SITE_URL = live_server.url
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note = _zh_note(make_note, author)
    _token, raw = issue_token(user=reader, application=None, scopes=["read"])
    client = Mastodon(access_token=raw, api_base_url=live_server.url)
    translated = client.status_translate(note.pk)
    assert "豆漿" in translated.content and translated.language == "zh-TW"
    with pytest.raises(MastodonAPIError):
        client.status_translate(note.pk, lang="zh")


def _note_with_alt(author, on_commit, alt="一碗面放在木桌上", tags=("火锅",)):
    from notes.services import create_note, upload_photo
    from tests.conftest import image_bytes

    photo = upload_photo(owner=author, file=image_bytes(), alt_text=alt)
    with on_commit():
        note = create_note(
            author=author,
            title="台湾的早餐",
            body="这里的豆浆很好喝。",
            photo_ids=[photo.pk],
            tags=list(tags),
            language="zh-Hans",
        )
    return note, photo


def test_translation_entity_carries_translated_alt_texts(make_user, client_for, on_commit):
    """Mastodon's Translation entity: one media_attachments entry per described photo, same id as the status's."""
    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note, photo = _note_with_alt(author, on_commit)
    client = client_for(reader)
    data = client.post(f"/api/v1/statuses/{note.pk}/translate").json()
    assert data["media_attachments"] == [{"id": str(photo.pk), "description": "一碗麵放在木桌上"}]
    status = client.get(f"/api/v1/statuses/{note.pk}").json()
    assert [m["id"] for m in status["media_attachments"]] == [str(photo.pk)]
    assert status["media_attachments"][0]["description"] == "一碗面放在木桌上"  # the status keeps the original


def test_translation_waits_for_alt_texts_too(settings, make_user, client_for, on_commit):
    """An English reader: title, body and alt text all go to a worker; until then 503, then all three."""
    from tests.translation.fake_servers import FakeServer
    from translation.models import TranslationJob
    from translation.services import process_jobs

    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("sam", languages=["en"])
    note, photo = _note_with_alt(author, on_commit)
    client = client_for(reader)
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        assert client.post(f"/api/v1/statuses/{note.pk}/translate").status_code == 503
        assert TranslationJob.objects.filter(obj_kind="alt", obj_id=photo.pk, target_language="en").exists()
        process_jobs(list(TranslationJob.objects.values_list("pk", flat=True)))
        data = client.post(f"/api/v1/statuses/{note.pk}/translate").json()
    [attachment] = data["media_attachments"]
    assert attachment["id"] == str(photo.pk) and attachment["description"] == "A bowl of noodles on a wooden table"
    assert data["is_gloss"] is False and data["provider"] == "Notebridge (libretranslate)"


def test_native_api_translates_a_notes_tags_by_name(make_user, on_commit, client):
    author = make_user("chen", languages=["zh-Hans"])
    note, photo = _note_with_alt(author, on_commit, tags=("火锅", "food"))
    data = client.post(f"/api/nb/v1/translation/note/{note.pk}?target=zh-Hant").json()
    fields = data["fields"]
    assert fields["tag:火锅"]["text"] == "火鍋" and fields["tag:火锅"]["status"] == "ready"
    # English to Chinese: nothing but the word gloss here, so no translation, and the reason.
    assert fields["tag:food"]["status"] == "failed" and fields["tag:food"]["error_code"] == "no_engine"
    assert fields["tag:food"]["text"] == "food" and fields["tag:food"]["gloss_available"] is True
    assert fields[f"alt:{photo.pk}"]["text"] == "一碗麵放在木桌上"
    assert fields["body"]["text"] == "這裡的豆漿很好喝。"


def test_native_api_translates_one_tag(make_user, make_note, client):
    author = make_user("chen", languages=["zh-Hans"])
    make_note(author, title="火锅", body="牛油锅底非常香", tags=["火锅"], language="zh-Hans")
    response = client.post("/api/nb/v1/translation/tag/火锅?target=zh-Hant")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["kind"] == "tag" and data["id"] == "火锅"
    assert data["fields"]["display"]["text"] == "火鍋" and data["fields"]["display"]["engine"] == "opencc"
    assert client.post("/api/nb/v1/translation/tag/%23火锅?target=zh-Hant").status_code == 200  # "#" is ignored
    assert client.post("/api/nb/v1/translation/tag/nosuchtag?target=zh-Hant").status_code == 404
    assert client.post("/api/nb/v1/translation/tag/火锅?target=klingon").status_code == 422


def test_a_slow_alt_text_does_not_hold_back_the_text(settings, make_user, client_for, on_commit):
    """Title and body are translated at once (OpenCC) while the English alt text waits for a worker (an
    English-to-Chinese engine; here a LibreTranslate-compatible server, so the test does not depend on
    the optional local model): the answer carries the translated text now, without that alt text; once
    the worker is done, with it."""
    from tests.translation.fake_servers import FakeServer
    from translation.models import TranslationJob
    from translation.services import process_jobs

    author = make_user("chen", languages=["zh-Hans"])
    reader = make_user("lin", languages=["zh-Hant"])
    note, photo = _note_with_alt(author, on_commit, alt="A bowl of noodles on a wooden table")
    client = client_for(reader)
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        settings.TRANSLATION_SYNC_WAIT_S = 0
        response = client.post(f"/api/v1/statuses/{note.pk}/translate")
        assert response.status_code == 200, response.content
        data = response.json()
        assert "豆漿" in data["content"] and data["media_attachments"] == []
        assert TranslationJob.objects.filter(obj_kind="alt", obj_id=photo.pk, target_language="zh-Hant").exists()
        process_jobs(list(TranslationJob.objects.values_list("pk", flat=True)))
        [attachment] = client.post(f"/api/v1/statuses/{note.pk}/translate").json()["media_attachments"]
    assert attachment["id"] == str(photo.pk) and attachment["description"] != "A bowl of noodles on a wooden table"


def test_a_failed_text_is_503_and_a_same_language_note_403(settings, make_user, make_note, client_for):
    settings.TRANSLATION_ENGINES = ["opencc"]
    author = make_user("sam", languages=["en"])
    note = make_note(author, title="Breakfast", body="The soy milk here is great.", photos=0, language="en")
    failed = client_for(make_user("wang", languages=["zh-Hans"])).post(f"/api/v1/statuses/{note.pk}/translate")
    assert failed.status_code == 503 and failed.json()["error"].startswith("Translation is not available right now")
    reason = failed.json()["error"].split(": ", 1)[1]
    assert reason and "; " not in reason  # title and body failed for one reason: it is said once
    same = client_for(make_user("amy", languages=["en"])).post(f"/api/v1/statuses/{note.pk}/translate")
    assert same.status_code == 403


def test_translate_says_the_local_engine_is_being_prepared(settings, tmp_path, make_user, make_note, client_for):
    """`make run` is still preparing the model: 503 saying so, with its progress, never a gloss."""
    from translation import preparation

    settings.TRANSLATION_ENGINES = ["opencc", "llm", "gloss"]
    settings.DATA_DIR = tmp_path / "data"
    settings.LOCAL_MODEL_PREPARE = True
    preparation.StatusWriter().progress("download", 0.5, "part 11 of 22")  # 84% overall
    note = _zh_note(make_note, make_user("chen", languages=["zh-Hans"]))
    response = client_for(make_user("sam", languages=["en"])).post(f"/api/v1/statuses/{note.pk}/translate")
    assert response.status_code == 503
    assert "The translation engine is being prepared (84% done)." in response.json()["error"]
