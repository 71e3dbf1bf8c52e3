"""The "Follow tag" button on a tag page (htmx, English and Simplified Chinese)."""

from __future__ import annotations

from django.test import Client

from notes.models import TagFollow


def test_signed_in_readers_follow_and_unfollow_a_tag_from_its_page(client, make_user, post_note, login, on_commit):
    cook, reader = make_user("cook"), make_user("reader")
    post_note(cook, title="Dumplings", body="Steamed #food")
    assert "Follow tag" not in Client().get("/tag/food/").content.decode()  # anonymous: no button

    login(reader)
    page = client.get("/tag/food/").content.decode()
    assert 'hx-post="/tag/food/follow/"' in page and "Follow tag" in page and 'aria-pressed="false"' in page

    with on_commit():
        swapped = client.post("/tag/food/follow/", {"action": "follow"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    html = swapped.content.decode()
    assert "Following tag" in html and 'value="unfollow"' in html and "<html" not in html
    assert TagFollow.objects.filter(user=reader, tag__name="food").exists()
    assert "Following tag" in client.get("/tag/food/").content.decode()
    fresh = post_note(cook, title="Noodles", body="Hand-pulled #food")
    assert f'href="/n/{fresh.pk}/?src=following"' in client.get("/following/").content.decode()  # in the Following feed

    with on_commit():
        back = client.post("/tag/food/follow/", {"action": "unfollow", "next": "/tag/food/"})
    assert back.status_code == 302 and back["Location"] == "/tag/food/"
    assert not TagFollow.objects.filter(user=reader).exists()


def test_a_tag_nobody_used_can_be_followed_and_bad_names_are_refused(client, make_user, login, on_commit):
    login(make_user("reader"))
    page = client.get("/tag/brandnew/").content.decode()
    assert 'hx-post="/tag/brandnew/follow/"' in page
    with on_commit():
        client.post("/tag/brandnew/follow/", {"action": "follow"}, headers={"HX-Request": "true"})
    assert "Following tag" in client.get("/tag/brandnew/").content.decode()
    assert client.post("/tag/" + "x" * 1000 + "/follow/", {"action": "follow"}).status_code == 404
    assert client.post("/tag/two%20words/follow/", {"action": "follow"}).status_code == 404
    assert TagFollow.objects.count() == 1


def test_anonymous_posts_are_sent_to_log_in_and_get_is_refused(client, make_user):
    response = client.post("/tag/food/follow/", {"action": "follow"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not TagFollow.objects.exists()
    assert client.get("/tag/food/follow/").status_code == 405


def test_the_button_speaks_simplified_chinese(make_user, post_note, on_commit):
    cook, _reader = make_user("cook"), make_user("reader")
    post_note(cook, title="火锅", body="#火锅")
    browser = Client(headers={"Accept-Language": "zh-Hans"})
    browser.post("/login/", {"username": "reader", "password": "correct horse battery"})
    browser.cookies["django_language"] = "zh-hans"
    assert "关注标签" in browser.get("/tag/火锅/").content.decode()
    with on_commit():
        html = browser.post("/tag/火锅/follow/", {"action": "follow"}, headers={"HX-Request": "true"}).content.decode()
    assert "已关注标签" in html
