from tests.review.fixtures import admin_user, reviewer  # noqa: F401  (review fixtures: the console shows findings)
