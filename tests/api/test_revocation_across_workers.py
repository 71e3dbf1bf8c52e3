"""Authorization changes take effect on the next request in every server process.

Two gunicorn processes (as `make run`'s two workers are) serve the same database, each with its own
cache on the embedded default, or the shared Redis at scale. Both have answered with a token, so both
hold it in their cache; then the token is revoked, the password changed, the account suspended or
deactivated, or an author blocks the reader, through one process (or a command), and the other
process must refuse at once.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from tests.servers import free_port, server_env, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)

VERIFY = "/api/v1/accounts/verify_credentials"


@pytest.fixture
def two_servers(settings, tmp_path) -> Iterator[tuple[str, str]]:
    settings.DATA_DIR = tmp_path  # the generations this process bumps are the ones the servers read
    env = server_env(tmp_path)
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


@pytest.fixture
def oauth_app(db):
    from api.services import register_app

    return register_app(name="Two workers", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow")


def _token(user, application) -> str:
    from api.services import issue_token

    _token_row, raw = issue_token(user=user, application=application, scopes=["read", "write", "follow"])
    return raw


def _get(base: str, path: str, token: str) -> int:
    return requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code


def _warm(token: str, *servers: str, path: str = VERIFY) -> None:
    """Both processes answer with the token, so both hold it (and its account) in their cache."""
    for base in servers:
        for _ in range(3):
            assert _get(base, path, token) == 200


def test_a_revoked_token_is_refused_by_the_other_process_at_once(two_servers, oauth_app, make_user):
    one, two = two_servers
    application, secret = oauth_app
    token = _token(make_user("ada"), application)
    _warm(token, one, two)
    revoked = requests.post(
        one + "/oauth/revoke",
        data={"token": token, "client_id": application.client_id, "client_secret": secret},
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    assert _get(two, VERIFY, token) == 401
    assert _get(one, VERIFY, token) == 401


def test_a_changed_password_signs_every_app_out_everywhere(two_servers, oauth_app, make_user):
    from accounts.services import change_password

    one, two = two_servers
    user = make_user("bea")
    token = _token(user, oauth_app[0])
    _warm(token, one, two)
    change_password(user=user, old_password="correct horse battery", new_password="a new long passphrase")
    assert _get(two, VERIFY, token) == 401 and _get(one, VERIFY, token) == 401
    fresh = _token(user, oauth_app[0])  # signing in again works
    assert _get(two, VERIFY, fresh) == 200


def test_suspension_and_reinstatement_apply_on_the_next_request(two_servers, oauth_app, make_user):
    from accounts.services import reinstate_account, suspend_account

    one, two = two_servers
    user = make_user("cai")
    token = _token(user, oauth_app[0])
    _warm(token, one, two)
    suspend_account(user=user)
    assert _get(one, VERIFY, token) == 403 and _get(two, VERIFY, token) == 403
    reinstate_account(user=user)
    assert _get(one, VERIFY, token) == 200 and _get(two, VERIFY, token) == 200


def test_a_deactivated_account_is_refused_everywhere(two_servers, oauth_app, make_user):
    from accounts.services import deactivate_account

    one, two = two_servers
    user = make_user("dev")
    token = _token(user, oauth_app[0])
    _warm(token, one, two)
    deactivate_account(user=user, password="correct horse battery")
    assert _get(two, VERIFY, token) == 403 and _get(one, VERIFY, token) == 403


def test_a_block_through_one_process_hides_the_note_in_the_other(two_servers, oauth_app, make_user, make_note):
    one, two = two_servers
    author, reader = make_user("eve"), make_user("fay")
    note = make_note(author, title="Morning market")
    author_token, reader_token = _token(author, oauth_app[0]), _token(reader, oauth_app[0])
    _warm(reader_token, one, two, path=f"/api/v1/statuses/{note.pk}")
    blocked = requests.post(
        f"{one}/api/v1/accounts/{reader.pk}/block", headers={"Authorization": f"Bearer {author_token}"}, timeout=30
    )
    assert blocked.status_code == 200, blocked.text
    assert _get(two, f"/api/v1/statuses/{note.pk}", reader_token) == 404
    assert _get(one, f"/api/v1/statuses/{note.pk}", reader_token) == 404
