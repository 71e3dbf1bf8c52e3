"""The newcomer's journey in a real browser (Debian's chromium through Playwright), with screenshots.

Run: pytest -m browser tests/web/test_browser.py   (screenshots land in artifacts/screenshots/)
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

# Playwright's sync API runs an event loop in this thread; the test still reads the database directly.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import distinct_text, sign_in

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

PALETTE = [
    ((255, 183, 178), (255, 111, 97)),
    ((181, 234, 215), (46, 139, 87)),
    ((199, 206, 234), (72, 61, 139)),
    ((255, 218, 193), (233, 150, 122)),
    ((226, 240, 203), (107, 142, 35)),
    ((250, 232, 168), (218, 165, 32)),
]
SIZES = [(900, 1200), (1000, 1000), (1200, 900), (900, 1200), (960, 1280)]
TITLES = [
    ("Hidden dumpling spot in Flushing", "Pork and chive, 12 for $8. Go before noon. #food #nyc"),
    ("成都火锅推荐", "牛油锅底非常香，排队一小时也值得 #美食 #成都"),
    ("Sunday farmers market haul", "Peaches are finally in season #market"),
    ("周末露营清单", "第一次露营必备的十样东西 #露营 #travel"),
    ("My 5-minute morning skincare", "Three steps, nothing fancy #beauty"),
    ("Cozy reading corner makeover", "Before and after, all second-hand #home"),
]


def picture(i: int, fmt: str = "JPEG") -> bytes:
    top, bottom = PALETTE[i % len(PALETTE)]
    w, h = SIZES[i % len(SIZES)]
    image = Image.new("RGB", (w, h), top)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    # Shapes in different places for every picture: the review app holds photos that several accounts share.
    rng = random.Random(i)
    for _ in range(4):
        r = rng.randrange(w // 10, w // 3)
        x, y = rng.randrange(w), rng.randrange(h)
        shade = rng.randrange(200, 256)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade, shade))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def seeded(transactional_db):
    from accounts.services import register_user
    from notes.services import create_comment, create_note, like_note, upload_photo

    authors = [
        register_user(username=name, password="correct horse battery", display_name=display, languages=langs)
        for name, display, langs in [
            ("mei", "Mei 美食日记", ["zh-Hans", "en"]),
            ("jordan", "Jordan in NYC", ["en"]),
            ("lin", "林小满", ["zh-Hans"]),
        ]
    ]
    notes = []
    for i in range(36):
        author = authors[i % 3]
        title, body = TITLES[i % len(TITLES)]
        photos = [
            upload_photo(owner=author, file=picture(i + k), alt_text=f"Photo {k + 1} of {title}") for k in range(2)
        ]
        notes.append(
            create_note(
                author=author,
                title=title if i < 6 else f"{title} {i}",
                body=f"{body}\n\n{distinct_text(i)}",
                photo_ids=[p.pk for p in photos],
            )
        )
    for i, note in enumerate(notes[:12]):
        like_note(user=authors[(i + 1) % 3], note_id=note.pk)
    create_comment(author=authors[1], note_id=notes[0].pk, body="Adding this to my list!")
    return {"authors": authors, "notes": notes}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        # Fail, never skip: a missing browser must not look like a passing suite.
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium "
            "(`make test` installs it when run as root)",
            pytrace=False,
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_newcomer_journey(live_server, seeded, browser):
    from accounts.models import Follow, User
    from notes.models import Board, Collect, Comment, Like, Note

    url = live_server.url
    context = browser.new_context(viewport=MOBILE, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15000)

    # Sign up.
    page.goto(f"{url}/signup/")
    shoot(page, "signup-mobile")
    page.fill("#id_username", "newbie")
    page.fill("#id_display_name", "New Bie")
    page.fill("#id_password", "a sturdy passphrase")
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{url}/welcome/")

    # Onboarding: interests, languages, suggested accounts (three are preselected).
    page.click("text=Food")
    page.click("text=Travel")
    page.check("input[name=languages][value='zh-Hans']", force=True)
    assert page.locator("input[name=follow]").count() == 3
    shoot(page, "welcome-mobile")
    page.click("text=Start exploring")
    page.wait_for_url(f"{url}/")
    newbie = User.objects.get(username="newbie")
    assert newbie.onboarded and newbie.interests == ["food", "travel"]
    assert Follow.objects.filter(follower=newbie).count() == 3

    # Discover is not empty, and scrolling loads the next page.
    cards = page.locator(".waterfall .card")
    assert cards.count() == 30
    shoot(page, "discover-mobile")
    page.mouse.wheel(0, 40000)
    page.wait_for_function("document.querySelectorAll('.waterfall .card').length > 30")
    assert cards.count() == 36

    # Open a note: like, collect into a new board, comment, follow the author.
    page.evaluate("window.scrollTo(0, 0)")
    first = seeded["notes"][-1]
    page.goto(f"{url}/n/{first.pk}/")
    shoot(page, "note-mobile")
    page.click("button[name=action][value=like]")
    page.wait_for_selector("button[name=action][value=unlike]")
    assert Like.objects.filter(user=newbie, note=first).exists()
    page.click(".collect summary")
    page.fill("input[name=new_board]", "Weekend ideas")
    page.screenshot(path=str(SHOTS / "collect-mobile.png"))
    page.click(".collect-panel button[type=submit]:not([value=uncollect])")
    page.wait_for_selector("text=Collected.")
    board = Board.objects.get(owner=newbie, name="Weekend ideas")
    assert Collect.objects.filter(board=board, note=first).exists()
    page.fill("#comment-body", "Saving this for Saturday!")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector("text=Saving this for Saturday!")
    assert Comment.objects.filter(author=newbie, note=first).exists()
    Follow.objects.filter(follower=newbie, followee=first.author).delete()
    page.reload()
    page.click(".note-author button[value=follow]")
    page.wait_for_selector(".note-author button[value=unfollow]")
    assert Follow.objects.filter(follower=newbie, followee=first.author).exists()

    # Carousel: keyboard moves to the second photo.
    page.focus(".carousel-track")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('[data-current]').textContent === '2'")

    # Compose a note with two photos, reordered, with alt text.
    page.goto(f"{url}/compose/")
    page.set_input_files(
        "#photo-input",
        [
            {"name": "one.jpg", "mimeType": "image/jpeg", "buffer": picture(101)},
            {"name": "two.png", "mimeType": "image/png", "buffer": picture(104, "PNG")},
        ],
    )
    page.wait_for_function("document.querySelectorAll('#photo-tiles .tile').length === 2")
    ids_before = page.eval_on_selector_all("input[name=photo_ids]", "els => els.map(e => e.value)")
    page.click("#photo-tiles .tile:nth-child(2) [data-move='-1']")
    ids_after = page.eval_on_selector_all("input[name=photo_ids]", "els => els.map(e => e.value)")
    assert ids_after == ids_before[::-1]
    page.fill("#photo-tiles .tile:nth-child(1) textarea", "A sunny picnic blanket")
    page.fill("#id_title", "Picnic in Prospect Park")
    page.fill("#id_body", "Bring peaches and a blanket.")
    page.fill("input[name=tags]", "picnic 野餐")
    page.fill("#id_place", "Prospect Park")
    shoot(page, "compose-mobile")
    page.click("button[value=post]")
    page.wait_for_selector("h1.note-title")
    note = Note.objects.get(author=newbie)
    assert [str(p.pk) for p in note.photos.order_by("position")] == ids_after
    assert note.photos.order_by("position")[0].alt_text == "A sunny picnic blanket"
    assert page.locator(".slide img").first.get_attribute("alt") == "A sunny picnic blanket"

    # Find it on the profile and in search (English and Chinese).
    page.goto(f"{url}/u/newbie/")
    assert page.locator("text=Picnic in Prospect Park").count() == 1
    shoot(page, "profile-mobile")
    page.goto(f"{url}/search/?q=picnic")
    assert page.locator(".card-title", has_text="Picnic in Prospect Park").count() == 1
    page.goto(f"{url}/search/?q=野餐")
    assert page.locator(".card-title", has_text="Picnic in Prospect Park").count() == 1
    page.goto(f"{url}/search/?q=火锅")
    assert page.locator(".card-title", has_text="成都火锅推荐").count() >= 1
    shoot(page, "search-mobile")
    page.goto(f"{url}/boards/{board.pk}/")
    shoot(page, "board-mobile")

    # Switch the interface to Chinese and back; the choice is remembered on the account.
    page.goto(f"{url}/")
    page.set_viewport_size(DESKTOP)
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "推荐"  # signed in, Discover is "For you"
    newbie.refresh_from_db()
    assert newbie.ui_language == "zh-hans"
    shoot(page, "discover-zh-desktop")
    page.goto(f"{url}/n/{first.pk}/")
    shoot(page, "note-zh-desktop")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator(".note-actions").inner_text().count("Like") == 1
    newbie.refresh_from_db()
    assert newbie.ui_language == "en"
    context.close()


@pytest.mark.parametrize("viewport,suffix", [(MOBILE, "mobile"), (DESKTOP, "desktop")])
def test_main_pages_screenshots(live_server, seeded, browser, viewport, suffix):
    """Every main page renders without a server error or a broken image at both widths."""
    from notes.services import collect_note, create_board

    mei = seeded["authors"][0]
    board = create_board(owner=mei, name="Best eats")
    collect_note(user=mei, note_id=seeded["notes"][1].pk, board_id=board.pk)
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    shoot(page, f"login-{suffix}")
    page.fill("#id_username", "mei")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{live_server.url}/")
    pages = {
        "discover": "/",
        "note": f"/n/{seeded['notes'][0].pk}/",
        "compose": "/compose/",
        "profile": "/u/mei/",
        "board": f"/boards/{board.pk}/",
        "search": "/search/?q=dumpling",
        "notifications": "/notifications/",
        "settings": "/settings/",
        "tag": "/tag/food/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => i.loading !== 'lazy' && i.complete && i.naturalWidth === 0).length"
        )
        assert broken == 0, path
        shoot(page, f"{name}-{suffix}")
    context.close()


def test_core_actions_without_javascript(live_server, seeded, browser):
    """Like, collect into a new board, comment, follow and post with two photos: plain forms, no script."""
    from accounts.models import Follow, User
    from notes.models import Board, Comment, Like, Note

    url = live_server.url
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{url}/signup/")
    page.fill("#id_username", "nojs")
    page.fill("#id_password", "a sturdy passphrase")
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{url}/welcome/")
    page.click("text=Start exploring")
    page.wait_for_url(f"{url}/")
    assert page.locator(".waterfall .card").count() == 30
    page.click("text=Show more")
    assert page.locator(".waterfall .card").count() == 6  # the plain link opens the next page
    me = User.objects.get(username="nojs")

    note = seeded["notes"][0]
    page.goto(f"{url}/n/{note.pk}/")
    page.click("button[name=action][value=like]")
    page.wait_for_selector("button[name=action][value=unlike]")
    assert Like.objects.filter(user=me, note=note).exists()
    page.click(".collect summary")
    page.fill("input[name=new_board]", "No script board")
    page.click(".collect-panel button[type=submit]:not([value=uncollect])")
    page.wait_for_selector("text=Collected.")
    assert Board.objects.filter(owner=me, name="No script board", notes_count=1).exists()
    page.fill("#comment-body", "Works without JavaScript")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector("text=Works without JavaScript")
    assert Comment.objects.filter(author=me).exists()
    Follow.objects.filter(follower=me).delete()
    page.reload()
    page.click(".note-author button[value=follow]")
    page.wait_for_selector(".note-author button[value=unfollow]")

    page.goto(f"{url}/compose/")
    page.set_input_files(
        "#photo-input",
        [
            {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": picture(202)},
            {"name": "b.jpg", "mimeType": "image/jpeg", "buffer": picture(203)},
        ],
    )
    page.fill("#id_title", "Posted without scripts")
    page.click("button[value=post]")
    page.wait_for_selector("h1.note-title")
    posted = Note.objects.get(author=me)
    assert posted.title == "Posted without scripts" and posted.photos.count() == 2
    context.close()


def test_translation_swaps_in_and_back(live_server, transactional_db, browser, settings):
    """Auto-translate: the original first, the OpenCC translation swapped in by htmx, the original one tap away;
    without JavaScript the Translate link reloads the page translated."""
    from accounts.services import register_user
    from notes.services import create_note

    settings.TRANSLATION_ENGINES = ["opencc", "gloss"]
    author = register_user(username="chen", password="correct horse battery", languages=["zh-Hans"])
    register_user(username="tw", password="correct horse battery", languages=["zh-Hant"])
    note = create_note(author=author, title="台湾的早餐", body="这里的豆浆很好喝。", language="zh-Hans")
    url = live_server.url

    for js in (True, False):
        context = browser.new_context(viewport=MOBILE, locale="en-US", java_script_enabled=js)
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, url, "tw")
        page.goto(f"{url}/n/{note.pk}/")
        if not js:
            assert "豆浆" in page.inner_text(".note-body")
            page.click(f"#tr-note-{note.pk} .translate-tools a")
        page.wait_for_selector(f"#tr-note-{note.pk} .translated-by")
        assert "豆漿" in page.inner_text(".note-body")
        assert "OpenCC" in page.inner_text(f"#tr-note-{note.pk} .translated-by")
        if js:
            shoot(page, "note-translated-mobile")
        page.click(f"#tr-note-{note.pk} .translate-tools a")
        page.wait_for_selector(f"#tr-note-{note.pk} .translate-tools a:text('Translate')")
        assert "豆浆" in page.inner_text(".note-body")
        context.close()


def test_ip_location_and_review_console_in_chinese(live_server, transactional_db, browser):
    """A reader in China (by profile region; the test browser's loopback address has no country) sees
    "IP属地" on notes and profiles; as a reviewer working in Chinese she selects an item with the keyboard
    and approves it in bulk."""
    from accounts.services import register_user
    from notes.models import Note
    from notes.services import create_note
    from review.models import Reviewer

    author = register_user(username="sam", password="correct horse battery", languages=["en"], region="US")
    poster = register_user(username="troll", password="correct horse battery", languages=["zh-Hans"])
    reader = register_user(
        username="xiaolin", password="correct horse battery", languages=["zh-Hans"], region="CN", ui_language="zh-hans"
    )
    Reviewer.objects.create(user=reader, languages=["zh-Hans", "en"])
    note = create_note(author=author, title="Bagels in Brooklyn", body=distinct_text(501))
    held = create_note(author=poster, title="", body="楼主真是个智障")
    assert Note.objects.get(pk=note.pk).ip_country == "US"
    assert Note.objects.get(pk=held.pk).state == "held"
    url = live_server.url

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, "xiaolin")
    page.goto(f"{url}/n/{note.pk}/")
    assert page.inner_text(".note-meta .ip-location") == "IP属地：美国"
    shoot(page, "note-ip-location-zh")
    page.goto(f"{url}/u/sam/")
    assert page.inner_text(".profile-id .ip-location") == "IP属地：美国"

    page.goto(f"{url}/review/")
    assert page.inner_text("h1") == "审核队列"
    assert "骚扰或威胁" in page.inner_text(".queues")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.is_checked(".review-items input[type=checkbox]")
    page.select_option("select[name=action]", "approve")
    page.select_option("select[name=reason_code]", "other")
    shoot(page, "review-console-zh")
    page.click("form[action$='/review/bulk'] button[type=submit]")
    page.wait_for_selector("text=已处理 1 条，跳过 0 条。")
    assert Note.objects.get(pk=held.pk).state == "published"
    context.close()


def test_onboarding_people_follow_the_interests_ticked(live_server, transactional_db, browser):
    """The welcome page offers someone for every interest, and ticking Food puts the food people first
    and ticks them instead of whoever came first; a person the newcomer ticked or unticked stays so."""
    from accounts.models import Follow, User
    from accounts.services import register_user
    from notes.services import create_note

    people = {}
    for name, interests in [
        ("petpal", ["pets"]),
        ("gymrat", ["fitness"]),
        ("noodles", ["food"]),
        ("wander", ["travel", "food"]),
        ("stylist", ["fashion"]),
    ]:
        people[name] = register_user(username=name, password="correct horse battery", interests=interests)
        create_note(author=people[name], title=f"{name} says hi", body="A first note.")
    url = live_server.url
    page = browser.new_page(viewport=MOBILE)
    page.goto(f"{url}/signup/")
    page.fill("#id_username", "hungry")
    page.fill("#id_password", "a sturdy passphrase")
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{url}/welcome/")
    offered = page.locator("ul.people input[name=follow]")
    assert offered.count() == 5

    def ticked() -> set[str]:
        return {
            User.objects.get(pk=int(v)).username
            for v in page.eval_on_selector_all("ul.people input[name=follow]:checked", "els => els.map(e => e.value)")
        }

    before = ticked()
    assert len(before) == 3
    page.click("text=Food")
    assert ticked() == {"noodles", "wander"}
    first_two = page.eval_on_selector_all("ul.people li", "els => els.slice(0, 2).map(e => e.dataset.interests)")
    assert all("food" in i for i in first_two)
    # The newcomer's own choice sticks when interests change again.
    page.check(f"ul.people input[value='{people['petpal'].pk}']", force=True)
    page.click("text=Fitness")
    assert ticked() == {"petpal", "noodles", "wander", "gymrat"}
    shoot(page, "welcome-interests-mobile")
    page.click("text=Start exploring")
    page.wait_for_url(f"{url}/")
    newbie = User.objects.get(username="hungry")
    assert newbie.interests == ["food", "fitness"]
    followed = set(Follow.objects.filter(follower=newbie).values_list("followee__username", flat=True))
    assert followed == {"petpal", "noodles", "wander", "gymrat"}
