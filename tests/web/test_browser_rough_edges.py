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

from tests.web.conftest import distinct_text
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


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


def _log_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_look(live_server, site, browser):  # noqa: F811
    url = live_server.url
    for viewport, suffix in ((MOBILE, "mobile"), (DESKTOP, "desktop")):
        context, page = _page(browser, viewport)
        for name, path in {
            "rough-discover-anon": "/",
            "rough-note-landscape": f"/n/{site['notes']['landscape'].pk}/",
            "rough-note-portrait": f"/n/{site['notes']['portrait'].pk}/",
            "rough-note-text": f"/n/{site['notes']['text'].pk}/",
        }.items():
            page.goto(url + path)
            shoot(page, f"{name}-{suffix}")
        _log_in(page, url, "mei")
        for name, path in {"rough-boards": "/boards/", "rough-profile": "/u/mei/", "rough-search": "/search/"}.items():
            page.goto(url + path)
            shoot(page, f"{name}-{suffix}")
        context.close()
