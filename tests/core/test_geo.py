"""The viewer's country: the request IP's (offline iptocc data), else the profile's region."""

from __future__ import annotations

from django.test import RequestFactory

from core.geo import client_ip, country_for_ip, reset_ip_country, set_ip_country, viewer_country

TH_IP, GB_IP, US_IP = "1.46.0.1", "81.2.69.142", "8.8.8.8"


def test_country_for_ip():
    assert country_for_ip(TH_IP) == "TH"
    assert country_for_ip(GB_IP) == "GB"
    for bad in ["", None, "not-an-ip", "127.0.0.1", "10.1.2.3", "::1", "999.1.1.1", "1.2.3.4\x00"]:
        assert country_for_ip(bad) == ""


def test_client_ip_trusts_x_forwarded_for_only_when_told(settings):
    request = RequestFactory().get("/", REMOTE_ADDR=US_IP, HTTP_X_FORWARDED_FOR=f"{TH_IP}, 10.0.0.1")
    settings.REVIEW_TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == US_IP
    settings.REVIEW_TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == TH_IP


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
