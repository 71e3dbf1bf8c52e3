"""One access gate per object, checked on every URL that takes an object's id.

The test walks the whole URLconf (both APIs, the pages, translation), fills every parameter that names
an object with an object the reader may not see, and asks with every method. Three readers:

- a reader the author blocked: the author's notes, photos, comments, bio and boards;
- a reader in a country where a note is withheld: that note, its photo, its comments;
- an anonymous reader: a followers-only note, its photo, its comments, a private board.

Each secret object carries a marker. No answer may contain a marker, no write may succeed (nothing is
liked, collected, commented, followed, edited or deleted), and a follower in another country sees
every marker through the same URLs, which proves the markers would show if a gate were missing.
A new URL whose parameters this test cannot fill fails it until it is taught what they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Parameters that name the objects the gates guard, by the names the URLconf uses.
KINDS = {
    "account_id": "account",
    "username": "username",
    "user_id": "account",
    "status_id": "note",
    "note_id": "note",
    "media_id": "photo",
    "photo_id": "photo",
    "board_id": "board",
    "comment_id": "comment",
    "hashtag": "tag",
    "name": "tag",
    "place_id": "place",
    "language": "language",
}
# Routes left out, each with its reason (their own tests check who may use them).
SKIPPED = {
    "notification_id": "a notification is read only by its recipient (tests/web/test_notifications.py)",
    "report_id": "admin reports: moderators only (tests/review/test_reports_api.py)",
    "item_id": "review items: reviewers only (tests/review)",
    "code": "policy packs: admins only (tests/review)",
    "decision_id": "appeals: only the decision's recipient (tests/review)",
    "target_type": "the report form names what is reported; reporting is checked in tests/review",
    "target_id": "the report form names what is reported; reporting is checked in tests/review",
    "path": "media files are served by unguessable names; the photo endpoints are walked instead",
    "suggestion_id": "a suggested translation is decided only by the note's author "
    "(tests/web/test_translation_by_people.py, tests/api/test_nb_note_translations.py)",
}
# What a translation route's ``kind`` names.
TRANSLATED = {"note": "note", "card": "note", "comment": "comment", "bio": "account", "alt": "photo"}
# Relationship changes that a reader may make towards anyone, blocked or not.
OWN_RELATIONSHIP = re.compile(r"/(block|unblock|mute|unmute|unfollow)/?$")
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def object_routes() -> list[str]:
    seen: dict[str, None] = {}
    for route in _routes(get_resolver().url_patterns):
        if route.startswith("admin/") or route.startswith("^admin/"):
            continue
        if GROUP.search(route):
            seen.setdefault(route, None)
    return list(seen)


def _params(route: str) -> list[str]:
    return [a or b for a, b in GROUP.findall(route)]


def _url(route: str, values: dict[str, str]) -> str:
    path = GROUP.sub(lambda m: values[m.group(1) or m.group(2)], route)
    return "/" + path.lstrip("^").rstrip("$").replace("/?", "/").replace("\\", "")


@dataclass
class Reader:
    label: str
    client: Client
    fill: dict[str, str]
    markers: set[str]
    user: Any = None
    # The kinds of object among ``fill`` that are secret to this reader: no write on them may succeed.
    secret_kinds: set[str] = field(default_factory=lambda: {"note", "photo", "comment", "board"})


def _fills(route: str, fill: dict[str, str]) -> list[dict[str, str]]:
    """The parameter values to try for one route (several for a route that takes an object's kind)."""
    params = _params(route)
    if "kind" in params:  # translation: /translation/<kind>/<obj_id>, translate/<kind>/<obj_id>/, batch
        if "obj_id" in params:
            return [
                {"kind": "note", "obj_id": fill["note"]},
                {"kind": "comment", "obj_id": fill["comment"]},
                {"kind": "bio", "obj_id": fill["account"]},
                {"kind": "alt", "obj_id": fill["photo"]},
            ]
        return [{"kind": "card"}, {"kind": "comment"}]
    return [{name: fill[KINDS[name]] for name in params}]


@pytest.fixture
def world(settings, make_user, admin_user, on_commit, token_for):
    from accounts.services import block, follow, update_profile
    from notes.services import collect_note, create_board, create_comment, create_note, upload_photo
    from review import withholding
    from tests.conftest import image_bytes

    settings.REVIEW_SCREENING = False
    ana, eli = make_user("ana"), make_user("eli")
    bob, cho, dan = make_user("bob"), make_user("cho", region="TH"), make_user("dan", region="GB")
    update_profile(user=ana, bio="MKBIO-ana likes markets")

    def note(tag: str, visibility: str = "public") -> tuple[Any, Any]:
        photo = upload_photo(owner=ana, file=image_bytes(), alt_text=f"MKALT-{tag} a bowl")
        with on_commit():
            made = create_note(
                author=ana,
                title=f"MKNOTE-{tag} title",
                body=f"MKNOTE-{tag} body #mktag{tag}",
                photo_ids=[photo.pk],
                place=f"MKPLACE-{tag} cafe",
                visibility=visibility,
            )
        return made, photo

    with on_commit():
        follow(follower=dan, followee=ana)
    public, public_photo = note("pub")
    followers, followers_photo = note("fo", visibility="followers")
    withheld, withheld_photo = note("wh")
    withholding.withhold_note(actor=admin_user, note=withheld, countries=["TH"], reason_code="state_protection")
    with on_commit():
        elis = create_note(author=eli, title="Eli's walk", body="A walk by the river")
        ana_comment = create_comment(author=ana, note_id=elis.pk, body="MKCOMMENT-ana what a view")
        followers_comment = create_comment(author=dan, note_id=followers.pk, body="MKCOMMENT-fo lovely")
        withheld_comment = create_comment(author=eli, note_id=withheld.pk, body="MKCOMMENT-wh agreed")
    boards = {
        "public": create_board(owner=ana, name="MKBOARD-pub snacks"),
        "private": create_board(owner=ana, name="MKBOARD-private plans", is_private=True),
    }
    for board in boards.values():
        collect_note(user=ana, note_id=public.pk, board_id=board.pk)
    with on_commit():
        block(blocker=ana, blocked=bob)

    def signed_in(user: Any) -> Client:
        """Signed in to the pages (session) and to both APIs (a bearer token, which they prefer)."""
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        client.force_login(user)
        return client

    base = {"account": str(ana.pk), "username": ana.username, "language": "en"}
    readers = [
        Reader(
            "blocked reader",
            signed_in(bob),
            {
                **base,
                "note": str(public.pk),
                "photo": str(public_photo.pk),
                "comment": str(ana_comment.pk),
                "board": str(boards["public"].pk),
                "tag": "mktagpub",
                "place": str(public.place_id),
            },
            {"MKNOTE-pub", "MKALT-pub", "MKCOMMENT-ana", "MKBIO-ana", "MKBOARD-pub"},
            user=bob,
            secret_kinds={"note", "photo", "comment", "board", "account", "username"},
        ),
        Reader(
            "reader in a withholding country",
            signed_in(cho),
            {
                **base,
                "note": str(withheld.pk),
                "photo": str(withheld_photo.pk),
                "comment": str(withheld_comment.pk),
                "board": str(boards["private"].pk),
                "tag": "mktagwh",
                "place": str(withheld.place_id),
            },
            {"MKNOTE-wh", "MKALT-wh", "MKCOMMENT-wh", "MKBOARD-private"},
            user=cho,
        ),
        Reader(
            "anonymous reader",
            Client(),
            {
                **base,
                "note": str(followers.pk),
                "photo": str(followers_photo.pk),
                "comment": str(followers_comment.pk),
                "board": str(boards["private"].pk),
                "tag": "mktagfo",
                "place": str(followers.place_id),
            },
            {"MKNOTE-fo", "MKALT-fo", "MKCOMMENT-fo", "MKBOARD-private"},
        ),
    ]
    return {"ana": ana, "dan": dan, "readers": readers, "notes": [public, followers, withheld], "signed_in": signed_in}


def _ask(client: Client, method: str, url: str, fill: dict[str, str]) -> Any:
    query = {"target": "zh-Hans"}
    if "/translate/batch/" in url:
        query["ids"] = fill["note"] if url.endswith("/card/") else fill["comment"]
    if method == "GET":
        return client.get(url, query)
    return client.generic(method, url + "?target=zh-Hans", b"{}", content_type="application/json")


def test_every_url_with_an_object_id_is_known_to_this_test():
    unknown = {
        (route, name)
        for route in object_routes()
        for name in _params(route)
        if name not in KINDS and name not in SKIPPED and name not in ("kind", "obj_id", "action")
    }
    assert not unknown, f"teach this test what these parameters name: {sorted(unknown)}"


def test_no_gate_lets_a_secret_through(world):
    from accounts.models import Follow
    from notes.models import Board, Comment, CommentLike, Like, Note

    routes = [r for r in object_routes() if not set(_params(r)) & set(SKIPPED)]
    assert len(routes) > 40
    notes_before = {n.pk: (n.title, n.body) for n in Note.objects.all()}
    comments_before, boards_before = Comment.objects.count(), Board.objects.count()
    leaks, writes = [], []
    for reader in world["readers"]:
        for route in routes:
            for values in _fills(route, reader.fill):
                url = _url(route, values)
                for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    response = _ask(reader.client, method, url, reader.fill)
                    if response.status_code == 405:
                        continue
                    body = response.content.decode("utf-8", "replace")
                    found = sorted(m for m in reader.markers if m in body)
                    if found:
                        leaks.append(f"{reader.label}: {method} {url} -> {response.status_code} shows {found}")
                    named = {KINDS.get(p) for p in _params(route)} | {TRANSLATED.get(values.get("kind", ""))}
                    secret = bool(named & reader.secret_kinds)
                    own = OWN_RELATIONSHIP.search(url)
                    if method != "GET" and secret and not own and 200 <= response.status_code < 300:
                        writes.append(f"{reader.label}: {method} {url} -> {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert not writes, "\n".join(writes)
    # Nothing the readers tried changed anything of the author's.
    assert {n.pk: (n.title, n.body) for n in Note.objects.all()} == notes_before
    assert Comment.objects.count() == comments_before and Board.objects.count() == boards_before
    readers = [r.user for r in world["readers"] if r.user is not None]
    assert not Like.objects.filter(user__in=readers).values_list("user__username", "note__title").first()
    assert not CommentLike.objects.filter(user__in=readers).values_list("user__username", "comment__body").first()
    blocked = world["readers"][0].user
    assert not Follow.objects.filter(follower=blocked, followee=world["ana"]).exists()


def test_a_follower_elsewhere_sees_every_marker_through_the_same_urls(world):
    """The control: the same walk as a follower in another country finds the markers, so their absence
    above is the gates' doing."""
    dan = world["signed_in"](world["dan"])
    secrets = {}
    for reader in world["readers"]:
        secrets.update({m: reader.fill for m in reader.markers if m != "MKBOARD-private"})
    seen: set[str] = set()
    for route in object_routes():
        if set(_params(route)) & set(SKIPPED):
            continue
        for marker, fill in secrets.items():
            if marker in seen:
                continue
            for values in _fills(route, fill):
                body = _ask(dan, "GET", _url(route, values), fill).content.decode("utf-8", "replace")
                seen |= {m for m in secrets if m in body}
    assert seen == set(secrets), f"never shown even to a follower: {sorted(set(secrets) - seen)}"
