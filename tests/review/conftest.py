from __future__ import annotations

import pytest

from tests.review.fixtures import admin_user, post, reviewer  # noqa: F401  (fixtures, shared with tests/api and tests/web)


@pytest.fixture(autouse=True)
def _no_llm(settings):
    # The LLM second opinion needs a model file; review tests that want it install a fake chat function.
    settings.REVIEW_USE_LLM = True
