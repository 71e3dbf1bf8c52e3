"""A hashtag used only in followers-only (or not yet published) notes tells no one that those notes exist."""

from __future__ import annotations

from django.test import Client

from notes.selectors import popular_tags, search_tags, tag_by_name


def test_a_tag_only_in_followers_only_notes_is_not_listed_or_counted(make_user, make_note):
    author = make_user()
    make_note(author, title="Family dinner #secretrecipe", visibility="followers")
    make_note(author, title="Street food #nightmarket")
    make_note(author, title="Also private #nightmarket", visibility="followers")

    assert [t.name for t in search_tags("secret")] == []
    assert tag_by_name("secretrecipe") is None
    assert "secretrecipe" not in [t.name for t in popular_tags(limit=50)]
    shown = tag_by_name("nightmarket")
    assert shown is not None and shown.notes_count == 1  # the public note only

    anonymous = Client()
    found = anonymous.get("/api/v2/search", {"q": "secretrecipe", "type": "hashtags"}).json()
    assert found["hashtags"] == []
    assert anonymous.get("/api/v2/search", {"q": "nightmarket", "type": "hashtags"}).json()["hashtags"]
    page = anonymous.get("/tag/secretrecipe/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Family dinner" not in text and "1 note" not in text
