"""rel="me" verification of profile links, against a real HTTP server on 127.0.0.1 (allowed by the
test-only TRUST_LINKS_ALLOW_LOOPBACK), and the SSRF defence that refuses private and local addresses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.services import update_profile
from trust import links
from trust.models import ProfileLink


class Pages(BaseHTTPRequestHandler):
    site = "http://127.0.0.1:8000"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        port = self.server.server_port  # type: ignore[attr-defined]
        pages = {
            "/alice": f'<html><body><a rel="me nofollow" href="{self.site}/@alice">me on Notebridge</a></body></html>',
            "/alice-u": f'<html><head><link rel="me" href="{self.site}/u/alice/"></head></html>',
            "/someone-else": f'<a rel="me" href="{self.site}/@mallory">not alice</a>',
            "/no-rel": f'<a href="{self.site}/@alice">a plain link</a>',
        }
        if self.path in pages:
            self._send(200, pages[self.path].encode())
        elif self.path == "/hop":
            self._send(302, Location=f"http://127.0.0.1:{port}/alice")
        elif self.path == "/to-private":
            self._send(302, Location="http://10.1.2.3/alice")
        elif self.path == "/to-metadata":
            self._send(301, Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/loop":
            self._send(302, Location="/loop")
        elif self.path == "/huge":
            self._send(200, b"<p>" + b"x" * 300_000 + b"</p>")
        elif self.path == "/huge-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"y" * 10_000)
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late")
        else:
            self._send(404, b"no")


@pytest.fixture
def server(settings) -> Iterator[str]:
    settings.TRUST_LINKS_ALLOW_LOOPBACK = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.TRUST_LINKS = {"max_bytes": 100_000, "timeout_s": 0.5, "deadline_s": 3}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_link_that_links_back_is_verified_when_the_bio_changes(server, make_user, django_capture_on_commit_callbacks):
    alice = make_user("alice")
    bio = f"Potter. Shop: {server}/alice, studio {server}/alice-u. Old site: {server}/no-rel."
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=alice, bio=bio)
    found = {link.url.removeprefix(server): link for link in ProfileLink.objects.filter(user=alice)}
    assert set(found) == {"/alice", "/alice-u", "/no-rel"}
    assert found["/alice"].verified_at and found["/alice-u"].verified_at
    assert found["/no-rel"].verified_at is None and found["/no-rel"].error == "no rel=me link back"
    # The bio loses a link: its record goes with it.
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=alice, bio=f"Shop: {server}/alice")
    assert list(ProfileLink.objects.filter(user=alice).values_list("url", flat=True)) == [f"{server}/alice"]


def test_a_rel_me_to_someone_else_does_not_verify(server, make_user):
    mallory = make_user("alice_fan")
    assert not links.links_back(f"{server}/alice", mallory)
    assert not links.links_back(f"{server}/someone-else", make_user("alice2"))


def test_redirects_are_followed_and_checked_at_every_hop(server, make_user):
    alice = make_user("alice")
    assert links.links_back(f"{server}/hop", alice)
    for path, reason in (
        ("/to-private", "private or local"),
        ("/to-metadata", "private or local"),
        ("/loop", "redirects"),
    ):
        with pytest.raises(links.Refused, match=reason):
            links.fetch(f"{server}{path}")


def test_size_and_time_are_bounded(server):
    with pytest.raises(links.Refused, match="too large"):
        links.fetch(f"{server}/huge")  # announced by Content-Length
    with pytest.raises(links.Refused, match="too large"):
        links.fetch(f"{server}/huge-unannounced")  # counted while reading
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        links.fetch(f"{server}/slow")
    assert time.monotonic() - started < 1.4  # gave up at the 0.5 s timeout, not after the server's 1.5 s


def test_loopback_is_refused_without_the_test_setting(server, settings):
    settings.TRUST_LINKS_ALLOW_LOOPBACK = False
    with pytest.raises(links.Refused, match="private or local"):
        links.fetch(f"{server}/alice")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "private or local"),
        ("http://172.16.5.4/", "private or local"),
        ("http://192.168.1.1/admin", "private or local"),
        ("http://169.254.169.254/latest/meta-data/", "private or local"),
        ("http://100.64.0.1/", "private or local"),
        ("http://0.0.0.0/", "private or local"),
        ("http://127.0.0.1/", "private or local"),
        ("http://localhost/", "private or local"),
        ("http://[::1]/", "private or local"),
        ("http://[fe80::1]/", "private or local"),
        ("http://[fd00::1]/", "private or local"),
        ("http://[::ffff:127.0.0.1]/", "private or local"),
        ("http://[::ffff:10.0.0.1]/", "private or local"),
        ("http://224.0.0.1/", "private or local"),
        ("http://2130706433/", "private or local"),  # 127.0.0.1 as one number
        ("ftp://example.com/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:70/", "only http and https"),
        ("http://user:secret@example.com/", "user name"),
        ("http:///nohost", "no host"),
        ("http://example.com:99999/", "bad port"),
    ],
)
def test_the_defence_refuses_private_addresses_and_other_schemes(db, url, reason):
    with pytest.raises(links.Refused, match=reason):
        links.fetch(url)


def test_only_http_links_are_taken_from_a_bio():
    bio = "Find me at https://potter.example/about. Or javascript:alert(1), ftp://x.example, (http://a.example/)."
    assert links.profile_urls(bio) == ["https://potter.example/about", "http://a.example/"]
