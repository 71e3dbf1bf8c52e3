"""The viewer's country: the request IP's (offline iptocc data), else the profile's region."""

from __future__ import annotations

from django.test import RequestFactory

from core.geo import country_for_ip, reset_ip_country, set_ip_country, viewer_country
from core.network import client_ip

TH_IP, GB_IP, US_IP = "1.46.0.1", "81.2.69.142", "8.8.8.8"


def test_country_for_ip():
    assert country_for_ip(TH_IP) == "TH"
    assert country_for_ip(GB_IP) == "GB"
    for bad in ["", None, "not-an-ip", "127.0.0.1", "10.1.2.3", "::1", "999.1.1.1", "1.2.3.4\x00"]:
        assert country_for_ip(bad) == ""


def test_the_country_is_read_from_the_address_rate_limits_use(settings):
    """X-Forwarded-For counts only from a trusted proxy, read right to left: a client cannot pick the
    country its content is withheld by writing the header itself."""
    straight = RequestFactory().get("/", REMOTE_ADDR=US_IP, HTTP_X_FORWARDED_FOR=TH_IP)
    settings.TRUSTED_PROXIES = []
    assert country_for_ip(client_ip(straight)) == "US"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert country_for_ip(client_ip(straight)) == "US"  # the peer is no proxy: its header is ignored
    proxied = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{GB_IP}, {TH_IP}")
    assert country_for_ip(client_ip(proxied)) == "TH"  # GB was written by the client, before the proxy's entry


def test_viewer_country_is_the_ip_country_else_the_profile_region(make_user):
    thai, nowhere = make_user(region="th"), make_user(region="")
    assert viewer_country(thai) == "TH"
    assert viewer_country(nowhere) is None and viewer_country(None) is None
    token = set_ip_country("GB")
    try:
        assert viewer_country(thai) == "GB" and viewer_country(None) == "GB"
    finally:
        reset_ip_country(token)
    assert viewer_country(None) is None
