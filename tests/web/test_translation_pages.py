"""Translation beyond a note's text: the profile bio, photo alt texts and tags (note page and tag page)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from accounts.services import update_profile
from notes.services import create_note, upload_photo
from tests.conftest import image_bytes
from translation.models import TranslationJob
from translation.services import process_jobs

HX = {"HX-Request": "true"}


def _person(make_user, name, langs, *, auto):
    return update_profile(user=make_user(name, languages=langs), auto_translate=auto)


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


@pytest.fixture
def chen(make_user):
    return update_profile(user=make_user("chen", languages=["zh-Hans"]), bio="喜欢吃早餐，住在台北")


@pytest.fixture
def tagged_note(chen, on_commit):
    photo = upload_photo(owner=chen, file=image_bytes(), alt_text="一碗面放在木桌上")
    with on_commit():
        return create_note(
            author=chen,
            title="台湾的早餐",
            body="这里的豆浆很好喝。",
            photo_ids=[photo.pk],
            tags=["火锅", "food"],
            language="zh-Hans",
        )


def _work_off(**filters):
    process_jobs(list(TranslationJob.objects.filter(**filters).values_list("pk", flat=True)))


# --- profile bio ----------------------------------------------------------------------------------


def test_profile_bio_offers_translation(client, make_user, login, chen):
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    html = client.get("/u/chen/").content.decode()
    assert "喜欢吃早餐" in html  # the original at once
    assert f'id="tr-bio-{chen.pk}"' in html
    assert f'hx-get="/translate/bio/{chen.pk}/"' in html
    assert f'href="/u/chen/?translate=1#tr-bio-{chen.pk}"' in html
    assert 'hx-trigger="load"' not in html  # this reader translates by hand


def test_profile_bio_auto_translate_loads_after_the_page(client, make_user, login, chen):
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get("/u/chen/").content.decode()
    assert "喜欢吃早餐" in html
    assert f'hx-get="/translate/bio/{chen.pk}/?auto=1" hx-trigger="load"' in html


def test_profile_bio_translated_labelled_and_back(client, make_user, login, chen):
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    fragment = client.get(f"/translate/bio/{chen.pk}/", headers=HX).content.decode()
    assert "喜歡" in fragment and "Translated by OpenCC" in fragment and 'lang="zh-Hant"' in fragment
    assert f'href="/u/chen/?translate=0#tr-bio-{chen.pk}"' in fragment  # Show original, without JS
    original = client.get(f"/translate/bio/{chen.pk}/?show=original", headers=HX).content.decode()
    assert "喜欢" in original and ">Translate<" in original


def test_profile_bio_without_javascript(client, make_user, login, chen):
    login(_person(make_user, "lin", ["zh-Hant"], auto=True))
    response = client.get(f"/translate/bio/{chen.pk}/")
    assert response.status_code == 302 and response["Location"] == "/u/chen/?translate=1"
    html = client.get("/u/chen/?translate=1").content.decode()
    assert "喜歡" in html and "Translated by OpenCC" in html
    assert "喜欢吃早餐" in client.get("/u/chen/?translate=0").content.decode()


def test_profile_bio_in_the_readers_language_has_no_tools(client, make_user, login, chen):
    login(_person(make_user, "wang", ["zh-Hans"], auto=True))
    html = client.get("/u/chen/").content.decode()
    assert "喜欢吃早餐" in html and "/translate/bio/" not in html


# --- photo alt texts --------------------------------------------------------------------------------


def test_alt_text_translated_on_the_note_page(client, make_user, login, tagged_note):
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    photo = tagged_note.photos.get()
    plain = client.get(f"/n/{tagged_note.pk}/").content.decode()
    assert 'alt="一碗面放在木桌上"' in plain and f'data-photo="{photo.pk}"' in plain
    translated = client.get(f"/n/{tagged_note.pk}/?translate=1").content.decode()
    assert 'alt="一碗麵放在木桌上" lang="zh-Hant"' in translated
    fragment = client.get(f"/translate/note/{tagged_note.pk}/", headers=HX).content.decode()
    assert f'<span hidden data-alt-for="{photo.pk}" lang="zh-Hant">一碗麵放在木桌上</span>' in fragment
    back = client.get(f"/translate/note/{tagged_note.pk}/?show=original", headers=HX).content.decode()
    assert f'data-alt-for="{photo.pk}" lang="zh-Hans">一碗面放在木桌上</span>' in back


def test_alt_text_alone_makes_the_note_translatable(client, make_user, login, on_commit):
    """An English note whose photo description is Chinese: an English reader is offered the alt text."""
    author = make_user("sam", languages=["en"])
    photo = upload_photo(owner=author, file=image_bytes(), alt_text="一碗面放在木桌上")
    with on_commit():
        note = create_note(author=author, title="Noodles", body="Lunch today, so good.", photo_ids=[photo.pk])
    login(_person(make_user, "amy", ["en"], auto=False))
    html = client.get(f"/n/{note.pk}/").content.decode()
    assert f'hx-get="/translate/note/{note.pk}/"' in html
    # Only the word gloss translates Chinese here: the reader is told, and may ask for the gloss.
    failed = client.get(f"/translate/note/{note.pk}/", headers=HX).content.decode()
    assert "This server cannot translate this language yet." in failed and "bowl" not in failed
    assert f'hx-get="/translate/note/{note.pk}/?gloss=1"' in failed
    client.get(f"/translate/note/{note.pk}/?gloss=1", headers=HX)
    _work_off(obj_kind="alt", obj_id=photo.pk)
    fragment = client.get(f"/translate/note/{note.pk}/?gloss=1", headers=HX).content.decode()
    assert "Lunch today, so good." in fragment  # the text itself needs nothing
    assert f'data-alt-for="{photo.pk}" lang="en">' in fragment and "bowl" in fragment
    assert "Word gloss (not a translation)" in fragment


# --- tags -------------------------------------------------------------------------------------------


def test_tags_shown_translated_next_to_the_original_link_unchanged(client, make_user, login, tagged_note):
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    tag_url = reverse("web:tag", args=["火锅"])
    assert tag_url == "/tag/" + quote("火锅") + "/"
    plain = client.get(f"/n/{tagged_note.pk}/").content.decode()
    assert f'<a href="{tag_url}"><span lang="zh-Hans">#火锅</span></a>' in plain
    html = client.get(f"/translate/note/{tagged_note.pk}/", headers=HX).content.decode()
    assert (
        f'<a href="{tag_url}"><span lang="zh-Hans">#火锅</span> <span class="tag-tr" lang="zh-Hant">· 火鍋</span></a>'
        in html
    )
    assert '<a href="/tag/food/"><span lang="en">#food</span></a>' in html  # English: not for OpenCC


def test_tag_gloss_for_an_english_reader_only_when_asked(client, make_user, login, tagged_note):
    login(_person(make_user, "amy", ["en"], auto=False))
    html = client.get(f"/translate/note/{tagged_note.pk}/", headers=HX).content.decode()
    assert "tag-tr" not in html and "hotpot" not in html  # no translation engine: no gloss unasked
    client.get(f"/translate/note/{tagged_note.pk}/?gloss=1", headers=HX)
    _work_off()
    html = client.get(f"/translate/note/{tagged_note.pk}/?gloss=1", headers=HX).content.decode()
    assert '<span class="tag-tr gloss" lang="en">· hotpot</span>' in html
    assert '<a href="/tag/food/"><span lang="en">#food</span></a>' in html  # already English


def test_tag_page_head_translates(client, make_user, login, tagged_note):
    tag = tagged_note.tags.get(name="火锅")
    login(_person(make_user, "lin", ["zh-Hant"], auto=False))
    url = reverse("web:tag", args=["火锅"])
    html = client.get(url).content.decode()
    assert "#火锅" in html and f'hx-get="/translate/tag/{tag.pk}/"' in html and "火鍋" not in html
    assert f'href="{url}?translate=1#tr-tag-{tag.pk}"' in html
    translated = client.get(url + "?translate=1").content.decode()
    assert '<span class="tag-tr" lang="zh-Hant">火鍋</span>' in translated
    fragment = client.get(f"/translate/tag/{tag.pk}/", headers=HX).content.decode()
    assert "火鍋" in fragment and "Translated by OpenCC" in fragment
    assert client.get(f"/translate/tag/{tag.pk}/").status_code == 302  # without JS: the tag page
    assert client.get("/translate/tag/999999/", headers=HX).status_code == 404


def test_auto_translating_reader_gets_the_tag_head_after_load(client, make_user, login, tagged_note):
    tag = tagged_note.tags.get(name="火锅")
    login(_person(make_user, "mei", ["zh-Hant"], auto=True))
    html = client.get(reverse("web:tag", args=["火锅"])).content.decode()
    assert f'hx-get="/translate/tag/{tag.pk}/?auto=1" hx-trigger="load"' in html
