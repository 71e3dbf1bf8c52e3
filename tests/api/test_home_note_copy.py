"""Each process's copy of the note cache (notes/note_copy.py): a warm home page reads no note from the
shared cache, and every change a reader must see (an edit, a deletion, a withholding in the reader's
country, a block, a mute) shows on the next page in every server process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from api.mastodon import entities
from notes import note_copy
from notes.selectors import NOTE_KEY
from tests.api.test_auth_lookup import CountingCache
from tests.servers import free_port, server_env, wait_until_serving

HOME = "/api/v1/timelines/home?limit=20"
NOTE_PREFIX = NOTE_KEY.split("{", 1)[0]


@pytest.fixture
def world(make_user, make_note, on_commit, settings):
    from accounts.services import follow

    settings.REVIEW_SCREENING = False
    author, reader = make_user("author"), make_user("reader", region="TH")
    with on_commit():
        follow(follower=reader, followee=author)
    first = make_note(author, title="Figs", body="Fresh figs at the market", photos=0)
    second = make_note(author, title="Plums", body="Plums, late in the season", photos=0)
    return author, reader, first, second


def _home_ids(api) -> list[str]:
    response = api.get("/api/v1/timelines/home", {"limit": 20})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


@pytest.mark.parametrize("copy", [True, False], ids=["process-copy", "shared-cache"])
def test_a_warm_home_page_reads_the_shared_cache_once(world, client_for, settings, copy):
    settings.CACHES = {"default": {"BACKEND": "tests.api.test_auth_lookup.CountingCache", "LOCATION": "notes"}}
    settings.STATUS_LOCAL_CACHE = True
    settings.NOTE_LOCAL_CACHE = copy
    settings.RATE_LIMITS_ENABLED = False  # as bench/timeline_load.py serves (the limits' reads are their own)
    entities.forget_local_statuses()
    note_copy.forget_all()
    _author, reader, first, second = world
    api = client_for(reader)
    assert _home_ids(api) == [str(second.pk), str(first.pk)]  # fills the caches
    CountingCache.reads.clear()
    CountingCache.keys.clear()
    assert _home_ids(api) == [str(second.pk), str(first.pk)]
    notes_read = [k for keys in CountingCache.keys for k in keys if k.startswith(NOTE_PREFIX)]
    if copy:
        # With Redis a round trip each: the request's first read (token, instance-wide entries, the
        # notes' generation) is the page's only one; no note and no status comes from the shared cache.
        assert CountingCache.reads == ["get_many"], (CountingCache.reads, CountingCache.keys)
        assert notes_read == []
    else:
        assert len(CountingCache.reads) == 2 and len(notes_read) == 2


@pytest.fixture
def two_servers(settings, tmp_path) -> Iterator[tuple[str, str]]:
    """Two gunicorn processes over this test's database and the shared Redis, each keeping its own copy."""
    env = server_env(tmp_path) | {"REVIEW_SCREENING": "0", "NOTE_LOCAL_CACHE": "1", "RATE_LIMITS_ENABLED": "0"}
    procs, urls = [], []
    for _ in range(2):
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "notebridge.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        procs.append(subprocess.Popen([*cmd, "--workers", "1", "--threads", "2"], env=env, cwd=settings.BASE_DIR))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            wait_until_serving(url)
        yield urls[0], urls[1]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def _token(user) -> str:
    from api.services import issue_token, register_app

    application, _secret = register_app(
        name="Note copy", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow"
    )
    _row, raw = issue_token(user=user, application=application, scopes=["read", "write", "follow"])
    return raw


def _call(method: str, url: str, token: str, **kwargs) -> requests.Response:
    return requests.request(method, url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def _home(base: str, token: str) -> dict[str, dict]:
    response = _call("GET", base + HOME, token)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()}


@pytest.mark.skipif("not __import__('django.conf').conf.settings.REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_changes_show_at_once_in_the_other_process(two_servers, make_user, make_note, admin_user):
    from accounts.services import follow
    from notes.models import Note
    from review import withholding

    one, two = two_servers
    author, reader, other = make_user("author"), make_user("reader", region="TH"), make_user("other")
    for follower in (reader, other):
        follow(follower=follower, followee=author)
    first = make_note(author, title="Figs", body="Fresh figs at the market", photos=0)
    second = make_note(author, title="Plums", body="Plums, late in the season", photos=0)
    author_token, reader_token, other_token = _token(author), _token(reader), _token(other)
    both = {str(first.pk), str(second.pk)}
    for base in (one, two):  # both processes hold both notes
        for token in (reader_token, other_token):
            for _ in range(2):
                assert set(_home(base, token)) == both

    edited = _call("PUT", f"{one}/api/v1/statuses/{first.pk}", author_token, json={"status": "Figs\nSold out"})
    assert edited.status_code == 200, edited.text
    shown = _home(two, reader_token)[str(first.pk)]
    assert shown["notebridge"]["body"] == "Sold out" and shown["edited_at"] is not None

    withholding.withhold_note(
        actor=admin_user, note=Note.objects.get(pk=second.pk), countries=["TH"], reason_code="state_protection"
    )
    assert set(_home(two, reader_token)) == {str(first.pk)}  # withheld where the reader is
    assert set(_home(two, other_token)) == both  # not elsewhere

    deleted = _call("DELETE", f"{one}/api/v1/statuses/{first.pk}", author_token)
    assert deleted.status_code == 200, deleted.text
    assert set(_home(two, other_token)) == {str(second.pk)}
    assert set(_home(one, other_token)) == {str(second.pk)}

    muted = _call("POST", f"{one}/api/v1/accounts/{author.pk}/mute", other_token)
    assert muted.status_code == 200, muted.text
    assert _home(two, other_token) == {}
    third = make_note(author, title="Pears", body="Pears today", photos=0)
    assert set(_home(two, reader_token)) == {str(third.pk)}
    blocked = _call("POST", f"{one}/api/v1/accounts/{reader.pk}/block", author_token)
    assert blocked.status_code == 200, blocked.text
    assert _home(two, reader_token) == {}
