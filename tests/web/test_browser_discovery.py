"""Search that helps, related notes and place pages, profile tabs and note stats, in a real browser
(Debian's chromium through Playwright) at phone (390 px) and desktop (1280 px) widths, English and Chinese.

Run: pytest -m browser tests/web/test_browser_discovery.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import distinct_text, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)
from tests.web.test_browser_rough_edges import _page, _user, photo

pytestmark = pytest.mark.browser


def _note(author, title, *, sizes=(), seed=0, language=None, place=""):
    from notes.services import create_note, upload_photo

    ids = [upload_photo(owner=author, file=photo(seed * 10 + k, size)).pk for k, size in enumerate(sizes)]
    kwargs = {"language": language} if language else {}
    return create_note(
        author=author, title=title, body=distinct_text(seed), photo_ids=ids, place=place, tags=["town"], **kwargs
    )


@pytest.fixture
def town(transactional_db, settings):
    """Bakers and tea drinkers in Leeds, in English and Chinese, with searches already made."""
    from accounts.services import update_profile
    from notes import search_trends
    from notes.services import collect_note, create_board, like_note

    settings.REVIEW_SCREENING = False
    ada = _user("ada", bio="Baker in Leeds.")
    mei = _user("mei", langs=("zh-Hans", "en"), ui="zh-hans")
    notes = {
        "bagels": _note(ada, "Bagels at Kirkgate Market", sizes=[(1200, 900)], seed=1, place="Kirkgate Market, Leeds"),
        "rye": _note(ada, "Rye loaf from the market stall", sizes=[(900, 1200)], seed=2),
        "flowers": _note(
            mei, "Flowers at Kirkgate Market", sizes=[(1000, 1000)], seed=3, place="Kirkgate Market, Leeds"
        ),
        "tea": _note(mei, "抹茶拿铁在家做", sizes=[(900, 1200)], seed=4, language="zh-Hans"),
        "tea2": _note(mei, "周末的抹茶甜点", sizes=[(1200, 900)], seed=5, language="zh-Hans"),
    }
    for i in range(4):
        _note(ada if i % 2 else mei, f"Market morning {i}", sizes=[(900, 1200)], seed=20 + i)
    for i in range(6):
        search_trends.record_search(query="bagels", language="en", region="", repeat_token=f"e{i}")
        search_trends.record_search(query="抹茶", language="zh-hans", region="", repeat_token=f"z{i}")
    for i in range(3):
        search_trends.record_search(query="rye loaf", language="en", region="", repeat_token=f"r{i}")
    board = create_board(owner=mei, name="Bakes to try")
    collect_note(user=mei, note_id=notes["bagels"].pk, board_id=board.pk)
    collect_note(user=mei, note_id=notes["rye"].pk, board_id=create_board(owner=mei, name="Secret", is_private=True).pk)
    like_note(user=mei, note_id=notes["rye"].pk)
    update_profile(user=mei, show_collects=True)
    return {"ada": ada, "mei": mei, "notes": notes}


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "desktop"), (MOBILE, "mobile")])
def test_hot_searches_suggestions_and_recent_searches(live_server, town, browser, viewport, suffix):  # noqa: F811
    url = live_server.url
    context, page = _page(browser, viewport)
    sign_in(page, url, "ada")
    page.goto(f"{url}/search/")
    hot = page.locator(".hot-list a")
    assert hot.first.inner_text().split()[:2] == ["1", "bagels"]
    assert page.locator(".hot-list").inner_text().count("rye loaf") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shoot(page, f"search-hot-{suffix}")
    page.fill("#q", "bag")
    page.wait_for_selector(".suggestions:not([hidden]) .suggest-item")
    items = page.locator(".suggest-item").all_inner_texts()
    assert items == ["bagels"]  # a popular search
    shoot(page, f"search-suggest-{suffix}")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/search/?q=bagels")
    assert page.locator(f"a[href^='/n/{town['notes']['bagels'].pk}/?']").count() >= 1
    page.goto(f"{url}/search/")
    assert page.locator(".search-recent .chip").all_inner_texts() == ["bagels"]
    page.click(".search-recent button[type=submit]")
    page.wait_for_selector(".search-recent", state="detached")
    page.reload()
    assert page.locator(".search-recent").count() == 0
    context.close()


def test_hot_searches_in_chinese_on_a_phone_without_javascript(live_server, town, browser):  # noqa: F811
    url = live_server.url
    context, page = _page(browser, MOBILE, locale="zh-CN", js=False)
    page.goto(f"{url}/search/")
    assert page.locator("#hot-h").inner_text() == "热门搜索"
    assert page.locator(".hot-list a").first.inner_text().split() == ["1", "抹茶", "新"]
    shoot(page, "search-hot-zh-mobile")
    page.click(".hot-list a >> nth=0")
    page.wait_for_url("**/search/?q=*")
    tea = [town["notes"][k].pk for k in ("tea", "tea2")]
    assert page.locator(", ".join(f"a.card-link[href^='/n/{pk}/?']" for pk in tea)).count() >= 1
    context.close()


@pytest.mark.parametrize("viewport,suffix,locale", [(DESKTOP, "desktop", "en-US"), (MOBILE, "mobile", "zh-CN")])
def test_related_notes_and_the_place_link(live_server, town, browser, viewport, suffix, locale):  # noqa: F811
    url = live_server.url
    notes = town["notes"]
    context, page = _page(browser, viewport, locale=locale)
    page.goto(f"{url}/n/{notes['bagels'].pk}/")
    related = page.locator(".related")
    page.evaluate("window.scrollTo(0, document.querySelector('.related').offsetTop - 80)")
    assert related.locator(f"a.card-link[href^='/n/{notes['flowers'].pk}/?']").count() == 1  # same place
    assert related.locator(f"a.card-link[href^='/n/{notes['bagels'].pk}/']").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shoot(page, f"note-related-{suffix}")
    page.click("a.place")
    page.wait_for_url(f"{url}/place/*/")
    assert "Kirkgate Market, Leeds" in page.locator("h1").inner_text()
    cards = page.locator(".waterfall .card-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert sorted(c.split("?")[0] for c in cards) == sorted([f"/n/{notes['bagels'].pk}/", f"/n/{notes['flowers'].pk}/"])
    shoot(page, f"place-{suffix}")
    context.close()


@pytest.mark.parametrize("viewport,suffix,locale", [(DESKTOP, "desktop", "en-US"), (MOBILE, "mobile", "zh-CN")])
def test_profile_tabs_respect_privacy(live_server, town, browser, viewport, suffix, locale):  # noqa: F811
    url = live_server.url
    notes = town["notes"]
    context, page = _page(browser, viewport, locale=locale)
    sign_in(page, url, "ada")
    page.goto(f"{url}/u/mei/")
    tabs = page.locator(".profile-tabs a")
    assert tabs.count() == 2  # Notes and Collects; Liked is private by default
    tabs.nth(1).click()
    page.wait_for_url(f"{url}/u/mei/collects/")
    assert page.locator(f".waterfall a.card-link[href^='/n/{notes['bagels'].pk}/?']").count() == 1
    assert page.locator(f".waterfall a.card-link[href^='/n/{notes['rye'].pk}/']").count() == 0  # private board
    shoot(page, f"profile-collects-{suffix}")
    assert page.goto(f"{url}/u/mei/liked/").status == 404
    context.close()

    context, page = _page(browser, viewport, locale=locale, js=False)
    sign_in(page, url, "mei")
    page.goto(f"{url}/u/mei/liked/")
    assert page.locator(f".waterfall a.card-link[href^='/n/{notes['rye'].pk}/?']").count() == 1
    assert page.locator(".tab-privacy").is_visible()
    shoot(page, f"profile-liked-own-{suffix}")
    page.goto(f"{url}/settings/")
    page.check("#id_show_likes")
    page.click("#privacy-h ~ form button[type=submit]")
    page.wait_for_url(f"{url}/settings/")
    context.close()

    context, page = _page(browser, viewport, locale=locale)
    page.goto(f"{url}/u/mei/")
    assert page.locator(".profile-tabs a").count() == 3
    page.goto(f"{url}/u/mei/liked/")
    assert page.locator(f".waterfall a.card-link[href^='/n/{notes['rye'].pk}/?']").count() == 1
    context.close()


@pytest.mark.parametrize("viewport,suffix,locale", [(DESKTOP, "desktop", "en-US"), (MOBILE, "mobile", "zh-CN")])
def test_the_author_reads_where_readers_came_from(live_server, town, browser, viewport, suffix, locale):  # noqa: F811
    url = live_server.url
    note = town["notes"]["bagels"]
    reader, page = _page(browser, viewport)
    page.goto(f"{url}/search/?q=bagels")
    page.click(f"a.card-link[href^='/n/{note.pk}/?']")
    page.wait_for_url(f"{url}/n/{note.pk}/?src=search")  # the link names the page it was on (web/sources.py)
    reader.close()
    context, page = _page(browser, viewport, locale=locale)
    sign_in(page, url, "ada")
    page.goto(f"{url}/n/{note.pk}/")
    page.click(f"a[href='/n/{note.pk}/stats/']")
    page.wait_for_url(f"{url}/n/{note.pk}/stats/")
    assert page.locator("tr[data-source=search]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shoot(page, f"note-stats-{suffix}")
    context.close()
    other, page = _page(browser, viewport)
    sign_in(page, url, "mei")
    assert page.goto(f"{url}/n/{note.pk}/stats/").status == 404
    other.close()
