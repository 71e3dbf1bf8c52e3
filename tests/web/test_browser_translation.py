"""Translation in a real browser: the profile bio toggle, card titles and comments swapped in from one
batched request, a note's alt texts and tags, and the operators' page.

Run: pytest -m browser tests/web/test_browser_translation.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.conftest import image_bytes
from tests.translation.fake_servers import FakeServer
from tests.web.conftest import PASSWORD, distinct_image, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, SHOTS, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _offline_engines(settings):
    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]


def _user(name, langs, *, auto=True, bio="", staff=False):
    from accounts.services import register_user, update_profile

    user = register_user(username=name, password=PASSWORD, languages=langs)
    user = update_profile(user=user, auto_translate=auto, bio=bio)
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def _watch(page):
    """Paths of the translation requests the page makes."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url.split("/", 3)[3]) if "/translate/" in r.url else None)
    return seen


def test_profile_bio_toggle(live_server, transactional_db, browser):  # noqa: F811
    chen = _user("chen", ["zh-Hans"], bio="喜欢吃早餐，住在台北")
    _user("lin", ["zh-Hant"], auto=False)
    _user("mei", ["zh-Hant"], auto=True)
    url = live_server.url
    block = f"#tr-bio-{chen.pk}"

    context = browser.new_context(viewport=MOBILE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "lin")
    page.goto(f"{url}/u/chen/")
    assert "喜欢吃早餐" in page.inner_text(f"{block} .bio")
    page.click(f"{block} .translate-tools a:text('Translate')")
    page.wait_for_selector(f"{block} .translated-by")
    assert "喜歡吃早餐" in page.inner_text(f"{block} .bio")
    assert page.get_attribute(f"{block} .bio", "lang") == "zh-Hant"
    assert "OpenCC" in page.inner_text(f"{block} .translated-by")
    shoot(page, "profile-bio-translated-mobile")
    page.click(f"{block} .translate-tools a:text('Show original')")
    page.wait_for_selector(f"{block} .translate-tools a:text('Translate')")
    assert "喜欢吃早餐" in page.inner_text(f"{block} .bio")
    context.close()

    # Auto-translate on: the original first, the translation swapped in without a click.
    context = browser.new_context(viewport=MOBILE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "mei")
    page.goto(f"{url}/u/chen/")
    page.wait_for_selector(f"{block} .translated-by")
    assert "喜歡吃早餐" in page.inner_text(f"{block} .bio")
    context.close()


def test_card_titles_and_comments_swap_in_from_one_request(live_server, transactional_db, browser, settings):  # noqa: F811
    from notes.services import create_comment, create_note, upload_photo

    chen = _user("chen", ["zh-Hans"])
    _user("sam", ["en"], auto=True)
    _user("mei", ["zh-Hant"], auto=True)
    titles = ["台湾的早餐", "周末去了西湖", "这家火锅店太好吃了", "豆浆要趁热喝"]
    notes = [
        create_note(
            author=chen,
            title=title,
            body="这里的豆浆很好喝。",
            photo_ids=[upload_photo(owner=chen, file=distinct_image(700 + i)).pk],
            language="zh-Hans",
        )
        for i, title in enumerate(titles)
    ]
    comments = [create_comment(author=chen, note_id=notes[0].pk, body=b) for b in ("欢迎来吃早餐", "明天还会开门")]
    url = live_server.url

    # Traditional Chinese: OpenCC answers at once, all four titles from one request.
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "mei")
    requests = _watch(page)
    page.goto(f"{url}/")
    for note in notes:
        page.wait_for_selector(f"#ct-{note.pk} .card-translated")
    assert page.inner_text(f"#ct-{notes[0].pk} .card-title") == "臺灣的早餐"
    assert page.inner_text(f"#ct-{notes[2].pk} .card-title") == "這家火鍋店太好吃了"
    assert [r for r in requests if r.startswith("translate/batch/card/")] and len(requests) == 1, requests
    shoot(page, "discover-translated-desktop")

    # The note page: both comments come back in one batch request, none on its own.
    requests.clear()
    page.goto(f"{url}/n/{notes[0].pk}/")
    for c in comments:
        page.wait_for_selector(f"#tr-comment-{c.pk} .translated-by")
    assert "歡迎來吃早餐" in page.inner_text(f"#tr-comment-{comments[0].pk}")
    assert len([r for r in requests if r.startswith("translate/batch/comment/")]) == 1, requests
    assert not [r for r in requests if r.startswith("translate/comment/")], requests
    context.close()

    # English, with a real engine (the LibreTranslate stand-in): pending first, then the titles it
    # knows swap in, labelled; the one it does not know keeps its original (never a gloss).
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        context = browser.new_context(viewport=MOBILE, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, url, "sam")
        requests = _watch(page)
        response = page.goto(f"{url}/")
        assert response is not None and 'lang="zh-Hans">台湾的早餐</h3>' in response.text()  # the original first
        page.wait_for_selector(f"#ct-{notes[0].pk} .card-translated")
        assert page.inner_text(f"#ct-{notes[0].pk} .card-title") == "Breakfast in Taiwan"
        assert page.inner_text(f"#ct-{notes[3].pk} .card-title") == "豆浆要趁热喝"
        assert page.locator(".gloss").count() == 0
        batches = [r for r in requests if r.startswith("translate/batch/card/")]
        assert 1 <= len(batches) <= 2 and all(r.count("%2C") == 3 or "n=1" in r for r in batches), batches
        context.close()


def test_a_card_title_being_translated_says_so_quietly(live_server, transactional_db, browser, settings):  # noqa: F811
    """While a card's translation is queued, the original title shows with a quiet "Translating…" under
    it (nothing else: no gloss); when the job is done the translation swaps in and the line is gone."""
    from django.core.management import call_command

    from notes.services import create_note

    chen = _user("chen", ["zh-Hans"])
    _user("sam", ["en"], auto=True)
    notes = [
        create_note(author=chen, title=t, body="这里的豆浆很好喝。", language="zh-Hans")
        for t in ("台湾的早餐", "豆浆要趁热喝")
    ]
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate", "gloss"]
        settings.LIBRETRANSLATE_URL = remote.url
        # The jobs wait in the database queue until a worker takes them (here: the test, below).
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
        context = browser.new_context(viewport=DESKTOP, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, "sam")
        page.goto(f"{live_server.url}/")
        for note in notes:
            mark = page.locator(f"#ct-{note.pk} .card-translating")
            mark.wait_for()
            assert mark.inner_text() == "Translating…"
            assert page.inner_text(f"#ct-{note.pk} .card-title") in {"台湾的早餐", "豆浆要趁热喝"}
        assert page.locator(".gloss").count() == 0
        shoot(page, "discover-card-translating-desktop")

        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
        page.wait_for_selector(f"#ct-{notes[0].pk} .card-translated", timeout=20000)
        assert page.inner_text(f"#ct-{notes[0].pk} .card-title") == "Breakfast in Taiwan"
        page.wait_for_function("!document.querySelector('.card-translating')", timeout=20000)
        # The title the engine does not know keeps its original, without the line.
        assert page.inner_text(f"#ct-{notes[1].pk} .card-title") == "豆浆要趁热喝"
        context.close()


def test_bilingual_reader_sees_no_gloss_unasked(live_server, transactional_db, browser):  # noqa: F811
    """A reader of English and Simplified Chinese, auto-translate on, on an instance whose only engine for
    Chinese -> English is the word gloss: Discover and the note page stay as written, nothing is asked
    for; Translate says why there is no translation, and the gloss comes only when asked, labelled."""
    from notes.services import create_comment, create_note, upload_photo

    chen = _user("chen", ["zh-Hans"])
    _user("amy", ["en", "zh-Hans"], auto=True)
    zh = create_note(
        author=chen,
        title="台湾的早餐",
        body="这里的豆浆很好喝。",
        photo_ids=[upload_photo(owner=chen, file=distinct_image(801)).pk],
        language="zh-Hans",
    )
    en = create_note(
        author=chen,
        title="Breakfast in Queens",
        body="The soy milk here is great.",
        photo_ids=[upload_photo(owner=chen, file=distinct_image(802)).pk],
        language="en",
    )
    create_comment(author=chen, note_id=zh.pk, body="豆浆要趁热喝")
    url = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "amy")
    requests = _watch(page)

    page.goto(f"{url}/")
    page.wait_for_load_state("networkidle")
    assert page.inner_text(f"#ct-{zh.pk} .card-title") == "台湾的早餐"
    assert page.inner_text(f"#ct-{en.pk} .card-title") == "Breakfast in Queens"
    assert page.locator(".card-translated").count() == 0 and requests == []
    shoot(page, "discover-bilingual-reader-desktop")

    page.goto(f"{url}/n/{zh.pk}/")
    page.wait_for_load_state("networkidle")
    block = f"#tr-note-{zh.pk}"
    assert page.inner_text(f"{block} .note-title") == "台湾的早餐"
    assert "豆浆要趁热喝" in page.inner_text("#comments")  # the comment too, as written
    assert page.locator(".translated-by").count() == 0 and "gloss" not in page.inner_text("main").lower()
    assert requests == [], requests
    shoot(page, "note-bilingual-reader-desktop")

    # Asked for: the reason in plain words, and the gloss offered, not shown.
    page.click(f"{block} .translate-tools a:text('Translate')")
    page.wait_for_selector(f"{block}[data-state='failed']")
    assert "This server cannot translate this language yet." in page.inner_text(f"{block} .translate-tools")
    assert page.inner_text(f"{block} .note-title") == "台湾的早餐"
    page.click(f"{block} .translate-tools a:text('Show a word gloss (not a translation)')")
    page.wait_for_selector(f"{block} .translated-by.gloss")
    assert page.inner_text(f"{block} .translated-by.gloss") == "Word gloss (not a translation)"
    assert page.get_attribute(f"{block} .note-title", "lang") == "en"
    shoot(page, "note-gloss-on-request-desktop")
    context.close()


def test_alt_text_and_tags_follow_the_notes_translation(live_server, transactional_db, browser):  # noqa: F811
    from notes.services import create_note, upload_photo

    chen = _user("chen", ["zh-Hans"])
    _user("mei", ["zh-Hant"], auto=True)
    photo = upload_photo(owner=chen, file=image_bytes(), alt_text="一碗面放在木桌上")
    note = create_note(
        author=chen,
        title="台湾的早餐",
        body="这里的豆浆很好喝。",
        photo_ids=[photo.pk],
        tags=["火锅"],
        language="zh-Hans",
    )
    url = live_server.url
    context = browser.new_context(viewport=MOBILE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "mei")
    page.goto(f"{url}/n/{note.pk}/")
    img = f'img[data-photo="{photo.pk}"]'
    page.wait_for_selector(f"#tr-note-{note.pk} .translated-by")
    page.wait_for_function(f"document.querySelector('{img}').alt === '一碗麵放在木桌上'")
    assert page.get_attribute(img, "lang") == "zh-Hant"
    tag = page.locator(f"#tr-note-{note.pk} .note-tags a")
    assert tag.inner_text() == "#火锅 · 火鍋"
    assert tag.get_attribute("href") == "/tag/%E7%81%AB%E9%94%85/"
    page.click(f"#tr-note-{note.pk} .translate-tools a:text('Show original')")
    page.wait_for_function(f"document.querySelector('{img}').alt === '一碗面放在木桌上'")
    assert page.locator(f"#tr-note-{note.pk} .note-tags a").inner_text() == "#火锅"
    context.close()


def test_operator_page_and_retry(live_server, transactional_db, browser, settings):  # noqa: F811
    from translation.models import JobState, TranslationJob
    from translation.services import get_or_request_translation

    _user("kai", ["en"], staff=True)
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
        settings.LIBRETRANSLATE_URL = remote.url
        settings.LIBRETRANSLATE_API_KEY = "lt-key"
        remote.mode = "down"
        # Asked outside a transaction: the task backend runs the job at once, and the engine is down.
        get_or_request_translation(
            obj_kind="note",
            obj_id=1,
            field="body",
            text="The weather is nice today, let's go to the park",
            source="en",
            target="zh-Hans",
        )
        job = TranslationJob.objects.get()
        assert job.state == JobState.FAILED
        url = live_server.url
        context = browser.new_context(viewport=DESKTOP, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, url, "kai")
        page.click("nav.topnav .nav-menu summary")  # staff pages sit in the Manage menu
        page.click("nav.topnav .nav-menu a:text('Translation')")
        page.wait_for_url(f"{url}/ops/translation/")
        assert page.inner_text("[data-stat=failed]") == "1"
        assert "503" in page.inner_text(f"tr[data-job='{job.pk}'] .ops-error")
        assert page.inner_text("tr[data-pair='en-zh-Hans'] td:nth-child(3)") == "libretranslate"
        shoot(page, "ops-translation-desktop")
        remote.mode = "ok"
        page.click("button:text('Retry failed jobs now')")
        page.wait_for_selector("text=1 failed job queued again.")
        assert page.inner_text("[data-stat=failed]") == "0"
        assert page.inner_text("[data-stat=ready]") == "1"
        job.refresh_from_db()
        assert job.state == JobState.READY
        context.close()


def test_the_translation_shows_as_it_is_written(live_server, transactional_db, browser, settings):  # noqa: F811
    """The reader taps Translate; the worker's draft shows in place of the original, labelled as a draft,
    before the final translation replaces it. The worker's side is played here: the job claimed and its
    draft reported through translation/progress.py, as the local model does token by token (no model
    in this test), then the job finished by the engine chain (the fake LibreTranslate server)."""
    from datetime import timedelta

    from django.utils import timezone

    from notes.services import create_note
    from translation import progress
    from translation.models import TranslationJob
    from translation.services import _claim, process_jobs

    chen = _user("chen", ["zh-Hans"])
    _user("sam", ["en"], auto=False)
    note = create_note(
        author=chen, title="今天天气很好，我们去公园吧", body="周末去了西湖，风景绝了", photo_ids=[], language="zh-Hans"
    )
    # A queue no worker reads in this test: the job waits for the "worker" below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    block = f"#tr-note-{note.pk}"
    with FakeServer() as remote:
        settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
        settings.LIBRETRANSLATE_URL = remote.url
        context = browser.new_context(viewport=MOBILE, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, "sam")
        requests = _watch(page)
        page.goto(f"{live_server.url}/n/{note.pk}/")
        page.click(f"{block} .translate-tools a:text('Translate')")
        page.wait_for_selector(f"{block}[data-state=pending]")
        assert "周末去了西湖" in page.inner_text(f"{block} .note-body")
        assert page.is_hidden(f"{block} .tr-draft-label")

        job = TranslationJob.objects.get(obj_id=note.pk, field="body")
        assert _claim(job.pk) is not None
        with progress.reporting(progress.JobDrafts([job.pk], every_s=0)):
            progress.report(0, "Went to West Lake")
        page.wait_for_selector(f"{block} .note-body.tr-partial:text('Went to West Lake')")
        assert page.get_attribute(f"{block} .note-body", "lang") == "en"
        assert page.is_visible(f"{block} .tr-draft-label")
        assert "Translated by" not in page.inner_text(block)
        assert any("/partial/" in r for r in requests), requests
        # Not shoot(): the page polls while the draft is written, so the network is never idle.
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "note-translation-draft-mobile.png"))

        TranslationJob.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
        process_jobs(list(TranslationJob.objects.filter(obj_id=note.pk).values_list("pk", flat=True)))
        page.wait_for_selector(f"{block} .translated-by")
        body = page.inner_text(f"{block} .note-body")
        assert "Went to West Lake at the weekend, the scenery was amazing" in body
        assert "The weather is nice today" in page.inner_text(f"{block} .note-title")
        assert page.query_selector(f"{block} .tr-partial") is None
        assert "LibreTranslate" in page.inner_text(f"{block} .translated-by")
        shoot(page, "note-translation-final-mobile")
        context.close()
