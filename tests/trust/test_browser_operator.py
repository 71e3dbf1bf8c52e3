"""The trust operator page in a real browser: it fits a phone (390 px) and a desktop, in English and
Chinese, and its forms work; a refused pattern shows its reason and keeps what was typed."""

from __future__ import annotations

import pytest

from tests.web.conftest import sign_in
from tests.web.test_browser import DESKTOP, MOBILE, browser, shoot  # noqa: F401  (browser is a fixture)
from tests.web.test_browser_rough_edges import _page, _user
from trust.models import SignupRule

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "ui", "viewport"), [("en-US", "en", MOBILE), ("zh-CN", "zh-hans", DESKTOP)])
def test_the_trust_page_fits_and_its_forms_work(live_server, transactional_db, browser, locale, ui, viewport):  # noqa: F811
    _user("tess", staff=True, ui=ui)
    url = live_server.url
    context, page = _page(browser, viewport, locale=locale)
    sign_in(page, url, "tess")
    page.goto(f"{url}/ops/trust/")
    assert page.locator("h1").inner_text() == ("Trust and safety" if ui == "en" else "信任与安全")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shoot(page, f"ops-trust-{ui}-{'mobile' if viewport is MOBILE else 'desktop'}")

    page.fill("input[name=pattern]", "(a+)+$")
    page.select_option("select[name=kind]", "username")
    page.click("button[value=add_rule]")
    page.wait_for_load_state()
    assert page.locator(".flash-error").is_visible()
    assert page.input_value("input[name=pattern]") == "(a+)+$"
    assert not SignupRule.objects.exists()

    page.fill("input[name=pattern]", "203.0.113.9/24")
    page.select_option("select[name=kind]", "ip")
    page.click("button[value=add_rule]")
    page.wait_for_url(f"{url}/ops/trust/")
    assert page.locator("tr[data-rule] code").inner_text() == "203.0.113.0/24"

    page.click("button[value=influx_on]")
    page.wait_for_url(f"{url}/ops/trust/")
    assert page.locator("[data-influx=on]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
