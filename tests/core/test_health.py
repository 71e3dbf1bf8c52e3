"""Liveness and readiness (core/health.py): what a supervisor and a load balancer ask."""

from __future__ import annotations

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.django_db


def test_liveness_touches_no_database_and_answers_any_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a probe by address, not a configured host
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_checks_the_database_the_cache_or_redis_and_the_queue(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    expected = {"database", "queue", "redis" if settings.REDIS_URL else "cache"}
    assert set(body["checks"]) == expected
    assert all(check["ok"] for check in body["checks"].values())
    assert set(body["checks"]["queue"]["depth"]) == {"default", "high", "low", "media", "translation", "review"}


def test_readiness_names_redis_when_it_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis", "queue"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert "127.0.0.1" not in response.content.decode()  # where things run goes to the log, not the body
