"""The review item page shows the content as readers see it (photos, video, text cover, the thread
around a comment), the author's history next to account trust, in a bounded number of queries; held
media is served to reviewers through the review route and to nobody else but the author."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from notes.models import Comment, NoteState
from review import decisions
from review.models import ReviewItem
from tests.review.fixtures import as_user, old_user
from tests.videos import needs_ffmpeg, video_bytes

INSULT = "you are such a loser"


@pytest.fixture
def held_photo_note(make_user, post):
    author = old_user(make_user)
    note = post(author, INSULT, title="Weekend market", photos=2, tags=["market", "food"], place="Chatuchak")
    assert note.state == NoteState.HELD
    return note, ReviewItem.objects.get(target_id=note.pk)


def _photo_urls(html: str) -> list[str]:
    return re.findall(r'<img src="(/review/items/\d+/media/[^"]+)"', html)


def test_a_held_photo_note_shows_as_readers_see_it(reviewer, held_photo_note):
    note, item = held_photo_note
    page = as_user(reviewer()).get(f"/review/items/{item.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    photos = list(note.photos.order_by("position"))
    # Both photos, in a carousel, through the review route (never the public /media/ URL).
    for photo in photos:
        assert f"/review/items/{item.pk}/media/{photo.thumb.name}" in html
        assert f"/review/items/{item.pk}/media/{photo.large.name}" in html
        assert f"/media/{photo.large.name}" not in html.replace(f"/review/items/{item.pk}/media/", "")
    assert "data-carousel" in html and ">1</span>/2<" in html
    assert "Weekend market" in html and INSULT in html
    assert "#market" in html and "#food" in html and "Chatuchak" in html
    # The decision bar keeps every action and its key.
    for action, key in [("approve", "a"), ("reject", "r"), ("remove", "d"), ("withhold", "w"), ("escalate", "e")]:
        assert f'value="{action}" data-key="{key}"' in html
    assert 'class="decision-bar"' in html and 'value="claim"' in html


def test_a_text_only_note_shows_its_cover(make_user, reviewer, post):
    note = post(old_user(make_user), INSULT, title="", photos=0)
    item = ReviewItem.objects.get(target_id=note.pk)
    html = as_user(reviewer()).get(f"/review/items/{item.pk}/").content.decode()
    assert 'class="note-text-cover"' in html and 'class="text-cover tc-' in html
    assert "data-carousel" not in html


def test_a_held_comment_shows_its_note_and_thread(make_user, reviewer, post, on_commit):
    from notes.services import create_comment

    note = post(make_user(), "Our sourdough bake", title="Sourdough", photos=1)
    commenter = old_user(make_user)
    others = [make_user(username=f"neighbour{i}") for i in range(4)]
    with on_commit():
        top = create_comment(author=others[0], note_id=note.pk, body="Which flour did you use?")
        before = create_comment(author=others[1], note_id=note.pk, body="Rye, I think", parent_id=top.pk)
        held = create_comment(author=commenter, note_id=note.pk, body=INSULT, parent_id=top.pk)
        after = create_comment(author=others[2], note_id=note.pk, body="Be nice please", parent_id=top.pk)
        elsewhere = create_comment(author=others[3], note_id=note.pk, body="Unrelated praise")
    assert Comment.objects.get(pk=held.pk).state == NoteState.HELD
    item = ReviewItem.objects.get(target_type="comment", target_id=held.pk)
    html = as_user(reviewer()).get(f"/review/items/{item.pk}/").content.decode()
    assert f'data-comment="{top.pk}" data-role="parent"' in html
    assert f'data-comment="{before.pk}" data-role="before"' in html
    assert f'data-comment="{held.pk}" data-role="held"' in html
    assert f'data-comment="{after.pk}" data-role="after"' in html
    assert f'data-comment="{elsewhere.pk}"' not in html  # another thread
    # The note it belongs to, with its photo through the review route.
    assert f'data-note="{note.pk}"' in html and "Sourdough" in html
    assert f"/review/items/{item.pk}/media/{note.photos.get().large.name}" in html


def test_the_authors_history_with_outcomes(make_user, reviewer, post):
    author = old_user(make_user)
    earlier = post(author, INSULT + " again", title="First")
    first_item = ReviewItem.objects.get(target_id=earlier.pk)
    mod = reviewer()
    decisions.decide(user=mod, item_id=first_item.pk, action="reject", reason_code="harassment")
    post(author, "Lovely tea house", title="Tea")
    note = post(author, INSULT, title="Third")
    item = ReviewItem.objects.get(target_id=note.pk)
    html = as_user(mod).get(f"/review/items/{item.pk}/").content.decode()
    history = html[html.index('class="author-history"') :]
    assert "Author&#x27;s history" in html or "Author's history" in html
    assert 'data-stat="age"' in history and "Account age" in history and "Account age: <strong>1\xa0year" in history
    assert 'data-stat="followers"' in history
    assert 'data-kind="note" data-state="rejected"' in history and "reject (Harassment or threats)" in history
    assert 'data-kind="note" data-state="published"' in history and ">Tea<" in history
    assert 'data-state="held" aria-current="true"' in history
    assert html.index('class="trust"') < html.index('class="author-history"')


def _page_queries(client, item, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(f"/review/items/{item.pk}/").status_code == 200
    return len(ctx.captured_queries)


def test_item_page_queries_are_bounded(make_user, reviewer, post, on_commit, django_assert_max_num_queries):
    from notes.services import create_comment

    author = old_user(make_user)
    note = post(author, INSULT, title="Held", photos=3, tags=["a", "b", "c"], place="Somewhere")
    item = ReviewItem.objects.get(target_id=note.pk)
    client = as_user(reviewer())
    client.get(f"/review/items/{item.pk}/")  # warm caches (packs, countries)
    few = _page_queries(client, item, django_assert_max_num_queries, 20)  # measured: 19
    # Much more history: more notes and comments by the author, decided ones among them.
    other = post(make_user(), "Nice", photos=1)
    for i in range(12):
        post(author, f"Ordinary note {i}", photos=1)
    with on_commit():
        for i in range(12):
            create_comment(author=author, note_id=other.pk, body=f"Nice one {i}")
    many = _page_queries(client, item, django_assert_max_num_queries, 20)
    assert many == few


def test_a_held_comment_page_queries_are_bounded_in_a_long_thread(
    make_user, reviewer, post, on_commit, django_assert_max_num_queries
):
    from notes.services import create_comment

    note = post(make_user(), "Our sourdough bake", photos=2)
    with on_commit():
        top = create_comment(author=make_user(), note_id=note.pk, body="Which flour?")
        for i in range(6):
            create_comment(author=make_user(), note_id=note.pk, body=f"Reply {i}", parent_id=top.pk)
        held = create_comment(author=old_user(make_user), note_id=note.pk, body=INSULT, parent_id=top.pk)
        for i in range(6):
            create_comment(author=make_user(), note_id=note.pk, body=f"Later {i}", parent_id=top.pk)
    item = ReviewItem.objects.get(target_type="comment", target_id=held.pk)
    client = as_user(reviewer())
    client.get(f"/review/items/{item.pk}/")
    _page_queries(client, item, django_assert_max_num_queries, 23)  # measured: 22 with 12 neighbours


# --- held media -------------------------------------------------------------------------------------


def test_held_media_is_not_public_but_reviewers_get_it(make_user, reviewer, held_photo_note):
    note, item = held_photo_note
    photo = note.photos.order_by("position").first()
    for name in (photo.large.name, photo.thumb.name, photo.original.name):
        assert Client().get(f"/media/{name}").status_code == 404  # anonymous
        assert as_user(make_user()).get(f"/media/{name}").status_code == 404  # another user
        assert as_user(note.author).get(f"/media/{name}").status_code == 200  # its author
        got = as_user(reviewer()).get(f"/review/items/{item.pk}/media/{name}")
        assert got.status_code == 200 and got["Cache-Control"] == "private, no-store"
        assert b"".join(got.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself
    # The review route is for reviewers who may see this item, for this item's files only.
    route = f"/review/items/{item.pk}/media/{photo.large.name}"
    assert Client().get(route).status_code == 404
    assert as_user(make_user()).get(route).status_code == 404
    assert as_user(reviewer(languages=["th"])).get(route).status_code == 404  # not in their languages
    assert as_user(note.author).get(route).status_code == 404  # authors are not reviewers of their own


def test_the_review_route_serves_only_the_items_files(make_user, reviewer, post, held_photo_note):
    _note, item = held_photo_note
    public = post(make_user(), "A bright morning", photos=1)
    mod = as_user(reviewer())
    base = f"/review/items/{item.pk}/media/"
    assert mod.get(base + public.photos.get().large.name).status_code == 404  # another note's file
    for hostile in ("../settings.py", "photos/../../secret", "%2e%2e/%2e%2e/etc/passwd", "", "photos/l/x.jpg"):
        assert mod.get(base + hostile).status_code == 404
    assert mod.get("/review/items/notanid/media/photos/l/1.jpg").status_code == 404


def test_held_media_becomes_public_once_approved(make_user, reviewer, held_photo_note):
    note, item = held_photo_note
    name = note.photos.order_by("position").first().large.name
    assert Client().get(f"/media/{name}").status_code == 404
    decisions.decide(user=reviewer(), item_id=item.pk, action="approve", reason_code="harassment")
    assert Client().get(f"/media/{name}").status_code == 200


def test_unknown_photo_names_and_other_media(make_user, settings, post):
    from pathlib import Path

    # A photo-shaped name without a row is not served, even when such a file exists on disk.
    stray = Path(settings.MEDIA_ROOT) / "photos/l/2026/01/123456789.jpg"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"\xff\xd8stray")
    assert Client().get("/media/photos/l/2026/01/123456789.jpg").status_code == 404
    # Files that are not a note's (an avatar) are served as before; published photos too.
    avatar = Path(settings.MEDIA_ROOT) / "avatars/2026/01/a.jpg"
    avatar.parent.mkdir(parents=True, exist_ok=True)
    avatar.write_bytes(b"\xff\xd8avatar")
    assert Client().get("/media/avatars/2026/01/a.jpg").status_code == 200
    public = post(make_user(), "A bright morning", photos=1)
    assert Client().get(f"/media/{public.photos.get().thumb.name}").status_code == 200


@needs_ffmpeg
def test_a_held_video_note_plays_for_the_reviewer(make_user, reviewer, on_commit):
    from notes.services import create_note
    from notes.videos import upload_video

    author = old_user(make_user)
    with on_commit():
        video = upload_video(owner=author, file=video_bytes(seconds=2.0, seed=3))
    with on_commit():
        note = create_note(author=author, title="Night market", body=INSULT, video_id=video.pk)
    note.refresh_from_db()
    video.refresh_from_db()
    assert note.state == NoteState.HELD and video.state == "ready"
    item = ReviewItem.objects.get(target_id=note.pk)
    mod = as_user(reviewer())
    html = mod.get(f"/review/items/{item.pk}/").content.decode()
    base = f"/review/items/{item.pk}/media/"
    assert "<video" in html and f'poster="{base}{video.poster.name}"' in html
    assert f'src="{base}{video.large.name}"' in html
    assert mod.get(f"{base}{video.large.name}").status_code == 200
    assert Client().get(f"/media/{video.large.name}").status_code == 404
    assert Client().get(f"/media/{video.poster.name}").status_code == 404
