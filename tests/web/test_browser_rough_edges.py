"""The rough edges a newcomer hit, each checked in a real browser (Debian's chromium through Playwright)
at phone (390 px) and desktop (1280 px) widths, in English and Chinese where the words matter.

Run: pytest -m browser tests/web/test_browser_rough_edges.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import io
import os
import random

import pytest
from PIL import Image, ImageDraw

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, distinct_text, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, SHOTS, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


def photo(seed: int, size: tuple[int, int]) -> bytes:
    """A photo of the given shape, unlike any other seed's (the review app holds shared photos)."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(80, 256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(10):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(40, 200)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def _user(name, *, langs=("en",), bio="", staff=False, ui="en"):
    from accounts.services import register_user, update_profile

    user = register_user(username=name, password=PASSWORD, languages=list(langs), ui_language=ui)
    if bio:
        user = update_profile(user=user, bio=bio)
    if staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def _note(author, title, *, sizes=(), seed=0, body=None, language=None):
    from notes.services import create_note, upload_photo

    ids = [upload_photo(owner=author, file=photo(seed * 10 + k, size)).pk for k, size in enumerate(sizes)]
    kwargs = {"language": language} if language else {}
    return create_note(
        author=author, title=title, body=body or distinct_text(seed), photo_ids=ids, tags=["rough"], **kwargs
    )


@pytest.fixture
def site(transactional_db):
    """Two writers with landscape, portrait and text-only notes, comments, and boards with covers."""
    from notes.services import collect_note, create_board, create_comment

    ada = _user("ada", bio="Baker in Leeds. Sourdough, rye and too many cinnamon buns; weekend markets.")
    mei = _user("mei", langs=("zh-Hans", "en"), ui="zh-hans")
    notes = {
        "landscape": _note(ada, "Rye loaf cooling on the rack after a long bake", sizes=[(1200, 900)], seed=1),
        "portrait": _note(ada, "Cinnamon buns for the Saturday market stall", sizes=[(900, 1200), (1200, 900)], seed=2),
        "text": _note(ada, "What I wish I knew before opening a bakery", seed=3),
        "text_zh": _note(mei, "第一次做红烧肉就成功了！", seed=4, language="zh-Hans"),
        "square": _note(mei, "周末市集淘到的小碗", sizes=[(1000, 1000)], seed=5, language="zh-Hans"),
    }
    for i in range(6):
        _note(mei if i % 2 else ada, f"Market morning number {i}", sizes=[(900, 1200)], seed=20 + i)
    for i in range(5):
        create_comment(author=mei, note_id=notes["portrait"].pk, body=f"Looks lovely, round {i}!")
    bakes = create_board(owner=mei, name="Bakes to try")
    for key in ("landscape", "portrait", "text"):
        collect_note(user=mei, note_id=notes[key].pk, board_id=bakes.pk)
    words = create_board(owner=mei, name="Just words")
    collect_note(user=mei, note_id=notes["text_zh"].pk, board_id=words.pk)
    create_board(owner=mei, name="Empty for now")
    return {"ada": ada, "mei": mei, "notes": notes, "boards": {"bakes": bakes, "words": words}}


def _page(browser, viewport, *, locale="en-US", js=True, **kwargs):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale=locale, java_script_enabled=js, **kwargs)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _visible(page, selector) -> bool:
    return page.locator(selector).first.is_visible()


def test_comment_counts_agree_and_share_keeps_its_icon(live_server, site, browser):  # noqa: F811
    """After a comment the action bar and the heading say the same number; "Link copied" stands in for the
    Share label for a moment, the icon stays, and the label comes back."""
    url = live_server.url
    note = site["notes"]["portrait"]
    for viewport, suffix in ((MOBILE, "mobile"), (DESKTOP, "desktop")):
        context, page = _page(browser, viewport, permissions=["clipboard-read", "clipboard-write"])
        sign_in(page, url, "ada")
        page.goto(f"{url}/n/{note.pk}/")
        bar_count = "#note-actions a[href='#comment-body'] .count"
        before = int(page.inner_text(bar_count))
        assert page.inner_text("#comments-h") == f"{before} comments"
        page.fill("#comment-body", f"Still warm at nine ({suffix})")
        page.click(".comment-form button[type=submit]")
        page.wait_for_selector(f"text=Still warm at nine ({suffix})")
        assert page.inner_text("#comments-h") == f"{before + 1} comments"
        assert page.inner_text(bar_count) == str(before + 1)

        share = page.locator("button[data-share]")
        share.click()
        page.wait_for_function("document.querySelector('button[data-share] .label').textContent === 'Link copied'")
        assert share.locator("svg").count() == 1
        assert _visible(page, "button[data-share] .label")  # on a phone too, where labels are hidden
        assert page.evaluate("navigator.clipboard.readText()") == f"{url}/n/{note.pk}/"
        shoot(page, f"share-copied-{suffix}")
        page.wait_for_function(
            "document.querySelector('button[data-share] .label').textContent === 'Share'", timeout=5000
        )
        assert share.locator("svg").count() == 1
        assert not share.evaluate("b => b.classList.contains('is-copied')")
        shoot(page, f"comment-posted-{suffix}")
        context.close()


def _first_view(page):
    return page.evaluate(
        """() => {
        const box = s => { const e = document.querySelector(s); return e && e.getBoundingClientRect(); };
        const img = document.querySelector('.slide img');
        const track = box('.carousel-track');
        return {
            track: track && {w: track.width, h: track.height},
            natural: img && {w: img.naturalWidth, h: img.naturalHeight},
            title: box('.note-title'), bar: box('#note-actions'), tabbar: box('.tabbar'),
            innerHeight: window.innerHeight,
        };
    }"""
    )


@pytest.mark.parametrize("locale,ui", [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_phone_note_page_fits_the_first_photo_and_shows_the_title(live_server, site, browser, locale, ui):  # noqa: F811
    """The carousel takes the first photo's shape (no bands round a 4:3 photo), and on first view the sticky
    Like/Collect bar covers none of the title."""
    url = live_server.url
    context, page = _page(browser, MOBILE, locale=locale)
    for key in ("landscape", "portrait", "square", "text", "text_zh"):
        note = site["notes"][key]
        page.goto(f"{url}/n/{note.pk}/")
        page.wait_for_load_state("networkidle")
        view = _first_view(page)
        if view["track"]:
            photo_ratio = view["natural"]["h"] / view["natural"]["w"]
            frame_ratio = view["track"]["h"] / view["track"]["w"]
            assert abs(frame_ratio - photo_ratio) < 0.02, (key, frame_ratio, photo_ratio)
        else:
            assert page.locator(".note-text-cover .text-cover").is_visible()
        title, bar = view["title"], view["bar"]
        assert title["bottom"] <= bar["top"], (key, title, bar)  # the whole title is above the bar
        assert title["top"] >= 0
        shoot(page, f"note-first-view-{key}-{ui}-mobile")
    context.close()


def test_no_page_answers_404_and_the_favicon_is_served(live_server, site, browser):  # noqa: F811
    url = live_server.url
    context, page = _page(browser, MOBILE)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    paths = ["/", "/search/", "/signup/", "/login/", f"/n/{site['notes']['portrait'].pk}/", "/u/ada/"]
    for path in paths:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        icons = page.eval_on_selector_all("link[rel=icon]", "els => els.map(e => e.href)")
        assert f"{url}/favicon.ico" in icons
        for icon in icons:
            response = page.request.get(icon)
            assert response.status == 200 and response.headers["content-type"].startswith("image/"), icon
    assert failed == []
    context.close()


@pytest.mark.parametrize("locale,label", [("en-US", "Sign up"), ("zh-CN", "注册")])
def test_visitor_on_a_phone_can_sign_up(live_server, site, browser, locale, label):  # noqa: F811
    url = live_server.url
    context, page = _page(browser, MOBILE, locale=locale)
    page.goto(f"{url}/")
    button = page.locator(".topbar > a[href='/signup/']", has_text=label)
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] + box["width"] <= MOBILE["width"] and box["height"] >= 30  # on screen, a real target
    shoot(page, f"visitor-topbar-{locale[:2]}-mobile")
    button.click()
    page.wait_for_url(f"{url}/signup/")
    context.close()
    context, page = _page(browser, DESKTOP, locale=locale)
    page.goto(f"{url}/")
    assert page.locator(".topnav a[href='/signup/']").is_visible()
    assert not page.locator(".topbar > a.phone-only").is_visible()  # one Sign up on a desktop, in the nav
    context.close()


@pytest.mark.parametrize("locale,ui", [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_search_button_stays_on_one_line(live_server, site, browser, locale, ui):  # noqa: F811
    url = live_server.url
    context, page = _page(browser, MOBILE, locale=locale)
    page.goto(f"{url}/search/")
    button = page.locator(".search-form button[type=submit]")
    lines = button.evaluate(
        """b => { const r = document.createRange(); r.selectNodeContents(b);
                  return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }"""
    )
    assert lines == 1, button.inner_text()
    assert button.bounding_box()["height"] <= 44
    shoot(page, f"search-{ui}-mobile")
    context.close()


def test_boards_show_their_covers(live_server, site, browser):  # noqa: F811
    url = live_server.url
    for viewport, suffix in ((MOBILE, "mobile"), (DESKTOP, "desktop")):
        context, page = _page(browser, viewport, locale="zh-CN")
        sign_in(page, url, "mei")
        page.goto(f"{url}/boards/")
        page.wait_for_load_state("networkidle")
        bakes = page.locator(f".board-tile a[href='/boards/{site['boards']['bakes'].pk}/']")
        assert bakes.locator("img").count() == 2 and bakes.locator(".text-cover").count() == 1
        assert page.evaluate(
            "Array.from(document.querySelectorAll('.board-covers img')).every(i => i.complete && i.naturalWidth > 0)"
        )
        words = page.locator(f".board-tile a[href='/boards/{site['boards']['words'].pk}/']")
        assert "第一次做红烧肉就成功了" in words.locator(".text-cover").inner_text()
        shoot(page, f"boards-{suffix}")
        page.goto(f"{url}/u/mei/")
        assert page.locator(".boards-strip .board-tile img").count() == 2
        shoot(page, f"profile-boards-{suffix}")
        context.close()


def test_text_only_notes_show_a_cover_in_the_waterfall(live_server, site, browser):  # noqa: F811
    url = live_server.url
    for viewport, suffix in ((MOBILE, "mobile"), (DESKTOP, "desktop")):
        context, page = _page(browser, viewport)
        page.goto(f"{url}/")
        page.wait_for_load_state("networkidle")
        covers = page.locator(".waterfall .card .card-cover")
        assert covers.count() == page.locator(".waterfall .card").count()  # no bare card
        zh = page.locator(".card-cover-text p[lang='zh-Hans']", has_text="第一次做红烧肉就成功了")
        assert zh.is_visible()
        box = page.locator(".card-cover-text").first.bounding_box()
        assert abs(box["height"] / box["width"] - 1.333) < 0.03
        shoot(page, f"discover-text-covers-{suffix}")
        context.close()


@pytest.fixture
def failed_translation(settings):
    """A translation job the remote engine could not do, with a long error, as operators see them."""
    from translation.models import TranslationJob
    from translation.services import get_or_request_translation, process_jobs

    settings.TRANSLATION_ENGINES = ["opencc", "libretranslate"]
    settings.LIBRETRANSLATE_URL = "http://127.0.0.1:9"
    settings.TRANSLATION_REMOTE_TIMEOUT = 1.0
    get_or_request_translation(
        obj_kind="note", obj_id=1, field="body", text="The soy milk here is great.", source="en", target="zh-Hans"
    )
    process_jobs(list(TranslationJob.objects.values_list("pk", flat=True)))


@pytest.mark.parametrize("locale,ui", [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_operator_on_a_phone(live_server, site, browser, failed_translation, locale, ui):  # noqa: F811
    """The operators' page fits a phone, their links are in the phone's menu, and Review (not a reviewer
    yet) takes them to the Reviewers page, where one tap makes them a reviewer and opens the queues."""
    _user("kai", staff=True, ui=ui)
    url = live_server.url
    context, page = _page(browser, MOBILE, locale=locale)
    sign_in(page, url, "kai")
    page.goto(f"{url}/ops/translation/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    shoot(page, f"ops-translation-{ui}-mobile")
    page.screenshot(path=str(SHOTS / f"ops-translation-{ui}-mobile-full.png"), full_page=True)

    page.click(".phone-more summary")
    translation, review = (
        page.locator(".phone-more-panel a[href='/ops/translation/']"),
        page.locator(".phone-more-panel a[href='/review/']"),
    )
    assert translation.is_visible() and review.is_visible()
    assert translation.inner_text() == ("Translation" if ui == "en" else "翻译")
    shoot(page, f"phone-menu-{ui}-mobile")
    review.click()
    page.wait_for_url(f"{url}/review/reviewers/")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    shoot(page, f"reviewers-{ui}-mobile")
    page.click("form:has(input[value=self]) button[type=submit]")
    page.wait_for_url(f"{url}/review/")
    assert page.locator("h1").inner_text() == ("Review queues" if ui == "en" else "审核队列")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    shoot(page, f"review-console-{ui}-mobile")
    context.close()


@pytest.mark.parametrize("locale,ui", [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_not_found_page(live_server, site, browser, locale, ui):  # noqa: F811
    url = live_server.url
    for viewport, suffix in ((MOBILE, "mobile"), (DESKTOP, "desktop")):
        context, page = _page(browser, viewport, locale=locale)
        response = page.goto(f"{url}/n/987654321/")
        assert response.status == 404
        assert page.locator(".error-page form[role=search]").is_visible()
        shoot(page, f"not-found-{ui}-{suffix}")
        page.fill("#notfound-q", "rye")
        page.click(".error-page button[type=submit]")
        page.wait_for_url(f"{url}/search/?q=rye")
        context.close()


def test_phone_navigation_without_javascript(live_server, site, browser):  # noqa: F811
    """Sign up for visitors and the operators' menu are plain links and a <details>: no script needed."""
    _user("kai", staff=True)
    url = live_server.url
    context, page = _page(browser, MOBILE, js=False)
    page.goto(f"{url}/")
    assert page.locator(".topbar > a[href='/signup/']").is_visible()
    assert page.locator(".card-cover-text").first.is_visible()  # text covers are plain HTML and CSS
    sign_in(page, url, "kai")
    page.click(".phone-more summary")
    page.click(".phone-more-panel a[href='/ops/translation/']")
    page.wait_for_url(f"{url}/ops/translation/")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    page.goto(f"{url}/n/{site['notes']['portrait'].pk}/")
    page.fill("#comment-body", "Posted without scripts")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector("text=Posted without scripts")
    assert page.inner_text("#comments-h") == "6 comments"
    assert page.inner_text("#note-actions a[href='#comment-body'] .count") == "6"
    context.close()
