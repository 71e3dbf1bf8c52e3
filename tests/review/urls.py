"""URLconf for review tests: the project's URLs plus the review URLs and the native router, mounted the
way the lead mounts them (until main includes them itself)."""

from django.urls import include, path
from ninja import NinjaAPI

from notebridge.urls import urlpatterns as project_urls
from review.api import router

api = NinjaAPI(urls_namespace="review-test-api")
api.add_router("/review/", router)

urlpatterns = [
    path("", include("review.urls")),
    path("api/nb/v1/", api.urls),
    *project_urls,
]
