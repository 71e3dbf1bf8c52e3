"""A database that cannot be reached is answered 503 with Retry-After (core/db_outage.py), JSON under /api/;
any other error is still a 500. The outage is real: the connection is pointed where no database is."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from core.db_outage import server_error
from tests.servers import database_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_api_request_while_the_database_is_down_is_told_to_retry(settings):
    settings.DB_RETRY_AFTER_S = 7
    client = Client(raise_request_exception=False)
    with database_unreachable():
        response = client.get("/api/v1/timelines/public")
        page = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Cache-Control"] == "no-store"
    assert "try again" in response.json()["error"]
    assert page.status_code == 503
    assert page["Retry-After"] == "7"
    assert page["Content-Type"].startswith("text/plain")
    # Once the database answers, so does the site.
    assert client.get("/api/v1/timelines/public").status_code == 200


def test_the_message_is_translated(settings):
    client = Client(raise_request_exception=False)
    with database_unreachable():
        response = client.get("/api/v1/timelines/public", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 503
    assert "try again" not in response.json()["error"]


def test_any_other_error_is_still_a_500():
    request = RequestFactory().get("/api/v1/timelines/public")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
