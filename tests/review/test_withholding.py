"""A note withheld in one country is invisible there in every read path, and visible elsewhere.

Read paths on main at merge time: home, public, tag and Discover feeds; the note page selector;
search; profiles; notifications. (The Mastodon and native note APIs and web pages are not on main
yet; they call the same selectors.)"""

from __future__ import annotations

import pytest

from feeds import selectors as feeds
from notes import selectors as notes
from notes.search import search_note_ids
from notifications.selectors import notifications_for
from review import withholding


@pytest.fixture
def world(make_user, post, admin_user, on_commit):
    from accounts.services import follow
    from notes.services import like_note

    author = make_user()
    reader = make_user()
    with on_commit():
        follow(follower=reader, followee=author)
    note = post(author, "Abolish the monarchy #politics", title="Royal essay")
    other = post(author, "Mango sticky rice #food", title="Dessert")
    withholding.withhold_note(actor=admin_user, note=note, countries=["TH"], reason_code="state_protection")
    with on_commit():
        like_note(user=reader, note_id=note.pk)
    return author, reader, note, other


def ids(found):
    return {n.pk for n in found}


@pytest.mark.parametrize("country, visible", [("TH", False), ("GB", True), ("", True), (None, True)])
def test_every_feed_respects_withholding(world, country, visible):
    _author, reader, note, other = world
    paths = {
        "home": feeds.home_timeline(reader, country=country),
        "public": feeds.public_timeline(None, country=country),
        "tag": feeds.tag_timeline("politics", reader, country=country),
        "discover": feeds.discover(None, country=country)[0],
    }
    for name, found in paths.items():
        assert (note.pk in ids(found)) is visible, name
    assert other.pk in ids(paths["public"])


def test_note_page_search_and_profile(world):
    author, reader, note, _other = world
    assert notes.get_visible_note(viewer=reader, note_id=note.pk, country="TH") is None
    assert notes.get_visible_note(viewer=None, note_id=note.pk, country="TH") is None
    assert notes.get_visible_note(viewer=reader, note_id=note.pk, country="GB") is not None
    found = search_note_ids("monarchy")
    assert note.pk in found  # the index holds it; the read path filters it
    assert notes.visible_notes(found, reader, country="TH") == []
    assert ids(notes.visible_notes(found, reader, country="US")) == {note.pk}
    profile_ids = notes.author_note_ids(author, reader)
    assert note.pk not in ids(notes.visible_notes(profile_ids, reader, country="TH", for_feed=False))


def test_notifications_about_a_withheld_note_are_dropped_there(world):
    author, _reader, note, _other = world
    assert [n for n in notifications_for(author, country="TH") if n.note_id == note.pk] == []
    assert [n for n in notifications_for(author, country="GB") if n.note_id == note.pk]


def test_lifting_withholding_shows_it_again(world, admin_user):
    _author, reader, note, _other = world
    withholding.lift_withholding(actor=admin_user, note=note, countries=["TH"])
    assert notes.get_visible_note(viewer=reader, note_id=note.pk, country="TH") is not None


def test_only_reviewers_and_admins_withhold(world, make_user):
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        withholding.withhold_note(actor=make_user(), note=world[2], countries=["GB"], reason_code="other")


def test_withholding_check_costs_no_query_where_nothing_is_withheld(world, django_assert_num_queries):
    _author, _reader, note, _other = world
    from review.selectors import withheld_note_ids

    withheld_note_ids([note.pk], "GB")  # warm the cached country set
    with django_assert_num_queries(0):
        assert withheld_note_ids([note.pk], "GB") == set()
    with django_assert_num_queries(1):
        assert withheld_note_ids([note.pk], "TH") == {note.pk}
