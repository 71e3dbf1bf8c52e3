"""Translations written by people, in a real browser: the author adds their own English translation on
the edit page; an English reader sees it labelled "Translated by the author"; a Traditional Chinese
reader, shown OpenCC's conversion, suggests a better one; the author approves it from the inbox, and
the reader then sees it as the author's.

Run: pytest -m browser tests/web/test_browser_translation_by_people.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, distinct_image, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


def _user(name, langs):
    from accounts.services import register_user, update_profile

    return update_profile(user=register_user(username=name, password=PASSWORD, languages=langs), auto_translate=True)


def _session(browser, url, username, viewport=MOBILE):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, username)
    return context, page


def test_author_translation_and_an_approved_suggestion(live_server, transactional_db, browser):  # noqa: F811
    from notes.models import NoteTranslation, SuggestionState, TranslationSuggestion
    from notes.services import create_note, upload_photo

    chen = _user("chen", ["zh-Hans"])
    _user("sam", ["en"])
    _user("mei", ["zh-Hant"])
    note = create_note(
        author=chen,
        title="台湾的早餐",
        body="这里的豆浆很好喝，油条也很脆。",
        photo_ids=[upload_photo(owner=chen, file=distinct_image(901)).pk],
        language="zh-Hans",
    )
    url = live_server.url
    block = f"#tr-note-{note.pk}"

    # The author opens the edit page and adds an English translation.
    context, page = _session(browser, url, "chen", DESKTOP)
    page.goto(f"{url}/n/{note.pk}/edit/")
    page.click("details.own-translation summary")
    page.select_option("#id_translation_language", "en")
    page.fill("#id_translation_title", "Breakfast in Taiwan")
    page.fill("#id_translation_body", "The soy milk here is great, and the fried dough sticks are crisp.")
    shoot(page, "author-translation-edit-desktop")
    page.click("form.compose button[value=post]")
    page.wait_for_url(f"{url}/n/{note.pk}/")
    assert NoteTranslation.objects.filter(note=note, language="en").exists()
    context.close()

    # An English reader: the author's words, labelled as theirs, and no "suggest" link.
    context, page = _session(browser, url, "sam")
    page.goto(f"{url}/n/{note.pk}/")
    page.wait_for_selector(f"{block} .translated-by")
    assert page.inner_text(f"{block} .translated-by") == "Translated by the author"
    assert page.inner_text(f"{block} .note-title") == "Breakfast in Taiwan"
    assert "fried dough sticks" in page.inner_text(f"{block} .note-body")
    assert page.locator(f"{block} .suggest-translation").count() == 0
    shoot(page, "author-translation-reader-mobile")
    context.close()

    # A Traditional Chinese reader gets OpenCC's conversion and suggests a better translation.
    context, page = _session(browser, url, "mei")
    page.goto(f"{url}/n/{note.pk}/")
    page.wait_for_selector(f"{block} .translated-by")
    assert "OpenCC" in page.inner_text(f"{block} .translated-by")
    page.click(f"{block} .suggest-translation")
    page.wait_for_url(f"{url}/n/{note.pk}/suggest/?lang=zh-Hant")
    assert page.input_value("#id_title") == "臺灣的早餐"  # the machine's, to improve
    page.fill("#id_title", "臺灣早餐")
    page.fill("#id_body", "這裡的豆漿超好喝，油條也很酥脆。")
    shoot(page, "suggest-translation-form-mobile")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/n/{note.pk}/")
    assert "Thank you" in page.inner_text(".flash")
    assert TranslationSuggestion.objects.get().state == SuggestionState.OPEN  # screened, passed
    context.close()

    # The author hears of it in the inbox and approves it.
    context, page = _session(browser, url, "chen", DESKTOP)
    page.goto(f"{url}/notifications/?tab=comments")
    assert "suggested a translation of your note" in page.inner_text("main")
    page.click("main a:text('Approve or decline')")
    page.wait_for_url(f"{url}/n/{note.pk}/suggestions/")
    assert "這裡的豆漿超好喝" in page.inner_text("main .suggestion")
    shoot(page, "suggestions-page-desktop")
    page.click("main .suggestion button:text('Approve')")
    page.wait_for_selector("main p.empty")
    assert "Approved" in page.inner_text(".flash")
    context.close()

    # The reader now sees her own words as the author's translation.
    context, page = _session(browser, url, "mei")
    page.goto(f"{url}/n/{note.pk}/")
    page.wait_for_selector(f"{block} .translated-by")
    assert page.inner_text(f"{block} .translated-by") == "Translated by the author"
    assert page.inner_text(f"{block} .note-title") == "臺灣早餐"
    shoot(page, "approved-suggestion-reader-mobile")
    context.close()
