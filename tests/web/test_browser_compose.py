"""Compose in a real browser (Debian's chromium through Playwright), typed key by key as a person types:
the tag suggestions follow what is typed and never cover a field, on a phone (390 px, touch) and a
desktop (1280 px).

Run: pytest -m browser tests/web/test_browser_compose.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

CHIPS = "#tag-suggestions .chip"


@pytest.fixture
def tagged(transactional_db):
    from accounts.services import register_user
    from notes.services import create_note

    author = register_user(username="tagger", password=PASSWORD, languages=["en"])
    for i, tags in enumerate([["football", "food"], ["foodie", "travel"], ["travel", "trains"], ["food"]]):
        create_note(author=author, title=f"Tagged note {i}", body=f"Some words for note {i}.", tags=tags)
    return author


def _chips(page) -> list[str]:
    return page.locator(CHIPS).all_inner_texts()


def _wait_chips(page, *, shown: str, gone: str = "") -> None:
    """Wait until the suggestions show ``shown`` (and not ``gone``): they come back from the server."""
    page.wait_for_function(
        """([shown, gone]) => {
            const chips = [...document.querySelectorAll('#tag-suggestions .chip')].map(c => c.textContent.trim());
            return chips.includes(shown) && !(gone && chips.includes(gone));
        }""",
        arg=[shown, gone],
    )


def _overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _covers_nothing(page) -> None:
    """The suggestions overlap no field of the form, and the field typed in is what is under its middle."""
    box = page.locator("#tag-suggestions p").bounding_box()
    assert box is not None
    for field in ("#id_title", "#id_body", "#id_tags", "#id_place"):
        other = page.locator(field).bounding_box()
        assert not _overlaps(box, other), f"the tag suggestions cover {field}: {box} over {other}"
    on_top = page.evaluate(
        """() => { const r = document.querySelector('#id_tags').getBoundingClientRect();
                   return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).id; }"""
    )
    assert on_top == "id_tags"


@pytest.mark.parametrize("viewport,suffix", [(MOBILE, "mobile"), (DESKTOP, "desktop")])
def test_tag_suggestions_follow_typing_and_cover_no_field(live_server, tagged, browser, viewport, suffix):  # noqa: F811
    phone = viewport is MOBILE
    context = browser.new_context(viewport=viewport, locale="en-US", has_touch=phone, is_mobile=phone)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, "tagger")
    page.goto(f"{live_server.url}/compose/")

    page.locator("#id_title").press_sequentially("Saturday match", delay=20)
    page.locator("#id_body").press_sequentially("Cold but worth it.", delay=20)
    tags = page.locator("#id_tags")
    tags.scroll_into_view_if_needed()
    _covers_nothing(page)  # the popular tags shown before anything is typed
    tags.tap() if phone else tags.click()
    tags.press_sequentially("foo", delay=60)
    _wait_chips(page, shown="#football", gone="#travel")
    assert set(_chips(page)) == {"#football", "#food", "#foodie"}
    _covers_nothing(page)
    shoot(page, f"compose-tag-suggestions-{suffix}")

    tags.press_sequentially("tb", delay=60)
    _wait_chips(page, shown="#football", gone="#food")
    assert _chips(page) == ["#football"]

    chip = page.locator(CHIPS, has_text="#football")
    chip.tap() if phone else chip.click()
    assert tags.input_value() == "football "
    # The field went on without the tag just taken: popular tags, not #football again.
    _wait_chips(page, shown="#travel", gone="#football")
    page.keyboard.type("tra", delay=60)
    _wait_chips(page, shown="#trains", gone="#food")
    assert tags.input_value() == "football tra"
    page.locator(CHIPS, has_text="#travel").click()
    assert tags.input_value() == "football travel "
    _covers_nothing(page)
    assert errors == []
    context.close()
