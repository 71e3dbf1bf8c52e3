"""Extra links in the site navigation (the review console, operators' pages...).

    from web.nav import register_nav_link
    register_nav_link("web:review_console", _("Review"), audience=REVIEWERS)

``WebConfig.ready()`` registers them (domain apps do not import ``web``). Templates can also extend the
``nav_extra`` block of base.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from review.permissions import is_reviewer

EVERYONE, STAFF, REVIEWERS = "everyone", "staff", "reviewers"  # reviewers: staff, and appointed reviewers


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str | Promise
    audience: str = EVERYONE


_links: list[NavLink] = []


def register_nav_link(
    url_name: str, label: str | Promise, *, staff_only: bool = False, audience: str = EVERYONE
) -> None:
    if not any(link.url_name == url_name for link in _links):
        _links.append(NavLink(url_name, label, STAFF if staff_only else audience))


def _shown_to(link: NavLink, user: object) -> bool:
    is_staff = bool(getattr(user, "is_staff", False))
    if link.audience == STAFF:
        return is_staff
    if link.audience == REVIEWERS:
        return is_staff or reviews(user)
    return True


def reviews(user: object) -> bool:
    """Whether to show the reviewer's links. A page's user comes with the role already loaded
    (web/backends.py), so this costs no query."""
    return is_reviewer(user)


def links_for(user: object) -> list[dict[str, str | Promise]]:
    out: list[dict[str, str | Promise]] = []
    for link in _links:
        if not _shown_to(link, user):
            continue
        try:
            out.append({"url": reverse(link.url_name), "label": link.label})
        except NoReverseMatch:
            continue
    return out
