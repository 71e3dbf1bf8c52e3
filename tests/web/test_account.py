from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.models import Follow, User
from web.models import WebSession
from web.templatetags.web_tags import when


def test_signup_logs_in_and_goes_to_onboarding(client, db):
    response = client.post("/signup/", {"username": "newbie", "display_name": "New", "password": "a sturdy passphrase"})
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    user = User.objects.get(username="newbie")
    assert user.languages == ["en"] and user.ui_language == "en" and not user.onboarded
    assert client.get("/welcome/").status_code == 200


def test_signup_errors_next_to_fields(client, make_user):
    make_user("taken")
    response = client.post("/signup/", {"username": "taken", "password": "a sturdy passphrase"})
    assert response.status_code == 422
    assert 'id="id_username_error"' in response.content.decode()
    assert "That username is taken." in response.content.decode()
    response = client.post("/signup/", {"username": "ok_name", "password": "short"})
    assert 'id="id_password_error"' in response.content.decode()
    response = client.post("/signup/", {"username": "bad name!", "password": "a sturdy passphrase"})
    assert 'id="id_username_error"' in response.content.decode()
    assert not User.objects.filter(username="ok_name").exists()


def test_signup_in_chinese_sets_languages(db):
    client = Client(headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    html = client.get("/signup/").content.decode()
    assert 'lang="zh-hans"' in html and "注册" in html
    client.post("/signup/", {"username": "xiaoming", "password": "a sturdy passphrase"})
    user = User.objects.get(username="xiaoming")
    assert user.languages == ["zh-Hans"] and user.ui_language == "zh-hans"


def test_login_logout(client, make_user):
    make_user("alice")
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200 and 'class="form-error"' in response.content.decode()
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery", "next": "/search/"})
    assert response["Location"] == "/search/"
    response = client.post(
        "/login/", {"username": "alice", "password": "correct horse battery", "next": "https://evil.example/"}
    )
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/following/").status_code == 302


def test_login_refuses_offsite_next(client, make_user):
    make_user("alice")
    response = client.post(
        "/login/", {"username": "alice", "password": "correct horse battery", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_onboarding_saves_choices_and_follows(client, make_user, post_note, login):
    stars = [make_user(f"star{i}") for i in range(4)]
    for star in stars:
        post_note(star)
    newbie = make_user("newbie")
    login(newbie)
    html = client.get("/welcome/").content.decode()
    assert all(f"@{s.username}" in html for s in stars)
    response = client.post(
        "/welcome/",
        {"interests": ["food", "travel"], "languages": ["en", "zh-Hans"], "follow": [stars[0].pk, stars[1].pk]},
    )
    assert response["Location"] == "/"
    newbie.refresh_from_db()
    assert newbie.onboarded and newbie.interests == ["food", "travel"] and newbie.languages == ["en", "zh-Hans"]
    assert set(Follow.objects.filter(follower=newbie).values_list("followee_id", flat=True)) == {
        stars[0].pk,
        stars[1].pk,
    }
    assert client.get("/").content.decode().count('class="card"') == 4


def test_onboarding_needs_a_language_and_ignores_unknown_follow(client, make_user, login):
    newbie = make_user("newbie")
    other = make_user("other")
    login(newbie)
    response = client.post("/welcome/", {"interests": ["food"], "languages": []})
    assert response.status_code == 422 and "field-error" in response.content.decode()
    response = client.post("/welcome/", {"languages": ["en"], "follow": [other.pk]})
    assert response.status_code == 422  # not among the suggestions
    assert not Follow.objects.exists()


def test_settings_language_region_and_cookie(client, make_user, login):
    alice = make_user("alice")
    login(alice)
    response = client.post(
        "/settings/", {"form": "preferences", "ui_language": "zh-hans", "languages": ["zh-Hans", "en"], "region": "cn"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    alice.refresh_from_db()
    assert alice.ui_language == "zh-hans" and alice.languages == ["zh-Hans", "en"] and alice.region == "CN"
    html = client.get("/settings/").content.decode()
    assert "设置" in html
    response = client.post("/settings/", {"form": "preferences", "ui_language": "en", "region": "123"})
    assert response.status_code == 422 and 'id="id_region_error"' in response.content.decode()


def test_saved_language_follows_the_user_to_a_new_browser(make_user):
    alice = make_user("alice")
    alice.ui_language = "zh-hans"
    alice.save()
    fresh = Client(headers={"Accept-Language": "en-US"})
    fresh.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert "发现" in fresh.get("/").content.decode()


def test_set_language_anonymous_and_signed_in(client, make_user, login):
    response = client.post("/language/", {"language": "zh-hans", "next": "/search/"})
    assert response["Location"] == "/search/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "搜索" in client.get("/search/").content.decode()
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    alice = make_user("alice")
    login(alice)
    client.post("/language/", {"language": "en"})
    alice.refresh_from_db()
    assert alice.ui_language == "en"
    assert "Discover" in client.get("/").content.decode()


def test_change_password(client, make_user, login):
    alice = make_user("alice")
    login(alice)
    response = client.post(
        "/settings/",
        {
            "form": "password",
            "old_password": "nope",
            "new_password": "another good one",
            "new_password2": "another good one",
        },
    )
    assert response.status_code == 422 and 'id="id_old_password_error"' in response.content.decode()
    response = client.post(
        "/settings/",
        {"form": "password", "old_password": "correct horse battery", "new_password": "a", "new_password2": "b"},
    )
    assert 'id="id_new_password2_error"' in response.content.decode()
    response = client.post(
        "/settings/",
        {
            "form": "password",
            "old_password": "correct horse battery",
            "new_password": "another good one",
            "new_password2": "another good one",
        },
    )
    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200  # still signed in here
    alice.refresh_from_db()
    assert alice.check_password("another good one")


def test_deactivating_an_account_needs_its_password_and_hides_its_notes(client, make_user, make_note, login):
    from oauth2_provider.models import AccessToken

    alice = make_user("alice")
    note = make_note(alice, title="Goodbye market")
    login(alice)
    wrong = client.post("/settings/", {"form": "deactivate", "password": "not it"})
    assert wrong.status_code == 422 and 'id="id_password_error"' in wrong.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    done = client.post("/settings/", {"form": "deactivate", "password": "correct horse battery"}, follow=True)
    assert "Your account is deactivated" in done.content.decode()
    alice.refresh_from_db()
    assert not alice.is_active and not AccessToken.objects.filter(user=alice).exists()
    assert client.get("/settings/").status_code == 302  # signed out
    assert Client().get(f"/n/{note.pk}/").status_code == 404
    assert Client().post("/login/", {"username": "alice", "password": "correct horse battery"}).status_code != 302


def test_sign_out_other_sessions(make_user):
    make_user("alice")
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        c.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert WebSession.objects.count() == 2
    assert "1 other browser" in laptop.get("/settings/").content.decode()
    laptop.post("/settings/sessions/")
    assert laptop.get("/settings/").status_code == 200
    assert phone.get("/settings/").status_code == 302
    assert WebSession.objects.count() == 1


def test_settings_need_login(client, db):
    assert client.get("/settings/").status_code == 302
    assert client.post("/settings/sessions/").status_code == 302


def test_times_in_viewer_time_zone(client, make_user, post_note):
    note = post_note(make_user())
    note.refresh_from_db()
    client.cookies["nb_tz"] = "Asia/Shanghai"
    html = client.get(f"/n/{note.pk}/").content.decode()
    shanghai = timezone.localtime(note.published_at, ZoneInfo("Asia/Shanghai"))
    assert f'title="{formats.date_format(shanghai, "DATETIME_FORMAT")}"' in html
    client.cookies["nb_tz"] = "Not/AZone"
    assert client.get(f"/n/{note.pk}/").status_code == 200


def test_when_uses_zone_and_language():
    value = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("Asia/Shanghai")), translation.override("en"):
        assert "Jan. 2, 2024" in when(value)
    with timezone.override(ZoneInfo("America/New_York")), translation.override("zh-hans"):
        assert "2024年1月1日" in when(value)


def test_onboarding_offers_someone_for_each_interest(client, make_user, post_note, login):
    """However the suggestions rank by language and followers, each interest someone posts about is
    represented, and a newcomer who already said what they like has those people ticked."""
    popular = [make_user(f"pop{i}", interests=["fashion"]) for i in range(14)]
    for i, star in enumerate(popular):
        post_note(star)
        User.objects.filter(pk=star.pk).update(followers_count=100 + i)
    cook = make_user("cook", interests=["food"])
    post_note(cook)
    newbie = make_user("newbie")
    login(newbie)
    html = client.get("/welcome/").content.decode()
    assert "@cook" in html and 'data-interests="food"' in html
    newbie.interests = ["food"]
    newbie.save(update_fields=["interests"])
    html = client.get("/welcome/").content.decode()
    assert f'name="follow" value="{cook.pk}" checked' in html
    assert html.count('name="follow"') == 12 and html.count(" checked>") <= 3
