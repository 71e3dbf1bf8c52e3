"""Mastodon-style links (/@<username>, /@<username>/<id>) lead to the pages, and only to what the reader
may see there."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import block
from notes.models import Visibility


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.REVIEW_SCREENING = False


def test_account_and_status_links_redirect_to_the_pages(make_user, make_note):
    alice = make_user("alice")
    note = make_note(alice, title="Dumplings", body="Handmade")
    assert Client().get("/@alice")["Location"] == "/u/alice/"
    assert Client().get("/@alice/")["Location"] == "/u/alice/"
    assert Client().get(f"/@alice/{note.pk}")["Location"] == f"/n/{note.pk}/"


def test_status_links_hide_what_the_page_hides(make_user, make_note):
    alice, bob = make_user("alice"), make_user("bob")
    private = make_note(alice, title="Friends only", visibility=Visibility.FOLLOWERS)
    assert Client().get(f"/@alice/{private.pk}").status_code == 404
    public = make_note(alice, title="Public")
    reader = Client()
    reader.force_login(bob)
    assert reader.get(f"/@alice/{public.pk}").status_code == 302
    block(blocker=alice, blocked=bob)
    assert reader.get(f"/@alice/{public.pk}").status_code == 404
    assert Client().get(f"/@bob/{public.pk}").status_code == 404  # someone else's note under bob's name
