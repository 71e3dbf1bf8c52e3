"""Mastodon.py 2.3.3, unmodified, against a real server: the Done-means flow of the issue.

Register an app, authorize a user through the consent page (out-of-band code), register a second
account through the app, post a note with a real photograph, read the home timeline, favourite,
bookmark, follow, read notifications, search, read the instance.
"""

from __future__ import annotations

import io
import re

import pytest
import requests
from django.test import Client
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from PIL import Image

SCOPES = ["read", "write", "follow", "push"]


def photograph_jpeg() -> bytes:
    """A real photograph (the coffee cup bundled with scikit-image), as a JPEG."""
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(data.coffee()).save(out, format="JPEG", quality=90)
    return out.getvalue()


def authorize_in_browser(live_server, user, auth_url: str) -> str:
    """Do what a person does: sign in, open the consent page, press Authorize, copy the code."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = session.get(auth_url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert "Authorize" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)" id="[^"]*"', page.text))
    assert "csrfmiddlewaretoken" in fields and "client_id" in fields
    fields["allow"] = "Authorize"
    done = session.post(page.url, data=fields, headers={"Referer": page.url}, timeout=30)
    assert done.status_code == 200, done.text[:500]
    match = re.search(r'id="oauth-code" readonly value="([^"]+)"', done.text)
    assert match, done.text[:500]
    return match.group(1)


@pytest.fixture
def server(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


def test_mastodon_py_end_to_end(server, live_server, make_user):
    alice = make_user("alice")

    client_id, client_secret = Mastodon.create_app("Notebridge test client", scopes=SCOPES, api_base_url=server)
    assert client_id and client_secret

    # Authorization-code flow with the out-of-band redirect.
    app_client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    auth_url = app_client.auth_request_url(scopes=SCOPES)
    code = authorize_in_browser(live_server, alice, auth_url)
    token = app_client.log_in(code=code, scopes=SCOPES)
    as_alice = Mastodon(access_token=token, api_base_url=server)
    me = as_alice.account_verify_credentials()
    assert me.username == "alice" and str(me.id) == str(alice.pk)
    assert as_alice.app_verify_credentials().name == "Notebridge test client"

    # Registration through the app's client-credentials token, as Mastodon.py does it.
    registrar = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    newbie_token = registrar.create_account(
        "newbie", "a long enough passphrase", "newbie@example.org", agreement=True, locale="en"
    )
    as_newbie = Mastodon(access_token=newbie_token, api_base_url=server)
    assert as_newbie.account_verify_credentials().username == "newbie"

    # The newcomer follows alice; alice posts a note with a real photograph.
    relationship = as_newbie.account_follow(me.id)
    assert relationship.following is True
    media = as_alice.media_post(photograph_jpeg(), mime_type="image/jpeg", description="A cup of coffee")
    assert media.type == "image" and media.url and media.description == "A cup of coffee"
    assert media.meta.original.width == 600 and media.meta.original.height == 400
    posted = as_alice.status_post(
        "Morning coffee in Chengdu\nA flat white at the corner café. #coffee", media_ids=[media], language="en"
    )
    assert posted.content.startswith("<p><strong>Morning coffee in Chengdu</strong></p>")
    assert posted.notebridge.title == "Morning coffee in Chengdu"
    assert posted.media_attachments[0].id == media.id
    assert [t.name for t in posted.tags] == ["coffee"]
    assert posted.application.name == "Notebridge test client"

    home = as_newbie.timeline_home(limit=20)
    assert [s.id for s in home] == [posted.id]
    assert home[0].account.username == "alice"

    assert as_newbie.status_favourite(posted.id).favourited is True
    assert as_newbie.status_bookmark(posted.id).bookmarked is True
    assert [s.id for s in as_newbie.bookmarks()] == [posted.id]
    assert [s.id for s in as_newbie.favourites()] == [posted.id]
    reply = as_newbie.status_post("Looks delicious!", in_reply_to_id=posted.id)
    assert reply.in_reply_to_id == posted.id
    context = as_alice.status_context(posted.id)
    assert [s.id for s in context.descendants] == [reply.id]

    kinds = sorted(n.type for n in as_alice.notifications())
    assert kinds == ["collect", "favourite", "follow", "mention"]
    only_follows = as_alice.notifications(types=["follow"])
    assert [n.account.username for n in only_follows] == ["newbie"]

    found = as_newbie.search_v2("coffee", resolve=False)
    assert [s.id for s in found.statuses] == [posted.id]
    assert [t.name for t in found.hashtags] == ["coffee"]
    assert [a.username for a in as_newbie.search_v2("alic", resolve=False).accounts] == ["alice"]

    instance = as_newbie.instance()
    assert "en" in instance.languages and "zh-Hans" in instance.languages
    assert instance.configuration.statuses.max_characters == 5000
    assert instance.configuration.statuses.max_media_attachments == 9

    with pytest.raises(MastodonNotFoundError):
        as_newbie.status("12345")
    with pytest.raises(MastodonAPIError):
        as_newbie.status_delete(posted.id)  # not the author
    assert as_alice.status(posted.id).favourites_count == 1


def test_mastodon_py_pagination_follows_link_headers(server, make_user, make_note, settings):
    from api.services import issue_token

    alice = make_user("alice")
    for i in range(5):
        make_note(alice, title=f"Note {i}", photos=0, body=f"text {i}")
    _token, raw = issue_token(user=alice, application=None, scopes=["read"])
    client = Mastodon(access_token=raw, api_base_url=server)
    first = client.timeline_home(limit=2)
    second = client.fetch_next(first)
    assert second is not None
    third = client.fetch_next(second)
    assert third is not None
    titles = [s.notebridge.title for page in (first, second, third) for s in page]
    assert titles == ["Note 4", "Note 3", "Note 2", "Note 1", "Note 0"]
    newer = client.fetch_previous(third)
    assert newer is not None
    assert [s.notebridge.title for s in newer] == ["Note 2", "Note 1"]


def test_mastodon_py_links_open_real_pages(server, make_user, settings):
    """Every link a client opens in the browser is a page: a status's ``url`` and ``uri``, a reply's, an
    account's ``url``, a hashtag's, and Mastodon's own spellings ``/@<username>`` and ``/@<username>/<id>``."""
    from api.services import issue_token

    settings.REVIEW_SCREENING = False
    alice = make_user("alice")
    _token, raw = issue_token(user=alice, application=None, scopes=["read", "write"])
    client = Mastodon(access_token=raw, api_base_url=server)
    status = client.status_post("Morning walk\nThe river was quiet today #riverside")
    reply = client.status_post("Lovely", in_reply_to_id=status.id)
    account = client.account_verify_credentials()
    browser = requests.Session()

    def opens(url: str) -> requests.Response:
        assert url.startswith(server), url
        page = browser.get(url, timeout=30)
        assert page.status_code == 200, (url, page.status_code)
        return page

    note_page = opens(status.url)
    assert "Morning walk" in note_page.text and note_page.url == f"{server}/n/{status.id}/"
    assert opens(status.uri).url == note_page.url
    assert f'id="c{reply.id}"' in opens(reply.url).text
    assert opens(account.url).url == f"{server}/u/alice/"
    assert opens(status.tags[0].url).url == f"{server}/tag/riverside/"
    assert opens(f"{server}/@alice").url == f"{server}/u/alice/"
    assert opens(f"{server}/@alice/{status.id}").url == note_page.url
    assert opens(f"{server}/@alice/{reply.id}").url == f"{server}/n/{status.id}/#c{reply.id}"
    assert browser.get(f"{server}/@nobody_here", timeout=30).status_code == 404
    make_user("bob")
    assert browser.get(f"{server}/@bob/{status.id}", timeout=30).status_code == 404  # not bob's note
    assert browser.get(f"{server}/@alice/123", timeout=30).status_code == 404


def test_mastodon_py_report(server, make_user, make_note, settings):
    """``Mastodon.report()`` posts to ``/api/v1/reports/`` (trailing slash), which once answered 404."""
    from api.services import issue_token
    from review.models import Report

    settings.REVIEW_SCREENING = False
    author, reporter = make_user("spammer"), make_user("careful")
    note = make_note(author, title="Cheap watches", body="Visit my shop")
    _token, raw = issue_token(user=reporter, application=None, scopes=["read", "write"])
    client = Mastodon(access_token=raw, api_base_url=server)
    report = client.report(author.pk, status_ids=[note.pk], comment="spam links", category="spam")
    assert report.category == "spam" and [int(i) for i in report.status_ids] == [note.pk]
    assert int(report.target_account.id) == author.pk and report.target_account.url == f"{server}/u/spammer/"
    assert Report.objects.filter(reporter=reporter, item__target_id=note.pk).exists()
    with pytest.raises(MastodonNotFoundError):
        client.report(author.pk, status_ids=[123456789])


def test_mastodon_py_reads_a_moderation_warning_in_the_authors_language(server, make_user, make_note, token_for):
    author, fan = make_user("lin", languages=["zh-Hans"]), make_user("fan")
    liked = make_note(author, title="Dumplings", photos=0, body="Lovely dumplings at the night market")
    Mastodon(access_token=token_for(fan), api_base_url=server).status_favourite(liked.pk)
    held = make_note(author, title="", photos=0, body="你真是个傻逼，滚开")
    client = Mastodon(access_token=token_for(author), api_base_url=server)

    notice, favourite = client.notifications()
    assert (notice.type, favourite.type) == ("moderation_warning", "favourite")
    assert notice.status is None and notice.account.username == "lin"
    warning = notice.moderation_warning
    assert warning.text == "你的笔记正在由人工审核，审核通过后才会对他人显示。原因：骚扰或威胁、粗俗语言"
    assert warning.action == "none" and warning.appeal is None
    assert [str(i) for i in warning.status_ids] == [str(held.pk)]
    assert warning.target_account.username == "lin" and warning.created_at.year >= 2024

    assert [n.id for n in client.notifications(types=["moderation_warning"])] == [notice.id]
    assert [n.type for n in client.notifications(exclude_types=["moderation_warning"])] == ["favourite"]
    client.notifications_dismiss(notice.id)
    assert [n.type for n in client.notifications()] == ["favourite"]


def test_mastodon_py_tabs_a_client_opens_answer_empty_not_404(server, make_user):
    """Direct messages, scheduled posts, domain blocks, featured tags, endorsements, instance rules and
    peers are features this server does not have; apps open them at start-up or on a tab and show a 404
    as an error, so each answers an empty list (as lists and filters already did)."""
    from api.services import issue_token

    alice = make_user("alice")
    _token, raw = issue_token(user=alice, application=None, scopes=["read", "write", "follow"])
    client = Mastodon(access_token=raw, api_base_url=server)
    assert client.conversations() == []
    assert client.scheduled_statuses() == []
    assert client.domain_blocks() == []
    assert client.endorsements() == []
    assert client.featured_tags() == []
    assert client.instance_rules() == []
    assert client.instance_peers() == []
