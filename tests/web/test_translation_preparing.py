"""While `make run` prepares the local engine, readers are told so, with its progress, in their language.

The status file is written by the preparation's own writer (translation/preparation.py), as the running
background step writes it; the reader's side goes through the real pages and the native API.
"""

from __future__ import annotations

import json
import time

import pytest

from accounts.services import update_profile
from translation import preparation
from translation.models import TranslationJob

HX = {"HX-Request": "true"}
EN = "The translation engine is being prepared (30% done). Try again in a few minutes."
ZH = "翻译引擎正在准备中（已完成 30%），请几分钟后再试。"


@pytest.fixture(autouse=True)
def _engines(settings, tmp_path):
    """The local model configured but not there yet; the gloss and OpenCC work meanwhile."""
    settings.TRANSLATION_ENGINES = ["opencc", "llm", "gloss"]
    settings.DATA_DIR = tmp_path / "data"
    settings.LOCAL_MODEL_PREPARE = True


@pytest.fixture
def running():
    writer = preparation.StatusWriter()
    writer.progress("runtime", 0.4, "building the runtime")  # 30% overall
    return writer


@pytest.fixture
def zh_note(make_user, post_note):
    chen = make_user("chen", languages=["zh-Hans"])
    return post_note(chen, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans", photos=0)


def _reader(make_user, name, ui=""):
    user = make_user(name, languages=["en"])
    return update_profile(user=user, ui_language=ui) if ui else user


def test_native_api_says_the_engine_is_being_prepared(client, zh_note, running):
    fields = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]
    title = fields["title"]
    assert title["status"] == "failed" and title["error_code"] == "preparing" and title["error"] == EN
    assert title["text"] == "台湾的早餐" and title["can_retry"] is True and title["gloss_available"] is True
    assert not TranslationJob.objects.exists()  # nothing queued for an engine that is not there yet


def test_the_note_page_says_so_in_english(client, make_user, login, zh_note, running):
    login(_reader(make_user, "sam"))
    html = client.get(f"/translate/note/{zh_note.pk}/", headers=HX).content.decode()
    assert EN in html and "Try again" in html and ZH not in html


def test_the_note_page_says_so_in_chinese(client, make_user, login, zh_note, running):
    login(_reader(make_user, "mei", ui="zh-hans"))
    html = client.get(f"/translate/note/{zh_note.pk}/", headers=HX).content.decode()
    assert ZH in html and "重试" in html and EN not in html


def test_a_gloss_asked_for_is_still_given(client, make_user, login, zh_note, running):
    login(_reader(make_user, "sam"))
    client.get(f"/translate/note/{zh_note.pk}/?gloss=1", headers=HX)
    assert TranslationJob.objects.filter(obj_id=zh_note.pk).exists()  # the gloss is made by a worker


def test_a_preparation_not_heard_from_is_not_promised(client, zh_note, running):
    data = preparation.read_status()
    data["updated_at"] = time.time() - preparation.STALE_AFTER_S - 5
    preparation.status_path().write_text(json.dumps(data))
    title = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]["title"]
    assert title["error_code"] == "no_engine"


def test_finished_or_failed_preparations_are_not_promised(client, zh_note, running):
    running.update(force=True, state="failed", message="building llama-cpp-python failed (exit 1)")
    title = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]["title"]
    assert title["error_code"] == "no_engine"


def test_without_the_local_engine_configured_nothing_is_promised(client, settings, zh_note, running):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    title = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]["title"]
    assert title["error_code"] == "no_engine"


def test_the_operator_page_shows_the_preparation(client, make_user, login, running):
    staff = make_user("kai")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    login(staff)
    html = client.get("/ops/translation/").content.decode()
    assert 'data-state="running"' in html and "building and installing the runtime" in html
    assert '<span data-stat="prep-percent">30%</span>' in html
    assert "translation-engine.log" in html
    running.update(force=True, state="failed", message="building llama-cpp-python failed (exit 1)")
    html = client.get("/ops/translation/").content.decode()
    assert 'data-state="failed"' in html and "building llama-cpp-python failed (exit 1)" in html
    running.update(force=True, state="ready", seconds={"runtime": 612.3, "download": 80.1, "join": 9.5})
    html = client.get("/ops/translation/").content.decode()
    assert 'data-state="ready"' in html and "runtime 612.3 s" in html


# --- the local model switched off (NOTEBRIDGE_LOCAL_MODEL=0): said as it is, not "cannot translate yet" --

OFF_EN = "Machine translation of this language is switched off on this server."
OFF_ZH = "本服务器已关闭这种语言的机器翻译。"


@pytest.fixture
def switched_off(settings):
    settings.LOCAL_MODEL_PREPARE = False


def test_native_api_says_machine_translation_is_switched_off(client, zh_note, switched_off):
    title = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]["title"]
    assert title["status"] == "failed" and title["error_code"] == "off" and title["error"] == OFF_EN
    assert title["can_retry"] is False and title["gloss_available"] is True
    assert not TranslationJob.objects.exists()


@pytest.mark.parametrize("ui,said,gloss", [("", OFF_EN, "Show a word gloss"), ("zh-hans", OFF_ZH, "逐词释义")])
def test_the_note_page_says_it_is_switched_off_and_offers_the_gloss(
    client, make_user, login, zh_note, switched_off, ui, said, gloss
):
    login(_reader(make_user, "sam", ui=ui))
    html = client.get(f"/translate/note/{zh_note.pk}/", headers=HX).content.decode()
    assert said in html and gloss in html
    assert "cannot translate" not in html and "暂时无法翻译" not in html and "Try again" not in html


def test_an_engine_for_another_pair_is_not_called_switched_off(client, make_user, zh_note, switched_off, settings):
    """The local model is off, and the pair is one it would not translate either: no engine, plainly."""
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    title = client.post(f"/api/nb/v1/translation/note/{zh_note.pk}?target=en").json()["fields"]["title"]
    assert title["error_code"] == "no_engine"
