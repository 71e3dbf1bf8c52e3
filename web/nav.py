"""Extra links in the site navigation (the review console, operators' pages...).

    from web.nav import register_nav_link
    register_nav_link("web:review_console", _("Review"), staff_only=True)

``WebConfig.ready()`` registers them (domain apps do not import ``web``). Templates can also extend the
``nav_extra`` block of base.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str | Promise
    staff_only: bool = False


_links: list[NavLink] = []


def register_nav_link(url_name: str, label: str | Promise, *, staff_only: bool = False) -> None:
    if not any(link.url_name == url_name for link in _links):
        _links.append(NavLink(url_name, label, staff_only))


def links_for(user: object) -> list[dict[str, str | Promise]]:
    is_staff = bool(getattr(user, "is_staff", False))
    out: list[dict[str, str | Promise]] = []
    for link in _links:
        if link.staff_only and not is_staff:
            continue
        try:
            out.append({"url": reverse(link.url_name), "label": link.label})
        except NoReverseMatch:
            continue
    return out
