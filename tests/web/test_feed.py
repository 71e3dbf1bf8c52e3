from django.core.cache import cache

from accounts.services import follow
from notes.models import Note


def test_discover_shows_cards_with_renditions(client, make_user, post_note):
    alice = make_user("alice", display_name="Alice")
    note = post_note(alice, title="Dumplings in Flushing")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dumplings in Flushing" in html
    assert f'href="/n/{note.pk}/?src=discover"' in html
    photo = note.photos.first()
    assert f"{photo.thumb.url} 400w" in html and f"{photo.large.url} 1080w" in html
    assert 'loading="lazy"' in html
    assert "linear-gradient(" in html  # blurhash placeholder


def test_discover_30_cards_bounded_queries(client, make_user, post_note, login, django_assert_max_num_queries):
    authors = [make_user() for _ in range(6)]
    for i in range(32):
        post_note(authors[i % 6], title=f"note {i}")
    viewer = make_user("viewer")
    login(viewer)
    cache.clear()  # cold: ranking, hydrated notes and the session all come from the database
    # user, session, For you (recommend, cold: the pool's notes (2 on a young instance), tags and
    # embeddings; the reader's interactions, language mix and follows), notes + photos + tags, blocks,
    # mutes, likes, collects, unread count, popular tags for the topic tabs
    with django_assert_max_num_queries(18):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == 30
    assert 'hx-get="/?cursor=30"' in response.content.decode()


def test_discover_next_page_is_a_partial_for_htmx(client, make_user, post_note):
    alice = make_user()
    for i in range(33):
        post_note(alice, title=f"n{i}", photos=1)
    response = client.get("/?cursor=30", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('class="card"') == 3
    assert "hx-get" not in html  # the end


def test_discover_bad_cursor_is_404(client, db):
    assert client.get("/?cursor=abc").status_code == 404


def test_following_needs_login_and_shows_followed(client, make_user, post_note, login):
    assert client.get("/following/").status_code == 302
    alice, bob, carol = make_user(), make_user(), make_user()
    follow(follower=bob, followee=alice)
    post_note(alice, title="from alice")
    post_note(carol, title="from carol")
    login(bob)
    html = client.get("/following/").content.decode()
    assert "from alice" in html and "from carol" not in html


def test_tag_page(client, make_user, post_note):
    alice = make_user()
    post_note(alice, title="Hotpot night", tags=["火锅"])
    post_note(alice, title="Other")
    html = client.get("/tag/火锅/").content.decode()
    assert "Hotpot night" in html and "Other" not in html
    assert client.get("/tag/%20/").status_code == 404


def test_followers_only_note_not_on_discover(client, make_user, post_note):
    alice = make_user()
    post_note(alice, title="secret", visibility="followers")
    assert "secret" not in client.get("/").content.decode()
    assert Note.objects.count() == 1


def test_channel_tabs_from_interests_or_popular_tags(client, make_user, post_note, login):
    alice = make_user()
    post_note(alice, title="a", tags=["food"])
    post_note(alice, title="b", tags=["food", "travel"])
    html = client.get("/").content.decode()
    assert 'href="/tag/food/"' in html and 'href="/tag/travel/"' in html
    viewer = make_user(interests=["pets"])
    login(viewer)
    html = client.get("/tag/food/").content.decode()
    assert 'href="/tag/pets/"' in html
    assert '<a href="/tag/food/" aria-current="page">#food</a>' in html
    html = client.get("/tag/pets/").content.decode()
    assert html.count('aria-current="page"') == 1  # the interest tab itself, not a second one


def test_interest_tabs_are_named_in_the_interface_language(client, make_user, login):
    """A reader who picked Food and Travel while signing up in Chinese sees 美食 and 旅行, not #food."""
    from accounts.services import update_profile

    reader = make_user("mei", languages=["zh-Hans"], interests=["food", "travel"])
    login(update_profile(user=reader, ui_language="zh-hans"))
    html = client.get("/").content.decode()
    assert '<a href="/tag/food/" >美食</a>' in html and '<a href="/tag/travel/" >旅行</a>' in html
    assert "#food" not in html
    update_profile(user=reader, ui_language="en")
    assert '<a href="/tag/food/" >Food</a>' in client.get("/").content.decode()
