"""Regional rules on the pages: "IP location" labels where the viewer's pack asks for them (CN), and
counts that never reveal a note withheld in the viewer's country. The viewer's country comes from the
request's IP (CountryMiddleware), else the signed-in user's profile region."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notes.models import Comment, Note

CN_IP, US_IP, GB_IP, TH_IP = "114.114.114.114", "8.8.8.8", "81.2.69.142", "1.46.0.1"
PASSWORD = "correct horse battery"


def browser(ip: str, user=None, language: str = "") -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language) if language else Client(REMOTE_ADDR=ip)
    if user is not None:
        assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_posting_on_the_web_keeps_the_country_not_the_address(
    make_user, post_note, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_SCREENING = False
    author, commenter = make_user(), make_user()
    web = browser(US_IP, author)
    from tests.web.conftest import distinct_image

    # The photo's renditions are made by the media task once the post commits (notes/photos.py).
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            "/compose/",
            {
                "title": "Pancakes",
                "body": "Stacks of them",
                "visibility": "public",
                "photos": [_upload(distinct_image(7))],
                "action": "post",
            },
        )
    assert response.status_code == 302, text(response)[:500]
    note = Note.objects.get(author=author)
    assert note.ip_country == "US"
    response = browser(CN_IP, commenter).post(f"/n/{note.pk}/comments/", {"body": "看起来很好吃"})
    assert response.status_code == 302
    assert Comment.objects.get().ip_country == "CN"
    assert commenter.__class__.objects.get(pk=commenter.pk).last_ip_country == "CN"


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")


@pytest.fixture
def posted(make_user, post_note, on_commit):
    from core.geo import reset_ip_country, set_ip_country
    from notes.services import create_comment

    author, commenter = make_user(), make_user()
    token = set_ip_country("US")  # as the middleware does for a request from the US
    try:
        note = post_note(author, title="Tacos", body="Al pastor from the truck")
        with on_commit():
            set_ip_country("GB")
            create_comment(author=commenter, note_id=note.pk, body="Jealous of your lunch")
    finally:
        reset_ip_country(token)
    return author, note


def test_viewers_in_china_see_ip_locations(posted):
    author, note = posted
    page = text(browser(CN_IP).get(f"/n/{note.pk}/"))
    assert "IP location: United States" in page
    assert "IP location: United Kingdom" in page  # the comment
    profile = text(browser(CN_IP).get(f"/u/{author.username}/"))
    assert "IP location: United States" in profile
    chinese = text(browser(CN_IP, language="zh-hans").get(f"/n/{note.pk}/"))
    assert "IP属地：美国" in chinese and "IP属地：英国" in chinese


def test_other_viewers_do_not_unless_the_operator_turns_labels_on(posted, settings):
    author, note = posted
    for ip in (GB_IP, US_IP, "127.0.0.1"):
        assert "IP location" not in text(browser(ip).get(f"/n/{note.pk}/")), ip
    assert "IP location" not in text(browser(GB_IP).get(f"/u/{author.username}/"))
    settings.IP_LOCATION_LABELS_EVERYWHERE = True
    assert "IP location: United States" in text(browser(GB_IP).get(f"/n/{note.pk}/"))


def test_profile_region_decides_when_the_ip_says_nothing(posted, make_user):
    _author, note = posted
    in_china = make_user(region="CN")
    assert "IP location: United States" in text(browser("127.0.0.1", in_china).get(f"/n/{note.pk}/"))


def test_unknown_origin_says_so_and_no_address_is_shown(make_user, post_note):
    note = post_note(make_user())  # posted outside any request, by a user with no region
    assert note.ip_country == ""
    page = text(browser(CN_IP).get(f"/n/{note.pk}/"))
    assert "IP location: unknown" in page
    assert CN_IP not in page and "127.0.0.1" not in page


@pytest.fixture
def withheld(make_user, post_note, admin_user, on_commit):
    """An author with two notes tagged #politics, one withheld in Thailand, collected by a reader."""
    from notes.services import collect_note, create_board
    from review import withholding

    author, reader = make_user(), make_user()
    note = post_note(author, title="Royal essay", body="An essay on the monarchy #politics")
    post_note(author, title="Election day", body="Queues at the polling station #politics")
    withholding.withhold_note(actor=admin_user, note=note, countries=["TH"], reason_code="state_protection")
    board = create_board(owner=reader, name="Reading list")
    collect_note(user=reader, note_id=note.pk, board_id=board.pk)
    return author, reader, note


@pytest.mark.parametrize("ip, count", [(TH_IP, 1), (GB_IP, 2)])
def test_counts_on_pages_leave_out_what_is_withheld_there(withheld, ip, count):
    author, reader, note = withheld
    other = browser(ip)
    profile = text(other.get(f"/u/{author.username}/"))
    assert f"{count} note{'s' if count > 1 else ''}</h2>" in profile
    tag = text(other.get("/tag/politics/"))
    assert "#politics</strong>" in tag
    assert f'<p class="muted">{count} note{"s" if count > 1 else ""}</p>' in tag
    found = text(other.get("/search/", {"q": "politics", "type": "tags"}))
    assert f'#politics</a> <span class="muted">{count} note' in found
    # The reader's public board holds the withheld note: empty as seen from Thailand.
    board = reader.boards.get(name="Reading list")
    assert f"· {count - 1} note" in text(other.get(f"/boards/{board.pk}/"))
    tile = f'<strong>Reading list</strong></p> <p class="board-tile-count muted">{count - 1} note'
    profile = text(other.get(f"/u/{reader.username}/"))
    assert tile in profile
    mine = text(browser(ip, reader).get("/boards/"))
    assert tile in mine
    # Nor does its photo make the board's cover there.
    cover = note.photos.first().thumb.url
    assert (cover in profile, cover in mine) == ((False, False) if ip == TH_IP else (True, True))
    # And the withheld note itself is not there, by IP alone (no profile region).
    assert other.get(f"/n/{note.pk}/").status_code == (404 if ip == TH_IP else 200)


def test_onboarding_suggestions_count_the_same_way(withheld, make_user):
    author, _reader, _note = withheld
    newcomer = make_user()
    page = text(browser(TH_IP, newcomer).get("/welcome/"))
    assert re.search(rf"@{author.username} · 1 note\b", page), page[:2000]
