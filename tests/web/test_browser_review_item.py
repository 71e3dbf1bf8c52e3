"""The review item page in a real browser (Debian's chromium through Playwright): a reviewer opens a
held photo note, sees its photos (through the review-only media route) and decides from the decision
bar at the bottom: on a phone in English with a tap, on a desktop in Chinese with the keyboard.

The public /media/ gate is tested with Django's client (tests/review/test_item_page.py): the live test
server answers /media/ itself, before the URL configuration, so it cannot be checked here.

Run: pytest -m browser tests/web/test_browser_review_item.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, picture, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def held_note(transactional_db):
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import register_user
    from notes.models import NoteState
    from notes.services import create_comment, create_note, upload_photo
    from review.models import Reviewer, ReviewItem

    author = register_user(username="loud", password=PASSWORD, display_name="Loud Larry", languages=["en"])
    User.objects.filter(pk=author.pk).update(date_joined=timezone.now() - timedelta(days=400), followers_count=37)
    author.refresh_from_db()
    earlier = create_note(author=author, title="Morning run", body="Ten kilometres by the river #running")
    create_comment(author=author, note_id=earlier.pk, body="Thanks, see you Sunday")
    photos = [upload_photo(owner=author, file=picture(k), alt_text=f"Market stall {k + 1}") for k in range(3)]
    note = create_note(
        author=author,
        title="Weekend market rant",
        body="you are such a loser if you shop here",
        photo_ids=[p.pk for p in photos],
        tags=["market", "food"],
        place="Chatuchak",
    )
    assert note.state in (NoteState.HELD, NoteState.PENDING)
    note.refresh_from_db()
    assert note.state == NoteState.HELD
    for name, langs, ui in [("rev_en", ["en"], "en"), ("rev_zh", ["zh-Hans", "en"], "zh-hans")]:
        user = register_user(username=name, password=PASSWORD, languages=langs)
        User.objects.filter(pk=user.pk).update(ui_language=ui)
        Reviewer.objects.create(user=user, languages=langs)
    return note, ReviewItem.objects.get(target_id=note.pk)


def _login(browser, url, username, viewport, locale, **kwargs):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale=locale, **kwargs)
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, url, username, lands_on=None)
    return context, page


def _photos_loaded(page) -> None:
    first = page.locator("img[data-review-photo]").first
    first.wait_for()
    page.wait_for_function("document.querySelector('img[data-review-photo]').naturalWidth > 0")
    assert "/review/items/" in first.get_attribute("src")


def test_a_reviewer_decides_a_held_photo_note_on_a_phone(live_server, held_note, browser):  # noqa: F811
    from notes.models import NoteState
    from review.models import ReviewItem

    note, item = held_note
    url = live_server.url
    context, page = _login(browser, url, "rev_en", MOBILE, "en-US", has_touch=True, is_mobile=True)
    page.goto(f"{url}/review/")
    page.click(f"a[href='/review/items/{item.pk}/']")
    page.wait_for_url(f"{url}/review/items/{item.pk}/")
    _photos_loaded(page)
    assert page.locator(".carousel-count").inner_text().strip() == "1/3"
    assert page.locator(".note-tags").inner_text().count("#") == 2
    assert "Chatuchak" in page.locator(".note-meta").inner_text()
    # No page overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    # The decision bar is on screen at the bottom, above the tab bar, without scrolling.
    bar = page.locator("#decide").bounding_box()
    tabbar = page.locator("nav.tabbar").bounding_box()
    assert bar is not None and tabbar is not None
    assert bar["y"] + bar["height"] <= tabbar["y"] + 1 and bar["y"] > MOBILE["height"] / 2
    shoot(page, "review-item-mobile")
    # The author's history is further down, next to account trust.
    history = page.locator(".author-history")
    history.scroll_into_view_if_needed()
    assert "Morning run" in history.inner_text() and "37" in history.inner_text()
    assert page.locator("#decide").bounding_box()["y"] > MOBILE["height"] / 2  # still at the bottom
    shoot(page, "review-item-mobile-history")
    # More options open upwards as a sheet; then reject with a tap from the bar.
    page.click(".decision-more summary")
    page.locator("textarea[name=note]").fill("Insults shoppers")
    shoot(page, "review-item-mobile-more")
    page.tap("#decide button[value=reject]")
    page.wait_for_url(lambda u: f"/review/items/{item.pk}/" not in u)
    note.refresh_from_db()
    assert note.state == NoteState.REJECTED
    decided = ReviewItem.objects.get(pk=item.pk).decisions.get()
    assert decided.action == "reject" and decided.note == "Insults shoppers"
    context.close()


def test_a_reviewer_approves_with_the_keyboard_on_a_desktop_in_chinese(live_server, held_note, browser):  # noqa: F811
    from notes.models import NoteState

    note, item = held_note
    url = live_server.url
    context, page = _login(browser, url, "rev_zh", DESKTOP, "zh-CN")
    page.goto(f"{url}/review/items/{item.pk}/")
    _photos_loaded(page)
    text = page.inner_text("body")
    for phrase in ("原文", "读者看到的样子", "账号可信度", "作者的历史", "保留 / 发布 (a)", "不予通过 (r)", "位粉丝"):
        assert phrase in text, phrase
    # On a desktop every option shows in the bar (no "More" button), and the bar sits at the bottom.
    assert page.locator("textarea[name=note]").is_visible()
    assert not page.locator(".decision-more summary").is_visible()
    bar = page.locator("#decide").bounding_box()
    assert bar is not None and abs(bar["y"] + bar["height"] - DESKTOP["height"]) <= 2
    # The photo and the facts sit side by side.
    preview = page.locator(".review-preview").bounding_box()
    facts = page.locator(".review-facts").bounding_box()
    assert preview["x"] + preview["width"] <= facts["x"]
    # The whole photo shows (letterboxed), not a crop of it.
    track = page.locator(".carousel-track").bounding_box()
    shown = page.evaluate(
        "(() => { const i = document.querySelector('img[data-review-photo]'); const r = i.getBoundingClientRect();"
        " const s = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);"
        " return {h: r.height, drawn: i.naturalHeight * s, fit: getComputedStyle(i).objectFit}; })()"
    )
    assert shown["h"] <= track["height"] + 1 and shown["fit"] == "contain", shown
    shoot(page, "review-item-desktop-zh")
    # Keys still work: arrow keys move the carousel when it has focus, "a" approves elsewhere.
    page.locator("h1").click()
    page.keyboard.press("a")
    page.wait_for_url(lambda u: f"/review/items/{item.pk}/" not in u)
    note.refresh_from_db()
    assert note.state == NoteState.PUBLISHED
    context.close()
