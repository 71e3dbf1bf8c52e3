"""Per-request middleware: the request's country is known to every read path while it runs, and only then."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from core.geo import viewer_country
from web.middleware import CountryMiddleware

TH_IP = "1.46.0.1"


def test_country_middleware_keeps_the_ip_country_for_the_request(make_user):
    seen = {}

    def view(request):
        seen["anonymous"] = viewer_country(None)
        seen["user"] = viewer_country(request.user)
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR=TH_IP)
    request.user = make_user(region="US")
    CountryMiddleware(view)(request)
    assert seen == {"anonymous": "TH", "user": "TH"}
    assert viewer_country(None) is None  # reset when the request is done


def test_private_addresses_fall_back_to_the_profile(make_user):
    seen = {}

    def view(request):
        seen["user"] = viewer_country(request.user)
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")
    request.user = make_user(region="TH")
    CountryMiddleware(view)(request)
    assert seen["user"] == "TH"
