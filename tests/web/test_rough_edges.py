"""The rough edges a newcomer hit, checked through the Django client: counts that agree after a comment,
help and error texts that aria-describedby finds, /favicon.ico, styled 403 and 404 pages in both languages,
board covers (what a viewer may see, in a bounded number of queries), text-only notes' generated covers,
and the phone navigation's Sign up and "more" links. The same in a real browser:
tests/web/test_browser_rough_edges.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notes.services import collect_note, create_board, create_comment, create_note
from web.templatetags.web_tags import text_cover_class

PASSWORD = "correct horse battery"


@pytest.fixture
def text_note(django_capture_on_commit_callbacks):
    """A note without photos, published as a user would post it (screening runs on commit)."""

    def make(author, title, body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return create_note(author=author, title=title, body=body, **kwargs)

    return make


class _Ids(HTMLParser):
    """Every id in a page, and every aria-describedby with the element that carries it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        if found.get("aria-describedby"):
            self.described.append((f"<{tag} name={found.get('name')!r}>", found["aria-describedby"]))


def _dangling_references(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return [
        f"{element} -> #{ref}" for element, refs in parser.described for ref in refs.split() if ref not in parser.ids
    ]


def _describedby(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return [refs for _, refs in parser.described]


# --- counts that agree ------------------------------------------------------------------------------


def test_posting_a_comment_updates_the_action_bar_out_of_band(client, make_user, post_note, login):
    author, reader = make_user("ada"), make_user("bo")
    note = post_note(author)
    for i in range(5):
        create_comment(author=author, note_id=note.pk, body=f"note to self {i}")
    login(reader)
    response = client.post(f"/n/{note.pk}/comments/", {"body": "Lovely crumb!"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="comments-h">6 comments</h2>' in html
    # The action bar comes along, swapped by id, and says the same number.
    bar = html[html.index('<div class="note-actions" id="note-actions" hx-swap-oob="true">') :]
    assert re.search(r'href="#comment-body">.*?<span class="count">6</span>', bar, re.S)
    # The liked/collected state and the boards are the viewer's, as on the page.
    assert 'value="like"' in bar and "Collect into" in bar

    # A refused comment changes no count; the bar still agrees with the heading.
    response = client.post(f"/n/{note.pk}/comments/", {"body": "   "}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<h2 id="comments-h">6 comments</h2>' in html and '<span class="count">6</span>' in html


def test_plain_comment_post_still_redirects_to_the_page(client, make_user, post_note, login):
    note = post_note(make_user("ada"))
    login(make_user("bo"))
    response = client.post(f"/n/{note.pk}/comments/", {"body": "No script here"})
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    page = client.get(f"/n/{note.pk}/").content.decode()
    assert '<h2 id="comments-h">1 comment</h2>' in page
    assert "hx-swap-oob" not in page  # the page's own bar is not an out-of-band swap


# --- aria-describedby finds its help and error texts ---------------------------------------------------


def test_help_and_error_texts_have_the_ids_aria_describedby_names(client, make_user, post_note, login):
    pages = []
    response = client.get("/signup/")
    pages.append(("signup", response.content.decode()))
    assert "id_username_helptext" in _describedby(pages[-1][1])[0]
    response = client.post("/signup/", {"username": "bad name!", "password": "short"})
    assert response.status_code in (200, 422)
    pages.append(("signup with errors", response.content.decode()))
    described = " ".join(_describedby(pages[-1][1]))
    assert "id_username_helptext" in described and "id_username_error" in described
    pages.append(("login with errors", client.post("/login/", {"username": "x", "password": "y"}).content.decode()))

    user = make_user("ada")
    note = post_note(user)
    login(user)
    for path in ("/compose/", "/settings/", "/settings/profile/", "/boards/", "/welcome/", f"/n/{note.pk}/"):
        pages.append((path, client.get(path).content.decode()))
    response = client.post("/compose/", {"title": "x" * 300, "tags": "#" * 1300, "action": "post"})
    pages.append(("compose with errors", response.content.decode()))
    described = " ".join(_describedby(pages[-1][1]))
    assert "id_tags_helptext" in described and "id_tags_error" in described and "id_title_error" in described
    pages.append(("boards with errors", client.post("/boards/", {"name": ""}).content.decode()))
    board = create_board(owner=user, name="Keep")
    pages.append(("edit board", client.get(f"/boards/{board.pk}/edit/").content.decode()))

    for name, html in pages:
        assert _dangling_references(html) == [], name


# --- favicon ---------------------------------------------------------------------------------------------


def test_favicon_is_served_and_linked(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in response["Cache-Control"]
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert re.search(r'<link rel="icon" href="/static/web/favicon\.svg" type="image/svg\+xml">', page)
    assert client.post("/favicon.ico").status_code == 405


# --- 403 and 404 -----------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    user = make_user("kai")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_403_says_why_and_what_to_do(client, make_user, login):
    login(make_user("kai"))  # a reader who is not a reviewer (an operator is offered to become one)
    response = client.get("/review/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "Only reviewers can see review queues. Ask an operator to appoint you" in html
    assert "You can’t open this page" in html and "@kai" in html
    assert "ask an operator of this site to give your account access" in html
    assert 'class="topbar"' in html and 'href="/"' in html  # the app's page, with a way back
    assert 'action="/logout/"' in html

    client.logout()
    login(make_user("amy"))
    response = client.get("/ops/translation/")
    assert response.status_code == 403 and "Only operators can see this page." in response.content.decode()


def test_403_in_chinese(client, make_user, login):
    login(make_user("xiaolin", ui_language="zh-hans"))
    response = client.get("/ops/translation/")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="zh-hans">' in html
    assert "你无法打开这个页面" in html and "只有运维人员可以查看此页面。" in html
    assert "请本站的运营人员为你的账号开通权限" in html


def test_404_is_the_apps_page_with_a_way_on(client, make_user, login):
    response = client.get("/n/123456789/")
    html = response.content.decode()
    assert response.status_code == 404 and "404.html" in [t.name for t in response.templates]
    assert "This page isn’t here" in html and 'action="/search/"' in html
    assert "Log in to see them" in html  # a visitor may be missing a followers-only note
    assert "No Note matches" not in html  # nothing internal leaks
    login(make_user("xiaolin", ui_language="zh-hans"))
    html = client.get("/no/such/page/").content.decode()
    assert "这个页面不存在" in html and "搜索" in html and "Log in to see them" not in html


# --- board covers ----------------------------------------------------------------------------------------


def test_my_boards_show_covers_from_their_latest_notes(client, make_user, post_note, text_note, login):
    owner, writer = make_user("mei"), make_user("ada")
    photos = [post_note(writer, title=f"bake {i}") for i in range(4)]
    words = text_note(writer, "What I wish I knew before opening a bakery", "Rent first, ovens second.")
    bakes = create_board(owner=owner, name="Bakes")
    for note in photos:
        collect_note(user=owner, note_id=note.pk, board_id=bakes.pk)
    text_board = create_board(owner=owner, name="Words")
    collect_note(user=owner, note_id=words.pk, board_id=text_board.pk)
    create_board(owner=owner, name="Empty")
    login(owner)
    html = client.get("/boards/").content.decode()
    tiles = {m.group(1): m.group(0) for m in re.finditer(r"<strong>([^<]+)</strong>", html)}
    assert {"Bakes", "Words", "Empty"} <= set(tiles)
    bakes_tile = html[html.index(f'href="/boards/{bakes.pk}/"') : html.index("<strong>Bakes</strong>")]
    assert 'class="board-covers n3"' in bakes_tile and bakes_tile.count("<img ") == 3
    # The newest three collects, newest first.
    latest = [p.photos.first() for p in reversed(photos[1:])]
    assert re.findall(r'src="([^"]+)"', bakes_tile) == [p.thumb.url for p in latest]
    words_tile = html[html.index(f'href="/boards/{text_board.pk}/"') : html.index("<strong>Words</strong>")]
    assert 'class="text-cover' in words_tile and "What I wish I knew before opening a bakery" in words_tile
    assert 'class="board-empty"' in html


def test_board_covers_show_only_what_the_viewer_may_see(client, make_user, post_note, login):
    owner, writer, stranger = make_user("mei"), make_user("ada"), make_user("cy")
    public = post_note(writer, title="public bake")
    hidden = post_note(writer, title="followers bake", visibility="followers")
    from accounts.services import follow

    follow(follower=owner, followee=writer)
    board = create_board(owner=owner, name="Bakes")
    collect_note(user=owner, note_id=public.pk, board_id=board.pk)
    collect_note(user=owner, note_id=hidden.pk, board_id=board.pk)
    secret = create_board(owner=owner, name="Secret", is_private=True)
    collect_note(user=owner, note_id=public.pk, board_id=secret.pk)

    login(owner)
    mine = client.get("/u/mei/").content.decode()
    assert hidden.photos.first().thumb.url in mine and "Secret" in mine
    client.logout()
    login(stranger)
    theirs = client.get("/u/mei/").content.decode()
    assert public.photos.first().thumb.url in theirs
    assert hidden.photos.first().thumb.url not in theirs  # a followers-only note's photo never leaks
    assert "Secret" not in theirs


def test_board_covers_cost_the_same_queries_for_two_boards_or_eight(client, make_user, post_note, login):
    owner, writer = make_user("mei"), make_user("ada")
    notes = [post_note(writer) for _ in range(3)]
    login(owner)

    def add_boards(n):
        for i in range(n):
            board = create_board(owner=owner, name=f"board {create_board.__name__}{i}-{n}")
            for note in notes:
                collect_note(user=owner, note_id=note.pk, board_id=board.pk)

    def count(path):
        client.get(path)  # warm the session and the note cache the same way for both
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    add_boards(2)
    two = (count("/boards/"), count("/u/mei/"))
    add_boards(6)
    eight = (count("/boards/"), count("/u/mei/"))
    assert eight == two


# --- text-only notes -------------------------------------------------------------------------------------


def test_text_only_notes_get_a_generated_cover_in_their_script(client, make_user, post_note, text_note):
    author = make_user("mei")
    zh = text_note(author, "第一次做红烧肉就成功了！", "冰糖炒色是关键，小火慢炖一个小时。", language="zh-Hans")
    en = text_note(author, "", "Rent first, ovens second, everything else third.")
    post_note(author, title="With a photo")
    html = client.get("/").content.decode()
    assert html.count('class="card-cover card-cover-text"') == 2
    cover = r'class="text-cover tc-\d tc-md" aria-hidden="true"><p lang="zh-Hans">第一次做红烧肉就成功了！</p>'
    assert re.search(cover, html)
    # No title: the text's start is the cover.
    assert re.search(r'class="text-cover tc-\d tc-\w\w" aria-hidden="true"><p lang="en">Rent first, ovens', html)
    page = client.get(f"/n/{zh.pk}/").content.decode()
    assert 'class="note-text-cover"' in page and "第一次做红烧肉就成功了！" in page
    assert f"tc-{zh.pk % 8}" in page and f"tc-{en.pk % 8}" in html  # the same colour everywhere


@pytest.mark.parametrize(
    "title,size",
    [("冬天跑步怎么穿", "tc-lg"), ("Hemming my own jeans in 20 minutes", "tc-md"), ("x" * 60, "tc-sm")],
)
def test_text_cover_type_size_follows_the_titles_width(title, size):
    from types import SimpleNamespace

    assert text_cover_class(SimpleNamespace(pk=13, title=title, body="")) == f"tc-5 {size}"


# --- the phone navigation ------------------------------------------------------------------------------


def test_visitors_get_a_sign_up_button_in_the_top_bar(client, make_user, login):
    html = client.get("/").content.decode()
    topbar = html[html.index('<header class="topbar">') : html.index("</header>")]
    assert re.search(r'<a class="btn btn-primary btn-sm phone-only" href="/signup/">Sign up</a>', topbar)
    login(make_user("ada"))
    html = client.get("/").content.decode()
    assert 'phone-only" href="/signup/"' not in html


def test_operators_links_are_in_the_phone_menu(client, make_user, staff, login):
    login(staff)
    html = client.get("/").content.decode()
    menu = html[html.index('<details class="phone-more phone-only">') :]
    menu = menu[: menu.index("</details>")]
    assert 'href="/ops/translation/">Translation</a>' in menu and 'href="/review/">Review</a>' in menu
    client.logout()
    login(make_user("amy"))
    html = client.get("/").content.decode()
    assert 'href="/ops/translation/"' not in html  # not an operator: no link in any menu


def test_operators_links_are_in_one_desktop_menu_so_the_search_box_keeps_its_room(client, make_user, staff, login):
    login(staff)
    html = client.get("/").content.decode()
    topnav = html[html.index('<nav class="topnav"') :]
    topnav = topnav[: topnav.index("</nav>")]
    menu = topnav[topnav.index('<details class="nav-menu">') : topnav.index("</details>")]
    for href in ("/ops/translation/", "/review/", "/ops/trust/"):
        assert f'href="{href}"' in menu
        assert topnav.count(f'href="{href}"') == 1  # only inside the menu, not beside it
    client.logout()
    login(make_user("amy"))
    assert 'href="/ops/trust/"' not in client.get("/").content.decode()  # not an operator: no link anywhere


def test_ops_tables_scroll_inside_their_own_box(client, staff, login):
    login(staff)
    html = client.get("/ops/translation/").content.decode()
    assert html.count('<div class="table-scroll">') == html.count("<table") >= 2
