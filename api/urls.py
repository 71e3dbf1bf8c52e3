"""URLs of both APIs: Mastodon-compatible (/api/v1, /api/v2, /oauth) and native (/api/nb/v1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, re_path
from django.urls import path as django_path

from api.http import methods
from api.mastodon import (
    accounts,
    apps,
    instance,
    media,
    notifications,
    reports,
    statuses,
    tags,
    timelines,
    translate,
    trends,
)
from api.native import api as native_api

S = "<str:status_id>"
A = "<str:account_id>"


def path(route: str, view: Callable[..., Any], name: str | None = None) -> URLPattern:
    """Like Django's ``path``, but a trailing slash is optional (Mastodon.py asks for /api/v1/instance/)."""
    regex = re.sub(r"<str:(\w+)>", r"(?P<\1>[^/]+)", route)
    return re_path(f"^{regex}/?$", view, name=name)


mastodon = [
    # Timelines first: Django tries the patterns in order, and the home timeline is the most requested
    # route (about 45 regular expressions fewer per request). No other pattern here starts with
    # api/v1/timelines, so the order changes which view answers nothing.
    path("api/v1/timelines/home", timelines.home),
    path("api/v1/timelines/public", timelines.public),
    path("api/v1/timelines/tag/<str:hashtag>", timelines.tag),
    # apps and OAuth
    path("api/v1/apps", apps.create_app),
    path("api/v1/apps/verify_credentials", apps.verify_app),
    path("oauth/authorize", apps.Authorize.as_view(), name="oauth-authorize"),
    path("oauth/token", apps.Token.as_view(), name="oauth-token"),
    path("oauth/revoke", apps.Revoke.as_view(), name="oauth-revoke"),
    # accounts
    path("api/v1/accounts", methods(POST=accounts.register, GET=accounts.show_many)),
    path("api/v1/accounts/verify_credentials", accounts.verify_credentials),
    path("api/v1/accounts/update_credentials", accounts.update_credentials),
    path("api/v1/accounts/relationships", accounts.relationships),
    path("api/v1/accounts/lookup", accounts.lookup),
    path("api/v1/accounts/search", accounts.search),
    path(f"api/v1/accounts/{A}", accounts.show),
    path(f"api/v1/accounts/{A}/statuses", accounts.statuses),
    path(f"api/v1/accounts/{A}/followers", accounts.followers),
    path(f"api/v1/accounts/{A}/following", accounts.following),
    path(f"api/v1/accounts/{A}/follow", accounts.follow),
    path(f"api/v1/accounts/{A}/unfollow", accounts.unfollow),
    path(f"api/v1/accounts/{A}/block", accounts.block),
    path(f"api/v1/accounts/{A}/unblock", accounts.unblock),
    path(f"api/v1/accounts/{A}/mute", accounts.mute),
    path(f"api/v1/accounts/{A}/unmute", accounts.unmute),
    path("api/v1/blocks", accounts.blocks),
    path("api/v1/mutes", accounts.mutes),
    path("api/v1/suggestions", accounts.suggestions_v1),
    path("api/v2/suggestions", accounts.suggestions_v2),
    path(f"api/v1/suggestions/{A}", accounts.dismiss_suggestion),
    # tags
    path("api/v1/tags/<str:name>", tags.show),
    path("api/v1/tags/<str:name>/follow", tags.follow),
    path("api/v1/tags/<str:name>/unfollow", tags.unfollow),
    path("api/v1/followed_tags", tags.followed),
    # statuses
    path("api/v1/statuses", methods(POST=statuses.create, GET=statuses.show_many)),
    path(f"api/v1/statuses/{S}", methods(GET=statuses.show, DELETE=statuses.delete, PUT=statuses.update)),
    path(f"api/v1/statuses/{S}/source", statuses.source),
    path(f"api/v1/statuses/{S}/context", statuses.context),
    path(f"api/v1/statuses/{S}/favourite", statuses.favourite),
    path(f"api/v1/statuses/{S}/unfavourite", statuses.unfavourite),
    path(f"api/v1/statuses/{S}/bookmark", statuses.bookmark),
    path(f"api/v1/statuses/{S}/unbookmark", statuses.unbookmark),
    path(f"api/v1/statuses/{S}/reblog", statuses.reblog),
    path(f"api/v1/statuses/{S}/favourited_by", statuses.favourited_by),
    path(f"api/v1/statuses/{S}/reblogged_by", statuses.reblogged_by),
    path(f"api/v1/statuses/{S}/translate", translate.translate),
    path("api/v1/favourites", statuses.favourites),
    path("api/v1/bookmarks", statuses.bookmarks),
    # media
    path("api/v1/media", media.upload),
    path("api/v2/media", media.upload),
    path("api/v1/media/<str:media_id>", methods(GET=media.show, PUT=media.update)),
    # notifications
    path("api/v1/notifications", notifications.index),
    path("api/v1/notifications/clear", notifications.clear),
    path("api/v1/notifications/unread_count", notifications.unread_count),
    path("api/v1/notifications/<str:notification_id>", notifications.show),
    path("api/v1/notifications/<str:notification_id>/dismiss", notifications.dismiss),
    # reports (reviewers handle them through admin/reports)
    path("api/v1/reports", reports.create),
    path("api/v1/admin/reports", reports.admin_index),
    path("api/v1/admin/reports/<str:report_id>", reports.admin_show),
    path("api/v1/admin/reports/<str:report_id>/<str:action>", reports.admin_action),
    # search, instance and start-up calls
    path("api/v2/search", instance.search_v2),
    path("api/v1/instance", instance.instance_v1),
    path("api/v2/instance", instance.instance_v2),
    path("api/v1/instance/languages", instance.instance_languages),
    path("api/v1/instance/translation_languages", translate.translation_languages),
    path("api/v1/custom_emojis", instance.empty_list),
    path("api/v1/filters", instance.empty_list),
    path("api/v2/filters", instance.empty_list),
    path("api/v1/lists", instance.empty_list),
    path("api/v1/announcements", instance.empty_list),
    path("api/v1/follow_requests", instance.empty_list),
    # Apps open these at start-up or on a tab (Tusky, Ivory, Elk): a 404 shows as an error there.
    path("api/v1/conversations", instance.empty_list),
    path("api/v1/scheduled_statuses", instance.empty_list),
    path("api/v1/domain_blocks", instance.empty_list),
    path("api/v1/endorsements", instance.empty_list),
    path("api/v1/featured_tags", instance.empty_list),
    path("api/v1/instance/rules", instance.empty_list),
    path("api/v1/instance/peers", instance.empty_list),
    path("api/v1/markers", instance.markers),
    path("api/v1/preferences", instance.preferences),
    path("api/v1/trends", trends.tags),
    path("api/v1/trends/tags", trends.tags),
    path("api/v1/trends/statuses", trends.statuses),
    path("api/v1/trends/links", trends.links),
]

urlpatterns: list = [*mastodon, django_path("api/nb/v1/", native_api.urls)]
