"""Where readers came from, without the Referer: links this site renders to a note carry ``?src=``,
recorded with the view and preferred over the Referer; unknown values are ignored; the note's
canonical address carries none."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notes.models import NoteViewTally
from notes.services import like_note


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


def _srcs(html: str, note_id: int) -> set[str]:
    """The ``src`` of every link on the page to the note."""
    return set(re.findall(rf'href="/n/{note_id}/\?src=(\w+)', html))


def _views(note) -> dict[str, int]:
    return dict(NoteViewTally.objects.filter(note=note).values_list("source", "views"))


def test_links_to_a_note_say_which_page_they_are_on(client, make_user, post_note, login):
    ada = make_user("ada")
    note = post_note(ada, title="Sesame bagels", tags=["bagels"], place="Leeds")
    other = post_note(ada, title="More bagels", tags=["bagels"])
    assert _srcs(client.get("/").content.decode(), note.pk) == {"discover"}
    assert _srcs(client.get("/tag/bagels/").content.decode(), note.pk) == {"tag"}
    assert _srcs(client.get(f"/place/{note.place_id}/").content.decode(), note.pk) == {"place"}
    assert _srcs(client.get("/u/ada/").content.decode(), note.pk) == {"profile"}
    assert _srcs(client.get("/search/", {"q": "bagels"}).content.decode(), note.pk) == {"search"}
    assert _srcs(client.get(f"/n/{other.pk}/").content.decode(), note.pk) == {"related"}
    reader = make_user("reader")
    login(reader)
    assert _srcs(client.get("/").content.decode(), note.pk) == {"for_you"}
    client.logout()
    like_note(user=reader, note_id=note.pk)
    login(ada)
    assert _srcs(client.get("/notifications/?tab=likes").content.decode(), note.pk) == {"inbox"}


def test_src_is_recorded_without_a_referer_and_wins_over_one(make_user, post_note):
    ada = make_user("ada")
    note = post_note(ada, title="Bagels")
    url = f"/n/{note.pk}/"
    Client(REMOTE_ADDR="10.0.0.1").get(url, {"src": "tag"})  # a browser that sends no Referer
    Client(REMOTE_ADDR="10.0.0.2").get(url, {"src": "inbox"}, HTTP_REFERER="http://testserver/search/")
    Client(REMOTE_ADDR="10.0.0.3").get(url)  # nothing to go on
    # Unknown values are ignored: the Referer decides, else "other"; nothing odd is stored.
    Client(REMOTE_ADDR="10.0.0.4").get(url, {"src": "evil<script>"}, HTTP_REFERER="http://testserver/search/")
    Client(REMOTE_ADDR="10.0.0.5").get(url, {"src": "x" * 5000})
    Client(REMOTE_ADDR="10.0.0.6").get(url, {"src": ["tag", "board"]})  # the last one, as Django reads it
    assert _views(note) == {"tag": 1, "inbox": 1, "other": 2, "search": 1, "board": 1}


def test_the_canonical_address_carries_no_src(client, make_user, post_note):
    note = post_note(make_user("ada"), title="Bagels")
    html = client.get(f"/n/{note.pk}/", {"src": "discover"}).content.decode()
    assert f'<link rel="canonical" href="http://testserver/n/{note.pk}/">' in html
    assert client.get(f"/n/{note.pk}/", {"src": "nonsense"}).status_code == 200


def test_the_stats_page_names_the_inbox(client, make_user, post_note, login):
    ada = make_user("ada")
    ada.ui_language = "zh-hans"
    ada.save(update_fields=["ui_language"])
    note = post_note(ada, title="Bagels")
    Client().get(f"/n/{note.pk}/", {"src": "inbox"})
    login(ada)
    html = client.get(f"/n/{note.pk}/stats/").content.decode()
    assert '<tr data-source="inbox"><th scope="row">消息</th>' in html
