"""Fixtures shared with the API tests: apps and tokens made through the real services."""

from tests.api.conftest import app, token_for  # noqa: F401
