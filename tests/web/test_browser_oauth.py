"""A Mastodon app's sign-in as a person meets it (toot, Mastodon.py and other apps without a web view use the
out-of-band code): the consent page and the code page are the site's own pages, in the reader's language,
and the code copied from the page signs the app in. Debian's chromium through Playwright.

Run: pytest -m browser tests/web/test_browser_oauth.py   (screenshots in artifacts/screenshots/)
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
import requests

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

OOB = "urn:ietf:wg:oauth:2.0:oob"


CASES = {
    "desktop-en": (
        DESKTOP,
        "en",
        {
            "ask": "Allow toot - a Mastodon CLI client to use your account?",
            "allow": "Authorize",
            "code": "Authorization code",
            "copy": "Copy",
            "copied": "Copied",
        },
    ),
    "phone-zh": (
        MOBILE,
        "zh-hans",
        {
            "ask": "允许 toot - a Mastodon CLI client 使用你的账号吗？",
            "allow": "授权",
            "code": "授权码",
            "copy": "复制",
            "copied": "已复制",
        },
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_app_signs_in_through_the_sites_own_consent_and_code_pages(live_server, transactional_db, browser, case):  # noqa: F811
    viewport, ui, words = CASES[case]
    from accounts.services import register_user

    register_user(username="tooter", password=PASSWORD, languages=["en", "zh-Hans"], ui_language=ui)
    app = requests.post(
        f"{live_server.url}/api/v1/apps",
        data={"client_name": "toot - a Mastodon CLI client", "redirect_uris": OOB, "scopes": "read write follow"},
        timeout=30,
    ).json()
    query = urlencode(
        {"response_type": "code", "redirect_uri": OOB, "scope": "read write follow", "client_id": app["client_id"]}
    )

    context = browser.new_context(viewport=viewport, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server.url, "tooter", lands_on=None)
    page.goto(f"{live_server.url}/oauth/authorize/?{query}")

    # The site's page: its top bar and stylesheet, the question in the reader's language, styled buttons.
    assert page.locator("header.topbar a.brand").count() == 1
    assert page.locator("h1").inner_text() == words["ask"]
    allow = page.locator("button[name=allow]")
    assert allow.inner_text() == words["allow"]
    assert allow.evaluate("b => getComputedStyle(b).borderRadius") != "0px"
    assert page.locator("ul.oauth-scopes li").count() == 3
    shoot(page, f"oauth-consent-{ui}-{viewport['width']}")

    allow.click()
    page.wait_for_selector("#oauth-code")
    assert page.locator("h1").inner_text() == words["code"]
    code = page.input_value("#oauth-code")
    assert len(code) >= 20
    copy = page.locator("button[data-copy]")
    assert copy.inner_text() == words["copy"]
    copy.click()
    page.wait_for_function("b => b.textContent.trim() === b.dataset.copied", arg=copy.element_handle())
    assert copy.inner_text() == words["copied"]
    assert page.evaluate("navigator.clipboard.readText()") == code
    shoot(page, f"oauth-code-{ui}-{viewport['width']}")
    context.close()

    # The copied code signs the app in.
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": OOB,
        },
        timeout=30,
    ).json()
    me = requests.get(
        f"{live_server.url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=30,
    ).json()
    assert me["username"] == "tooter"
