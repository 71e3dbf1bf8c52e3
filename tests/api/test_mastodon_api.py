"""Behaviour of the Mastodon-compatible API: entity shapes, the note/status and comment/reply mapping."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import block, follow, mute
from notes.models import Board, Collect, Comment, Note, Photo, Visibility
from notifications.models import Notification
from review import appeals, decisions, reports
from review.models import Reviewer, ReviewItem
from tests.conftest import image_bytes

# --- apps and OAuth -------------------------------------------------------------------------


def test_register_app_returns_credentials_and_scopes(db):
    response = Client().post(
        "/api/v1/apps",
        {"client_name": "Tusky", "redirect_uris": "oauth2redirect://com.keylesspalace.tusky/", "scopes": "read write"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["client_id"] and data["client_secret"]
    assert data["scopes"] == ["read", "write"]
    assert data["redirect_uris"] == ["oauth2redirect://com.keylesspalace.tusky/"]


@pytest.mark.parametrize(
    "body,message",
    [
        ({"client_name": "", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}, "name"),
        ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "Redirect URI"),
        ({"client_name": "x", "scopes": "read admin:everything"}, "not a valid scope"),
        ({"client_name": "x", "website": "ftp://example.org"}, "Website"),
    ],
)
def test_register_app_refuses_bad_input(db, body, message):
    response = Client().post("/api/v1/apps", body)
    assert response.status_code == 422
    assert message in response.json()["error"]


def _oauth_code(user, client_id: str, scope: str = "read write follow push") -> str:
    browser = Client()
    browser.force_login(user)
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "scope": scope,
    }
    page = browser.get("/oauth/authorize", params)
    assert page.status_code == 200
    html = page.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields["allow"] = "Authorize"
    done = browser.post("/oauth/authorize?" + "&".join(f"{k}={v}" for k, v in params.items()), fields)
    match = re.search(r'id="oauth-code" readonly value="([^"]+)"', done.content.decode())
    assert match, done.content.decode()[:400]
    return match.group(1)


def _new_app(scopes: str = "read write follow push") -> dict:
    return Client().post("/api/v1/apps", {"client_name": "Test", "scopes": scopes}).json()


def test_authorization_code_refresh_and_revoke(make_user):
    alice = make_user("alice")
    app = _new_app()
    code = _oauth_code(alice, app["client_id"])
    token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            },
        )
        .json()
    )
    assert token["scope"] == "read write follow push" and token["refresh_token"]
    assert token["token_type"] == "Bearer" and isinstance(token["created_at"], int)
    me = Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert me.json()["username"] == "alice"

    refreshed = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        .json()
    )
    new = refreshed["access_token"]
    assert new != token["access_token"]

    revoked = Client().post(
        "/oauth/revoke", {"token": new, "client_id": app["client_id"], "client_secret": app["client_secret"]}
    )
    assert revoked.status_code == 200
    after = Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {new}")
    assert after.status_code == 401
    assert after.json() == {"error": "The access token is invalid"}


def test_oauth_follows_rfc_9700_where_mastodon_clients_allow(make_user):
    """Tokens are kept only as their SHA-256, a replayed refresh token revokes what it was exchanged
    for, PKCE "plain" and the implicit and password grants are refused (notebridge/settings.py)."""
    from oauth2_provider.models import AccessToken, Grant, RefreshToken

    alice = make_user("alice")
    app = _new_app()
    secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    code = _oauth_code(alice, app["client_id"])
    token = (
        Client()
        .post(
            "/oauth/token",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", **secret},
        )
        .json()
    )
    raw, refresh = token["access_token"], token["refresh_token"]
    stored = AccessToken.objects.get(user=alice)
    assert stored.token == "" and raw not in stored.token_checksum  # a database dump holds no usable token
    assert RefreshToken.objects.get(user=alice).token == ""
    me = Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    in_query = Client().get("/api/v1/accounts/verify_credentials", {"access_token": raw})
    assert in_query.status_code == 401

    first = Client().post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh, **secret})
    assert first.status_code == 200
    replayed = Client().post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh, **secret})
    assert replayed.status_code == 400
    renewed = first.json()["access_token"]
    after = Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {renewed}")
    assert after.status_code == 401  # the replay revoked the family: whoever stole the token lost it

    password = Client().post(
        "/oauth/token", {"grant_type": "password", "username": "alice", "password": "x", "scope": "read", **secret}
    )
    assert password.status_code in (400, 401) and "access_token" not in password.json()
    browser = Client()
    browser.force_login(alice)
    base = {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "scope": "read"}
    implicit = browser.get("/oauth/authorize", {**base, "response_type": "token"})
    assert 'id="oauth-code"' not in implicit.content.decode() and "access_token" not in implicit.get("Location", "")
    plain = {**base, "response_type": "code", "code_challenge": "x" * 43, "code_challenge_method": "plain"}
    page = browser.get("/oauth/authorize", plain).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    done = browser.post("/oauth/authorize", {**fields, "allow": "Authorize"})
    assert 'id="oauth-code"' not in done.content.decode() and "code=" not in done.get("Location", "")
    assert not Grant.objects.filter(user=alice, code_challenge_method="plain").exists()


def test_authorize_requires_login_and_app_scopes_bound_the_grant(make_user):
    app = _new_app(scopes="read")
    anonymous = Client().get(
        "/oauth/authorize",
        {"client_id": app["client_id"], "response_type": "code", "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"},
    )
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    browser = Client()
    browser.force_login(make_user())
    too_much = browser.get(
        "/oauth/authorize",
        {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "scope": "read write",
        },
    )
    assert "invalid_scope" in too_much.content.decode()
    assert "oauth-code" not in too_much.content.decode()


def test_client_credentials_token_registers_an_account(db):
    app = _new_app()
    app_token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read write",
            },
        )
        .json()["access_token"]
    )
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {app_token}"}
    assert Client().get("/api/v1/apps/verify_credentials", **auth).json()["name"] == "Test"
    assert Client().get("/api/v1/accounts/verify_credentials", **auth).status_code == 422

    no_agreement = Client().post("/api/v1/accounts", {"username": "mei", "password": "a long passphrase"}, **auth)
    assert no_agreement.status_code == 422
    assert no_agreement.json()["details"]["agreement"][0]["error"] == "ERR_ACCEPTED"

    created = (
        Client()
        .post(
            "/api/v1/accounts",
            {"username": "mei", "password": "a long passphrase", "email": "mei@example.org", "agreement": "true"},
            **auth,
        )
        .json()
    )
    assert created["token_type"] == "Bearer" and created["scope"] == "read write"
    me = Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {created['access_token']}")
    assert me.json()["username"] == "mei"
    assert Board.objects.filter(owner__username="mei", is_default=True).exists()

    taken = Client().post(
        "/api/v1/accounts", {"username": "MEI", "password": "a long passphrase", "agreement": "1"}, **auth
    )
    assert taken.status_code == 422
    assert taken.json()["details"]["username"][0]["error"] == "ERR_TAKEN"


# --- statuses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,title,body",
    [
        ("Dumplings in Flushing\nPork and chive, 12 for $8.", "Dumplings in Flushing", "Pork and chive, 12 for $8."),
        ("Just one line", "", "Just one line"),
        ("x" * 101 + "\nmore", "", "x" * 101 + "\nmore"),
    ],
)
def test_status_text_maps_to_title_and_body(make_user, client_for, text, title, body):
    api = client_for(make_user())
    data = api.post("/api/v1/statuses", {"status": text}).json()
    assert (data["notebridge"]["title"], data["notebridge"]["body"]) == (title, body)
    if title:
        assert data["content"].startswith(f"<p><strong>{title}</strong></p>")


@pytest.mark.parametrize(
    "text,title,body,tags",
    [
        (
            "My first hot pot night #food\nWe queued for an hour and it was worth it.",
            "My first hot pot night",
            "We queued for an hour and it was worth it.\n\n#food",
            ["food"],
        ),
        (
            "第一次吃火锅 #美食 #成都\n排队一小时也值得\n#hotpot",
            "第一次吃火锅",
            "排队一小时也值得\n#hotpot #美食 #成都",
            ["hotpot", "美食", "成都"],
        ),
        ("Best #hotpot in town\nSpicy.", "Best #hotpot in town", "Spicy.", ["hotpot"]),
        ("#food #travel\nA day out.", "", "#food #travel\nA day out.", ["food", "travel"]),
    ],
)
def test_hashtags_closing_the_first_line_are_tags_not_title(make_user, client_for, text, title, body, tags):
    """The title a status gets on the web does not end in its hashtags; they move to the end of the
    body, every word of the status is kept, and the tags are the note's tags."""
    api = client_for(make_user())
    data = api.post("/api/v1/statuses", {"status": text}).json()
    assert (data["notebridge"]["title"], data["notebridge"]["body"]) == (title, body)
    assert sorted(t["name"] for t in data["tags"]) == sorted(tags)
    note = Note.objects.get(pk=int(data["id"]))
    assert (note.title, note.body) == (title, body)
    assert sorted(text.split()) == sorted(f"{title}\n{body}".split())


def test_explicit_title_visibility_and_language(make_user, client_for):
    api = client_for(make_user())
    data = api.post(
        "/api/v1/statuses",
        {"status": "Body only", "title": "My title", "visibility": "private", "language": "zh"},
    ).json()
    note = Note.objects.get(pk=int(data["id"]))
    assert (note.title, note.body, note.visibility, note.language) == ("My title", "Body only", "followers", "zh-Hans")
    assert data["visibility"] == "private" and data["language"] == "zh"
    assert data["notebridge"]["language"] == "zh-Hans"


def test_content_is_escaped_and_links_tags_and_mentions(make_user, client_for):
    make_user("bob")
    api = client_for(make_user())
    data = api.post("/api/v1/statuses", {"status": "<b>hi</b> & welcome\n\n#旅行 with @bob"}).json()
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; welcome" in data["content"]
    assert 'rel="tag">#<span>旅行</span></a>' in data["content"]
    assert [m["username"] for m in data["mentions"]] == ["bob"]
    assert [t["name"] for t in data["tags"]] == ["旅行"]


def test_form_encoded_post_with_media_ids(make_user, client_for, on_commit):
    user = make_user()
    api = client_for(user)
    with on_commit():  # the media worker makes the renditions once the upload commits
        photos = [
            api.client.post(
                "/api/v2/media",
                {"file": SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")},
                HTTP_AUTHORIZATION=f"Bearer {api.token}",
            ).json()["id"]
            for _ in range(2)
        ]
    response = api.post("/api/v1/statuses", {"status": "Two photos", "media_ids[]": photos[::-1]}, form=True)
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["media_attachments"]] == photos[::-1]


def test_idempotency_key_posts_once(make_user, client_for):
    api = client_for(make_user())
    first = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="abc")
    second = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.json()["id"] == second.json()["id"]
    assert Note.objects.count() == 1


def test_comments_are_replies_threaded_one_level(make_user, make_note, client_for):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    note = make_note(alice)
    top = client_for(bob).post("/api/v1/statuses", {"status": "Lovely", "in_reply_to_id": str(note.pk)}).json()
    assert top["in_reply_to_id"] == str(note.pk) and top["in_reply_to_account_id"] == str(alice.pk)
    reply = client_for(carol).post("/api/v1/statuses", {"status": "Agreed", "in_reply_to_id": top["id"]}).json()
    assert reply["in_reply_to_id"] == top["id"] and reply["in_reply_to_account_id"] == str(bob.pk)
    deeper = client_for(alice).post("/api/v1/statuses", {"status": "Thanks", "in_reply_to_id": reply["id"]}).json()
    # A reply to a reply joins the top-level comment's thread.
    assert Comment.objects.get(pk=int(deeper["id"])).parent_id == int(top["id"])

    api = client_for(alice)
    context = api.get(f"/api/v1/statuses/{note.pk}/context").json()
    assert context["ancestors"] == []
    assert [s["id"] for s in context["descendants"]] == [top["id"], reply["id"], deeper["id"]]
    of_top = api.get(f"/api/v1/statuses/{top['id']}/context").json()
    assert [s["id"] for s in of_top["ancestors"]] == [str(note.pk)]
    assert [s["id"] for s in of_top["descendants"]] == [reply["id"], deeper["id"]]
    of_reply = api.get(f"/api/v1/statuses/{reply['id']}/context").json()
    assert [s["id"] for s in of_reply["ancestors"]] == [str(note.pk), top["id"]]
    assert api.get(f"/api/v1/statuses/{note.pk}").json()["replies_count"] == 3
    assert api.get(f"/api/v1/statuses/{reply['id']}").json()["notebridge"]["kind"] == "comment"

    # A comment is a status: favouriting likes it; a board holds notes only.
    faved = api.post(f"/api/v1/statuses/{top['id']}/favourite").json()
    assert faved["favourited"] is True and faved["favourites_count"] == 1
    assert api.post(f"/api/v1/statuses/{top['id']}/bookmark").status_code == 422
    with_media = client_for(bob).post(
        "/api/v1/statuses", {"status": "pic", "in_reply_to_id": str(note.pk), "media_ids": ["1"]}
    )
    assert with_media.status_code == 422
    # The comment's author deletes it.
    assert client_for(carol).delete(f"/api/v1/statuses/{reply['id']}").status_code == 200
    assert not Comment.objects.filter(pk=int(reply["id"])).exists()


def test_favourite_bookmark_lists_and_favourited_by(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    notes = [make_note(alice, title=f"n{i}") for i in range(3)]
    api = client_for(bob)
    for note in notes:
        assert api.post(f"/api/v1/statuses/{note.pk}/favourite").json()["favourited"] is True
    assert api.post(f"/api/v1/statuses/{notes[0].pk}/bookmark").json()["bookmarked"] is True
    assert Collect.objects.get(user=bob).board.is_default
    favs = api.get("/api/v1/favourites", {"limit": 2})
    assert [s["id"] for s in favs.json()] == [str(notes[2].pk), str(notes[1].pk)]
    assert 'rel="next"' in favs["Link"]
    assert [s["id"] for s in api.get("/api/v1/bookmarks").json()] == [str(notes[0].pk)]
    likers = api.get(f"/api/v1/statuses/{notes[0].pk}/favourited_by").json()
    assert [a["username"] for a in likers] == ["bob"]
    assert api.post(f"/api/v1/statuses/{notes[0].pk}/unbookmark").json()["bookmarked"] is False
    assert api.post(f"/api/v1/statuses/{notes[0].pk}/unfavourite").json()["favourites_count"] == 0
    assert api.post(f"/api/v1/statuses/{notes[0].pk}/reblog").status_code == 422


def test_delete_returns_source_text(make_user, make_note, client_for):
    alice = make_user()
    note = make_note(alice, title="Title", body="Body")
    data = client_for(alice).delete(f"/api/v1/statuses/{note.pk}").json()
    assert data["text"] == "Title\nBody"
    assert not Note.objects.filter(pk=note.pk).exists()


# --- timelines, accounts, notifications, search, instance ----------------------------------------


def test_timelines_paginate_with_link_headers(make_user, make_note, client_for):
    alice = make_user()
    notes = [make_note(alice, title=f"n{i}", body="#travel", photos=0) for i in range(3)]
    api = client_for(alice)
    page = api.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in page.json()] == [str(notes[2].pk), str(notes[1].pk)]
    assert f"max_id={notes[1].pk}" in page["Link"] and f"min_id={notes[2].pk}" in page["Link"]
    older = api.get("/api/v1/timelines/home", {"limit": 2, "max_id": notes[1].pk}).json()
    assert [s["id"] for s in older] == [str(notes[0].pk)]
    public = Client().get("/api/v1/timelines/public", {"limit": 5}).json()
    assert len(public) == 3
    assert Client().get("/api/v1/timelines/public", {"remote": "true"}).json() == []
    tagged = Client().get("/api/v1/timelines/tag/Travel", {"since_id": notes[0].pk}).json()
    assert [s["id"] for s in tagged] == [str(notes[2].pk), str(notes[1].pk)]


def test_accounts_graph_and_profile(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    make_note(alice)
    api = client_for(bob)
    assert api.get("/api/v1/accounts/lookup", {"acct": "alice"}).json()["id"] == str(alice.pk)
    assert api.get("/api/v1/accounts/lookup", {"acct": "alice@elsewhere.example"}).status_code == 404
    assert api.post(f"/api/v1/accounts/{alice.pk}/follow").json()["following"] is True
    rels = api.get("/api/v1/accounts/relationships", {"id[]": [str(alice.pk), "999"]}).json()
    assert [(r["id"], r["following"]) for r in rels] == [(str(alice.pk), True)]
    assert [a["username"] for a in api.get(f"/api/v1/accounts/{alice.pk}/followers").json()] == ["bob"]
    assert [a["username"] for a in api.get(f"/api/v1/accounts/{bob.pk}/following").json()] == ["alice"]
    assert len(api.get(f"/api/v1/accounts/{alice.pk}/statuses").json()) == 1
    assert api.get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"}).json() == []
    updated = api.patch("/api/v1/accounts/update_credentials", {"display_name": "Bobby", "note": "Hi <there>"}).json()
    assert updated["display_name"] == "Bobby" and updated["note"] == "<p>Hi &lt;there&gt;</p>"
    assert updated["source"]["note"] == "Hi <there>"
    assert api.get("/api/v1/accounts/verify_credentials").json()["display_name"] == "Bobby"
    assert api.post(f"/api/v1/accounts/{alice.pk}/unfollow").json()["following"] is False
    assert api.post(f"/api/v1/accounts/{alice.pk}/mute").json()["muting"] is True
    assert api.post(f"/api/v1/accounts/{alice.pk}/block").json()["blocking"] is True


def test_update_credentials_multipart_avatar(make_user, client_for):
    api = client_for(make_user())
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(
        "BoUnDaRy", {"avatar": SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png"), "locked": "true"}
    )
    response = api.raw(
        "PATCH", "/api/v1/accounts/update_credentials", body, MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "BoUnDaRy")
    )
    assert response.status_code == 200, response.content
    assert "/media/avatars/" in response.json()["avatar"] and response.json()["locked"] is True


def test_notifications_filter_dismiss_clear(make_user, make_note, client_for):
    alice, bob = make_user("alice"), make_user("bob")
    note = make_note(alice)
    bob_api = client_for(bob)
    bob_api.post(f"/api/v1/accounts/{alice.pk}/follow")
    bob_api.post(f"/api/v1/statuses/{note.pk}/favourite")
    api = client_for(alice)
    everything = api.get("/api/v1/notifications").json()
    assert [n["type"] for n in everything] == ["favourite", "follow"]
    assert everything[0]["status"]["id"] == str(note.pk)
    assert [n["type"] for n in api.get("/api/v1/notifications", {"types[]": "follow"}).json()] == ["follow"]
    assert [n["type"] for n in api.get("/api/v1/notifications", {"exclude_types[]": ["follow"]}).json()] == [
        "favourite"
    ]
    assert api.get("/api/v1/notifications", {"types[]": "poll"}).json() == []
    one = everything[1]["id"]
    assert api.get(f"/api/v1/notifications/{one}").json()["type"] == "follow"
    assert bob_api.get(f"/api/v1/notifications/{one}").status_code == 404
    assert bob_api.post(f"/api/v1/notifications/{one}/dismiss").status_code == 404
    assert api.post(f"/api/v1/notifications/{one}/dismiss").status_code == 200
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert api.post("/api/v1/notifications/clear").status_code == 200
    assert not Notification.objects.filter(recipient=alice).exists()


def test_moderation_notices_are_moderation_warnings(make_user, make_note, client_for):
    author, fan, moderator = make_user("lin", languages=["zh-Hans"]), make_user("fan"), make_user("mod")
    Reviewer.objects.create(user=moderator, languages=["zh-Hans", "en"], senior=True)
    liked = make_note(author, title="Dumplings", body="Lovely dumplings at the night market")
    client_for(fan).post(f"/api/v1/statuses/{liked.pk}/favourite")
    held = make_note(author, title="", body="你真是个傻逼，滚开", photos=0)
    item = ReviewItem.objects.get(target_id=held.pk)
    decision = decisions.decide(user=moderator, item_id=item.pk, action="remove", reason_code="harassment")
    appeals.file_appeal(user=author, decision=decision, text="It was a quote from a film")
    api = client_for(author)

    items = api.get("/api/v1/notifications").json()
    assert [n["type"] for n in items] == ["moderation_warning", "moderation_warning", "favourite"]
    decided, under_review = items[0], items[1]
    assert decided["status"] is None and decided["account"]["id"] == str(author.pk)
    warning = decided["moderation_warning"]
    assert set(warning) == {"id", "action", "text", "status_ids", "target_account", "appeal", "created_at"}
    assert warning["id"] == str(decision.pk) and warning["action"] == "delete_statuses"
    assert warning["text"].startswith("你的笔记已被移除") and warning["status_ids"] == [str(held.pk)]
    assert warning["target_account"]["id"] == str(author.pk)
    assert warning["appeal"] == {"text": "It was a quote from a film", "state": "pending"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", warning["created_at"])
    assert under_review["moderation_warning"]["action"] == "none"
    assert under_review["moderation_warning"]["appeal"] is None
    assert under_review["moderation_warning"]["text"].startswith("你的笔记正在由人工审核")

    only = api.get("/api/v1/notifications", {"types[]": "moderation_warning"}).json()
    assert [n["id"] for n in only] == [decided["id"], under_review["id"]]
    rest = api.get("/api/v1/notifications", {"exclude_types[]": ["moderation_warning"]}).json()
    assert [n["type"] for n in rest] == ["favourite"]
    assert api.get(f"/api/v1/notifications/{decided['id']}").json() == decided
    assert client_for(fan).get(f"/api/v1/notifications/{decided['id']}").status_code == 404

    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 3}
    marker = {"notifications": {"last_read_id": under_review["id"]}}
    assert api.post("/api/v1/markers", marker).status_code == 200
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert api.post(f"/api/v1/notifications/{decided['id']}/dismiss").status_code == 200
    assert [n["id"] for n in api.get("/api/v1/notifications").json()] == [under_review["id"], items[2]["id"]]
    assert api.post("/api/v1/notifications/clear").status_code == 200
    assert not Notification.objects.filter(recipient=author).exists()


def test_a_reporters_moderation_warning_names_no_statuses_of_theirs(make_user, make_note, client_for):
    author, reporter = make_user(), make_user()
    note = make_note(author, title="Dumplings", body="Lovely dumplings at the night market")
    reports.file_report(reporter=reporter, target_type="note", target_id=note.pk, category="spam")
    (received,) = client_for(reporter).get("/api/v1/notifications").json()
    warning = received["moderation_warning"]
    assert warning["text"] == "We received your report and a person will look at it."
    assert warning["status_ids"] is None and warning["action"] == "none"
    assert warning["target_account"]["id"] == str(reporter.pk)


def test_search_v2_and_trends(make_user, make_note, client_for):
    alice = make_user("alice")
    make_note(alice, title="火锅 in Chongqing", body="Spicy #hotpot")
    api = client_for(make_user("bob"))
    result = api.get("/api/v2/search", {"q": "火锅", "resolve": "false"}).json()
    assert len(result["statuses"]) == 1
    tags_only = api.get("/api/v2/search", {"q": "#hot", "type": "hashtags"}).json()
    assert [t["name"] for t in tags_only["hashtags"]] == ["hotpot"] and tags_only["statuses"] == []
    # A hashtag found by search is the same entity as /api/v1/tags/:name gives: a week of history, following.
    (found,) = tags_only["hashtags"]
    assert len(found["history"]) == 7 and found["history"][0]["uses"] == "1" and found["history"][0]["accounts"] == "1"
    assert found["following"] is False
    assert api.post("/api/v1/tags/hotpot/follow").status_code == 200
    assert api.get("/api/v2/search", {"q": "#hot", "type": "hashtags"}).json()["hashtags"][0]["following"] is True
    assert api.get("/api/v2/search", {"q": "x", "type": "everything"}).status_code == 422
    assert [t["name"] for t in Client().get("/api/v1/trends/tags").json()] == ["hotpot"]


def test_instance_and_startup_endpoints(make_user, client_for):
    v2 = Client().get("/api/v2/instance").json()
    assert v2["configuration"]["statuses"]["max_characters"] == 5000
    assert v2["configuration"]["media_attachments"]["image_size_limit"] > 0
    assert "zh-Hans" in v2["languages"] and v2["api_versions"]["mastodon"] == 2
    v1 = Client().get("/api/v1/instance/").json()
    assert v1["version"].startswith("4.") and "en" in v1["languages"]
    assert Client().get("/api/v1/custom_emojis").json() == []
    api = client_for(make_user())
    assert api.get("/api/v2/filters").json() == []
    assert api.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"
    assert api.get("/api/v1/markers").json() == {}


def test_media_update_and_fetch(make_user, client_for):
    alice, bob = make_user(), make_user()
    api = client_for(alice)
    up = api.client.post(
        "/api/v1/media",
        {"file": SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    ).json()
    assert api.put(f"/api/v1/media/{up['id']}", {"description": "A red square"}).json()["description"] == (
        "A red square"
    )
    assert Photo.objects.get(pk=int(up["id"])).alt_text == "A red square"
    assert client_for(bob).get(f"/api/v1/media/{up['id']}").status_code == 404


def test_followers_only_notes_and_blocks(make_user, make_note, client_for):
    alice, fan, stranger = make_user("alice"), make_user("fan"), make_user("stranger")
    follow(follower=fan, followee=alice)
    private = make_note(alice, visibility=Visibility.FOLLOWERS)
    assert client_for(fan).get(f"/api/v1/statuses/{private.pk}").status_code == 200
    assert client_for(stranger).get(f"/api/v1/statuses/{private.pk}").status_code == 404
    assert Client().get(f"/api/v1/statuses/{private.pk}").status_code == 404
    public = make_note(alice)
    block(blocker=alice, blocked=stranger)
    assert client_for(stranger).get(f"/api/v1/statuses/{public.pk}").status_code == 404
    assert client_for(stranger).post(f"/api/v1/statuses/{public.pk}/favourite").status_code == 404
    mute(muter=fan, muted=alice)
    assert client_for(fan).get("/api/v1/timelines/home").json() == []


def test_edit_status_by_author_only(make_user, make_note, client_for, on_commit):
    alice, bob = make_user(), make_user()
    note = make_note(alice, title="Old", body="old body")
    api = client_for(alice)
    with on_commit():  # the edit is screened again on commit, then published
        edited = api.put(f"/api/v1/statuses/{note.pk}", {"status": "New title\nnew body #fresh"}).json()
    assert edited["notebridge"]["title"] == "New title" and edited["edited_at"] is not None
    assert [t["name"] for t in edited["tags"]] == ["fresh"]
    assert len(edited["media_attachments"]) == 1  # media_ids not sent: photos kept
    assert api.get(f"/api/v1/statuses/{note.pk}/source").json()["text"] == "New title\nnew body #fresh"
    assert client_for(bob).put(f"/api/v1/statuses/{note.pk}", {"status": "hijack"}).status_code == 403
    note.refresh_from_db()
    assert note.title == "New title"


def test_blocks_mutes_suggestions_and_many_accounts(make_user, make_note, client_for):
    me, loud, rude, star = make_user("myself"), make_user("loud"), make_user("rude"), make_user("star")
    make_note(star)
    api = client_for(me)
    api.post(f"/api/v1/accounts/{loud.pk}/mute")
    api.post(f"/api/v1/accounts/{rude.pk}/block")
    assert [a["username"] for a in api.get("/api/v1/mutes").json()] == ["loud"]
    assert [a["username"] for a in api.get("/api/v1/blocks").json()] == ["rude"]
    assert [a["username"] for a in api.get("/api/v1/suggestions").json()] == ["star"]
    assert api.get("/api/v2/suggestions").json()[0]["account"]["username"] == "star"
    many = api.get("/api/v1/accounts", {"id[]": [str(star.pk), str(loud.pk), "42"]}).json()
    assert [a["username"] for a in many] == ["star", "loud"]
    assert client_for(me, scopes="read:statuses").get("/api/v1/blocks").status_code == 403


def test_denied_consent_gives_no_code_and_user_tokens_cannot_register(make_user, client_for):
    alice = make_user("alice")
    app = _new_app()
    browser = Client()
    browser.force_login(alice)
    params = {"client_id": app["client_id"], "response_type": "code", "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}
    page = browser.get("/oauth/authorize", params).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    denied = browser.post("/oauth/authorize?" + "&".join(f"{k}={v}" for k, v in params.items()), fields)
    assert "access_denied" in denied.content.decode() and "oauth-code" not in denied.content.decode()
    refused = client_for(alice).post(
        "/api/v1/accounts", {"username": "sock", "password": "a long passphrase", "agreement": True}
    )
    assert refused.status_code == 403


def test_home_timeline_shows_a_like_an_edit_and_a_block_at_once(make_user, make_note, client_for, on_commit):
    """Statuses are served from cached notes and cached JSON fragments (notes/selectors.py,
    api/mastodon/entities.py); each change below must show on the next read of a warm timeline, and the
    reader's own flags (favourited, bookmarked) must be theirs, not the last reader's."""
    author, reader, other = make_user("author"), make_user("reader"), make_user("other")
    follow(follower=reader, followee=author)
    follow(follower=other, followee=author)
    note = make_note(author, title="First", body="Words", photos=0)
    api, other_api = client_for(reader), client_for(other)

    def status(client):
        return next(s for s in client.get("/api/v1/timelines/home").json() if s["id"] == str(note.pk))

    assert status(api)["favourites_count"] == 0 and status(other_api)["favourited"] is False  # warm
    assert api.post(f"/api/v1/statuses/{note.pk}/favourite").status_code == 200
    assert api.post(f"/api/v1/statuses/{note.pk}/bookmark").status_code == 200
    mine, theirs = status(api), status(other_api)
    assert (mine["favourited"], mine["bookmarked"], mine["favourites_count"]) == (True, True, 1)
    assert (theirs["favourited"], theirs["bookmarked"], theirs["favourites_count"]) == (False, False, 1)
    with on_commit():
        edited = client_for(author).put(f"/api/v1/statuses/{note.pk}", {"status": "Second\nNew words"})
    assert edited.status_code == 200
    assert "New words" in status(api)["content"] and status(other_api)["edited_at"] is not None
    block(blocker=author, blocked=other)
    assert [s["id"] for s in other_api.get("/api/v1/timelines/home").json()] == []
