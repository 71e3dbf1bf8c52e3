"""Rate limits through real requests: 429 with Retry-After and Mastodon's headers, per account and per
address, trusted proxies, IPv6 subnets, the sliding window itself, and where the counters live."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import RateLimited
from core.network import client_ip, subnet_of
from tests.trust.conftest import api_post, sign_up
from trust import limits


def _request(remote: str, forwarded: str = "") -> SimpleNamespace:
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


# --- the client's address -----------------------------------------------------------------------


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_trusted_proxy_gives_the_rightmost_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote "1.2.3.4" itself; the proxy appended the peer it saw (198.51.100.7).
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "198.51.100.7, 10.0.0.5")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    # A peer outside the trusted range is the client, whatever it forwards.
    assert client_ip(_request("192.0.2.44", "198.51.100.7")) == "192.0.2.44"


def test_ipv4_mapped_addresses_and_subnets():
    assert client_ip(_request("::ffff:192.0.2.1")) == "192.0.2.1"
    assert subnet_of("192.0.2.200") == "192.0.2.0/24"
    assert subnet_of("::ffff:192.0.2.200") == "192.0.2.0/24"
    assert subnet_of("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert subnet_of("garbage") == ""


# --- the sliding window ---------------------------------------------------------------------------


def test_window_refuses_over_the_limit_and_says_when_to_come_back(db, settings):
    settings.RATE_LIMITS = {"post.user": "3/60"}
    start = 6000.0  # the start of a window
    for i in range(3):
        outcome = limits.check("post", {"user": "w1"}, now=start + i)
        assert outcome is not None and outcome.remaining == 2 - i
    with pytest.raises(RateLimited) as refused:
        limits.check("post", {"user": "w1"}, now=start + 10)
    # 4 hits in this window: it must end (50 s) and the count decay below 3 - 1 = 2 of 4, half a window.
    assert refused.value.retry_after == 50 + 30
    assert refused.value.limit == 3
    # After the wait one more fits (refused attempts count too, so none is made in between here).
    assert limits.check("post", {"user": "w1"}, now=start + 10 + 80 + 1) is not None


def test_early_in_the_next_window_the_previous_one_still_counts(db, settings):
    settings.RATE_LIMITS = {"post.user": "3/60"}
    for i in range(3):
        limits.check("post", {"user": "w2"}, now=6000.0 + 50 + i)
    with pytest.raises(RateLimited):
        limits.check("post", {"user": "w2"}, now=6060.0 + 5)


def test_a_burst_at_the_window_edge_cannot_double_the_rate(db, settings):
    settings.RATE_LIMITS = {"like.user": "10/60"}
    for i in range(10):
        limits.check("like", {"user": "edge"}, now=6059.0 + i * 0.01)
    # A fixed window would allow ten more at 6060; the sliding estimate still counts the last ten.
    with pytest.raises(RateLimited):
        limits.check("like", {"user": "edge"}, now=6061.0)


def test_rates_parse_and_can_be_switched_off(db, settings):  # the operator page's rates are in the database
    assert limits.Rate.parse("30/1h") == limits.Rate(30, 3600)
    assert limits.Rate.parse("5/m") == limits.Rate(5, 60)
    assert limits.Rate.parse("7/90") == limits.Rate(7, 90)
    with pytest.raises(ValueError):
        limits.Rate.parse("lots")
    settings.RATE_LIMITS = {"post.ip": "off"}
    assert limits.rate("post.ip") is None
    assert limits.rate("post.user") == limits.Rate(300, 3 * 3600)


def test_database_store_is_shared_and_purged(db):
    from trust.models import RateCounter

    store = limits.DatabaseStore()
    assert store.incr("k", 10, 60) == (1, 0)
    assert store.incr("k", 10, 60) == (2, 0)
    assert store.incr("k", 11, 60) == (1, 2)
    RateCounter.objects.filter(bucket=10).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert limits.purge_counters() == 1
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == [11]


@pytest.mark.skipif("not __import__('django.conf').conf.settings.REDIS_URL")
def test_redis_store_counts_in_redis(db):
    store = limits.store_for("post")
    assert isinstance(store, limits.RedisStore)
    assert store.incr("k", 10, 60) == (1, 0)
    assert store.incr("k", 11, 60) == (1, 1)
    assert store.redis.ttl(f"{store.prefix}k:11") > 60


# --- through the API ------------------------------------------------------------------------------


def test_api_posting_limit_answers_429_with_retry_after_and_headers(make_user, token_for, settings):
    settings.RATE_LIMITS = {"post.user_new": "2/1h"}
    token = token_for(make_user("poster"))
    first = api_post("/api/v1/statuses", {"status": "one"}, token)
    assert first.status_code == 200
    assert first["X-RateLimit-Limit"] == "2"
    assert first["X-RateLimit-Remaining"] == "1"
    assert first["X-RateLimit-Reset"].endswith("Z")
    assert api_post("/api/v1/statuses", {"status": "two"}, token).status_code == 200
    refused = api_post("/api/v1/statuses", {"status": "three"}, token)
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert 1 <= int(refused["Retry-After"]) <= 2 * 3600  # the window, then the decay of its count
    assert refused["X-RateLimit-Remaining"] == "0"
    # Reading is not posting: the timeline still answers, with the per-caller headers.
    timeline = Client().get("/api/v1/timelines/home", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert timeline.status_code == 200
    caller_rate = limits.rate("api.caller")
    assert caller_rate is not None and int(timeline["X-RateLimit-Limit"]) == caller_rate.count


def test_replies_count_as_comments_not_posts(make_user, token_for, settings):
    settings.RATE_LIMITS = {"post.user_new": "1/1h", "comment.user_new": "5/1h"}
    token = token_for(make_user("replier"))
    note = api_post("/api/v1/statuses", {"status": "a note"}, token).json()
    reply = api_post("/api/v1/statuses", {"status": "a reply", "in_reply_to_id": note["id"]}, token)
    assert reply.status_code == 200
    assert reply["X-RateLimit-Limit"] == "5"
    assert api_post("/api/v1/statuses", {"status": "another note"}, token).status_code == 429


def test_established_accounts_get_the_looser_limit(make_user, token_for, settings):
    settings.REVIEW_SCREENING = False
    settings.RATE_LIMITS = {"like.user_new": "1/1h", "like.user": "3/1h"}
    old = make_user("old_hand")
    type(old).objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=30))
    young = make_user("newcomer")
    author = make_user("author")
    note = api_post("/api/v1/statuses", {"status": "like me"}, token_for(author)).json()
    path = f"/api/v1/statuses/{note['id']}/favourite"
    old_token, young_token = token_for(old), token_for(young)
    assert [api_post(path, {}, old_token).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [api_post(path, {}, young_token).status_code for _ in range(2)] == [200, 429]


def test_limits_per_account_and_per_address(make_user, token_for, settings):
    settings.RATE_LIMITS = {"post.user_new": "2/1h", "post.ip": "4/1h"}
    a, b, c = (token_for(make_user(n)) for n in ("ann", "bob", "cat"))
    here = {"REMOTE_ADDR": "198.51.100.5"}
    assert [api_post("/api/v1/statuses", {"status": "x"}, a, **here).status_code for _ in range(3)] == [
        200,
        200,
        429,  # ann's own limit
    ]
    # bob is under his own limit, but the address has seen 4 attempts now.
    assert [api_post("/api/v1/statuses", {"status": "y"}, b, **here).status_code for _ in range(2)] == [200, 429]
    # cat, elsewhere, is not affected.
    assert api_post("/api/v1/statuses", {"status": "z"}, c, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_native_api_refusal_names_the_code(make_user, token_for, settings):
    settings.RATE_LIMITS = {"post.user_new": "1/1h"}
    token = token_for(make_user("native"))
    body = {"title": "t", "body": "b"}
    assert api_post("/api/nb/v1/notes", body, token).status_code == 201
    refused = api_post("/api/nb/v1/notes", body, token)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "Retry-After" in refused


def test_staff_are_not_limited(make_user, token_for, settings):
    settings.RATE_LIMITS = {"post.user_new": "1/1h", "post.user": "1/1h"}
    staff = make_user("operator")
    type(staff).objects.filter(pk=staff.pk).update(is_staff=True)
    token = token_for(staff)
    assert [api_post("/api/v1/statuses", {"status": "s"}, token).status_code for _ in range(3)] == [200] * 3


def test_switched_off_limits_send_no_headers(make_user, token_for, settings):
    settings.RATE_LIMITS_ENABLED = False
    settings.RATE_LIMITS = {"post.user_new": "1/1h"}
    token = token_for(make_user("free"))
    responses = [api_post("/api/v1/statuses", {"status": "s"}, token) for _ in range(3)]
    assert [r.status_code for r in responses] == [200] * 3
    assert "X-RateLimit-Limit" not in responses[0]


# --- sign-up and log-in ---------------------------------------------------------------------------


def test_sign_up_limit_per_address_ignores_forged_forwarded_for(app_token, settings):
    settings.RATE_LIMITS = {"signup.ip": "2/1h"}
    settings.TRUSTED_PROXIES = []
    codes = [
        sign_up(app_token, f"forger{i}", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.{i}.1").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_sign_up_behind_a_trusted_proxy_counts_each_client(app_token, settings):
    settings.RATE_LIMITS = {"signup.ip": "2/1h", "signup.subnet": "100/1h"}
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    codes = [
        sign_up(app_token, f"proxied{i}", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.{i}.1").status_code
        for i in range(4)
    ]
    assert codes == [200] * 4
    again = [sign_up(app_token, f"same{i}", HTTP_X_FORWARDED_FOR="198.51.0.1").status_code for i in range(2)]
    assert again == [200, 429]  # 198.51.0.1 signed up once above


def test_ipv6_sign_ups_are_grouped_by_64(app_token, settings):
    settings.RATE_LIMITS = {"signup.ip": "100/1h", "signup.subnet": "2/1h"}
    same_64 = [sign_up(app_token, f"six{i}", REMOTE_ADDR=f"2001:db8:aa:1::{i + 1:x}").status_code for i in range(3)]
    assert same_64 == [200, 200, 429]
    assert sign_up(app_token, "sixother", REMOTE_ADDR="2001:db8:aa:2::1").status_code == 200


def test_web_log_in_attempts_are_limited_per_address_and_per_account(make_user, settings):
    settings.RATE_LIMITS = {"login.ip": "100/5m", "login.account": "3/15m"}
    make_user("Alice")
    codes = []
    for i, name in enumerate(["alice", "ALICE", "Alice", "ａｌｉｃｅ"]):  # case and full-width: one account
        response = Client().post("/login/", {"username": name, "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i}")
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429]
    settings.RATE_LIMITS = {"login.ip": "2/5m", "login.account": "100/15m"}
    codes = [
        Client().post("/login/", {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="203.0.113.3").status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_oauth_token_endpoint_is_limited_per_address(settings, db):
    settings.RATE_LIMITS = {"login.ip": "2/5m"}
    codes = [
        Client().post("/oauth/token", {"grant_type": "client_credentials", "client_id": "nope"}).status_code
        for _ in range(3)
    ]
    assert codes[:2] != [429, 429] and codes[2] == 429


# --- pages ----------------------------------------------------------------------------------------


def test_web_refusal_is_a_page_in_the_viewers_language(make_user, make_note, settings):
    settings.RATE_LIMITS = {"like.user_new": "1/1h"}
    author = make_user("painter")
    note = make_note(author)
    fan = make_user("fan", ui_language="zh-hans")
    client = Client()
    client.force_login(fan)
    assert client.post(f"/n/{note.pk}/like/").status_code in (200, 302)
    refused = client.post(f"/n/{note.pk}/like/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "慢一点" in refused.content.decode()
    assert "X-RateLimit-Limit" in refused

    english = make_user("reader", ui_language="en")
    client.force_login(english)
    client.post(f"/n/{note.pk}/like/")
    page = client.post(f"/n/{note.pk}/like/")
    assert page.status_code == 429
    assert "Slow down a little" in page.content.decode()


def test_web_sign_up_is_limited_per_address(settings, db):
    settings.RATE_LIMITS = {"signup.ip": "1/1h"}
    form = {"username": "walker", "password": "a long passphrase 9", "email": "", "display_name": ""}
    first = Client().post("/signup/", form, REMOTE_ADDR="198.51.100.77")
    assert first.status_code in (200, 302, 422)
    second = Client().post("/signup/", {**form, "username": "walker2"}, REMOTE_ADDR="198.51.100.77")
    assert second.status_code == 429
