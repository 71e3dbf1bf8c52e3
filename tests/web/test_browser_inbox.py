"""The inbox and the interactions a RedNote user reaches for, in a real browser (Debian's chromium through
Playwright) at phone (390 px) and desktop (1280 px) widths, in English and Chinese: double-tap a photo to
like it, like a comment, the inbox's tabs with grouped likes, and @mention autocomplete.

Run: pytest -m browser tests/web/test_browser_inbox.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import sign_in
from tests.web.test_browser import DESKTOP, MOBILE, SHOTS, browser, shoot  # noqa: F401  (browser is a fixture)
from tests.web.test_browser_rough_edges import _note, _user

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox_site(transactional_db):
    """ada posts a photo note; twelve people and then maple_matcha like it; one follows her, one comments."""
    from accounts.services import follow
    from notes.services import create_comment, like_note

    ada = _user("ada")
    mei = _user("mei", langs=("zh-Hans", "en"), ui="zh-hans")
    maple = _user("maple_matcha")
    _user("maple_leaf")
    liked = _note(ada, "Matcha latte art, third try", sizes=[(1200, 900)], seed=41)
    plain = _note(ada, "Rye starter, day four", sizes=[(900, 1200)], seed=42)
    zh = _note(mei, "抹茶拿铁拉花练习", sizes=[(1000, 1000)], seed=43, language="zh-Hans")
    for i in range(12):
        fan = _user(f"fan{i:02d}")
        like_note(user=fan, note_id=liked.pk)
        like_note(user=fan, note_id=zh.pk)
    like_note(user=maple, note_id=liked.pk)
    like_note(user=maple, note_id=zh.pk)
    follow(follower=maple, followee=ada)
    follow(follower=maple, followee=mei)
    follow(follower=mei, followee=maple)  # so maple_matcha comes first among mei's @map suggestions
    comment = create_comment(author=maple, note_id=plain.pk, body="Day four is when it gets lively! #sourdough")
    create_comment(author=maple, note_id=zh.pk, body="好漂亮 @mei")
    return {"ada": ada, "mei": mei, "liked": liked, "plain": plain, "zh": zh, "comment": comment}


def _page(browser, viewport, *, locale="en-US", js=True, touch=False):  # noqa: F811
    context = browser.new_context(
        viewport=viewport, locale=locale, java_script_enabled=js, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_double_tap_a_photo_likes_it_with_a_heart(live_server, inbox_site, browser):  # noqa: F811
    from notes.models import CommentLike, Like

    url = live_server.url
    note, comment = inbox_site["plain"], inbox_site["comment"]
    for likes, (viewport, suffix, touch) in enumerate(((MOBILE, "mobile", True), (DESKTOP, "desktop", False)), 1):
        context, page = _page(browser, viewport, touch=touch)
        sign_in(page, url, "mei" if touch else "ada")
        page.goto(f"{url}/n/{note.pk}/")
        like = page.locator("#note-actions button[name=action]")
        assert like.get_attribute("value") == "like"
        photo = page.locator(".carousel-track img").first
        if touch:
            photo.tap()
            photo.tap()
        else:
            photo.dblclick()
        page.wait_for_selector(".heart-burst", state="attached")
        page.screenshot(path=str(SHOTS / f"double-tap-like-{suffix}.png"))
        page.wait_for_function("document.querySelector('#note-actions button[name=action]').value === 'unlike'")
        assert page.locator("#note-actions button[name=action] .count").inner_text() == str(likes)
        page.wait_for_selector(".heart-burst", state="detached")
        # A second double-tap never takes the like back.
        if touch:
            photo.tap()
            photo.tap()
        else:
            photo.dblclick()
        page.wait_for_timeout(600)
        assert like.get_attribute("value") == "unlike"
        assert Like.objects.filter(note=note).count() == likes
        # The comment's heart, through htmx.
        heart = page.locator(f"#c{comment.pk} .comment-like-btn")
        heart.click()
        page.wait_for_selector(f"#c{comment.pk} .comment-like-btn[aria-pressed=true]")
        assert page.locator(f"#c{comment.pk} .comment-like-btn .count").inner_text() == str(likes)
        assert CommentLike.objects.filter(comment=comment).count() == likes
        page.locator(f"#c{comment.pk}").scroll_into_view_if_needed()
        shoot(page, f"comment-like-{suffix}")
        context.close()


def test_without_javascript_the_like_buttons_still_work(live_server, inbox_site, browser):  # noqa: F811
    from notes.models import CommentLike, Like

    url = live_server.url
    note, comment = inbox_site["plain"], inbox_site["comment"]
    context, page = _page(browser, MOBILE, js=False)
    sign_in(page, url, "mei")
    page.goto(f"{url}/n/{note.pk}/")
    page.click("#note-actions button[name=action][value=like]")
    page.wait_for_selector("#note-actions button[name=action][value=unlike]")
    page.click(f"#c{comment.pk} .comment-like-btn")
    page.wait_for_selector(f"#c{comment.pk} .comment-like-btn[aria-pressed=true]")
    assert Like.objects.filter(note=note).count() == 1 and CommentLike.objects.filter(comment=comment).count() == 1
    context.close()


def test_inbox_tabs_show_grouped_likes(live_server, inbox_site, browser):  # noqa: F811
    from notifications.models import Notification

    url = live_server.url
    cases = (
        (DESKTOP, "desktop", "en-US", "ada", "maple_matcha and 12 others liked your note", "New followers", "1"),
        # mei's comment tab holds maple_matcha's comment and its @mei.
        (MOBILE, "mobile-zh", "zh-CN", "mei", "maple_matcha 和其他 12 人赞了你的笔记", "新增关注", "2"),
        (MOBILE, "mobile", "en-US", "ada", "maple_matcha and 12 others liked your note", "New followers", "1"),
    )
    for viewport, suffix, locale, who, grouped, follows_tab, comments in cases:
        Notification.objects.filter(recipient__username=who).update(read=False)  # each case starts unread
        context, page = _page(browser, viewport, locale=locale)
        sign_in(page, url, who)
        page.goto(f"{url}/notifications/")
        first = page.locator(".notifications .notification").first
        assert " ".join(first.locator(".notif-line").inner_text().split()).startswith(grouped)
        assert first.locator(".notif-avatars .avatar").count() == 3
        tabs = page.locator(".inbox-tabs")
        assert tabs.locator("[aria-current=page] .badge").count() == 0
        assert tabs.locator("[data-tab=follows] .badge").inner_text() == "1"
        assert tabs.locator("[data-tab=comments] .badge").inner_text() == comments
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        for tab in ("likes", "follows", "comments"):  # every tab in view, none scrolled off
            box = tabs.locator(f"[data-tab={tab}]").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        shoot(page, f"inbox-likes-{suffix}")
        tabs.get_by_text(follows_tab).click()
        page.wait_for_url(re.compile(r".*/notifications/\?tab=follows$"))
        assert page.locator(".inbox-tabs [data-tab=follows] .badge").count() == 0
        assert "maple_matcha" in page.locator(".notifications").inner_text()
        shoot(page, f"inbox-follows-{suffix}")
        context.close()


def test_mention_autocomplete_in_comments_and_compose(live_server, inbox_site, browser):  # noqa: F811
    from notes.models import Comment

    url = live_server.url
    note = inbox_site["liked"]
    # Phone, in Chinese: a comment that mentions someone, picked from the list with the keyboard.
    context, page = _page(browser, MOBILE, locale="zh-CN", touch=True)
    sign_in(page, url, "mei")
    page.goto(f"{url}/n/{note.pk}/")
    field = page.locator("#comment-body")
    field.click()
    field.type("谢谢 @map", delay=30)
    options = page.locator("#comment-body-mentions [role=option]")
    options.first.wait_for()
    assert [o.get_attribute("data-username") for o in options.all()] == ["maple_matcha", "maple_leaf"]
    assert field.get_attribute("aria-expanded") == "true"
    shoot(page, "mention-autocomplete-mobile-zh")
    field.press("Enter")
    assert field.input_value() == "谢谢 @maple_matcha "
    assert page.locator("#comment-body-mentions").is_hidden()
    field.type("好看！")
    page.click(".comment-form button[type=submit]")
    posted = page.locator(".comment-body", has_text="好看！")
    posted.wait_for()
    assert posted.locator("a.mention").get_attribute("href") == "/u/maple_matcha/"
    assert Comment.objects.filter(body="谢谢 @maple_matcha 好看！").exists()
    context.close()

    # Desktop, in English: compose's text field, picked with the mouse.
    context, page = _page(browser, DESKTOP)
    sign_in(page, url, "ada")
    page.goto(f"{url}/compose/")
    body = page.locator("#id_body")
    body.click()
    body.type("Latte with @maple_l", delay=30)
    option = page.locator("#id_body-mentions [role=option]")
    option.first.wait_for()
    assert option.count() == 1
    shoot(page, "mention-autocomplete-desktop")
    option.first.click()
    assert body.input_value() == "Latte with @maple_leaf "
    body.press("Escape")
    context.close()
