"""Schemathesis against the native API's OpenAPI schema: every route, generated valid and invalid input,
as a signed-in user (a reviewer and admin, so role checks pass and the routes' own code runs) and as
an anonymous reader. It fails when a route answers a status or a body its schema does not document, or
a 5xx. Runs on both deployments with the rest of the suite (seeded, so a failure reproduces)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from notebridge.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/nb/v1/openapi.json", application)

EXAMPLES = 12
# Not checked: that every schema-valid request is accepted. Services hold rules a schema cannot say (a
# note needs a title or a text; ids must name something the caller may see), and answer 422 or 404.


@pytest.fixture
def _keep_the_test_connection():
    """Requests go through the WSGI application, which closes the database connection when a request
    ends; the test's transaction lives on it (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, make_user, _keep_the_test_connection):
    from api.services import issue_token
    from review.models import Reviewer

    admin = make_user("fuzz_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    Reviewer.objects.create(user=admin, languages=["en", "zh-Hans"], regions=[], senior=True)
    _token, raw = issue_token(user=admin, application=None, scopes=["read", "write"])
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_native_api_answers_what_its_schema_says(case, admin_token):
    for headers in ({"Authorization": f"Bearer {admin_token}"}, {}):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
