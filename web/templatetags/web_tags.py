"""Template helpers for the web pages: photo placeholders and renditions, compact numbers, times."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import blurhash
from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.countries import country_name
from core.text import linkable_spans
from notes.services import DEFAULT_BOARD_NAME
from web import sources
from web.forms import LANGUAGE_CHOICES

register = template.Library()

FALLBACK_COLOUR = "#eee9e6"


@lru_cache(maxsize=4096)
def _gradient(hash_: str) -> str:
    """A CSS gradient from a blurhash, computed once per hash: the card's colour before the photo loads."""
    try:
        image = blurhash.decode(hash_, 3, 3)
    except (blurhash.BlurhashDecodeError, ValueError, IndexError, TypeError):
        return FALLBACK_COLOUR

    def css(y: int) -> str:
        r, g, b = (max(0, min(255, int(v))) for v in image.getpixel((1, y))[:3])
        return f"#{r:02x}{g:02x}{b:02x}"

    top, middle, bottom = css(0), css(1), css(2)
    return f"linear-gradient(180deg,{top},{middle},{bottom})"


@register.filter
def placeholder(hash_: str | None) -> str:
    return _gradient(hash_) if hash_ else FALLBACK_COLOUR


@register.simple_tag
def photo_img(
    photo: object,
    sizes: str = "50vw",
    css_class: str = "",
    eager: bool = False,
    alt: str | None = None,
    alt_lang: str = "",
    mark: bool = False,
) -> SafeString:
    """An <img> over the thumb (400w) and large (1080w) renditions, lazy unless ``eager``.

    ``alt`` replaces the photo's own alt text (a translation, in ``alt_lang``); ``mark`` adds
    ``data-photo`` so a translation fetched later can be put in place (app.js).
    """
    thumb = getattr(photo, "thumb", None)
    large = getattr(photo, "large", None)
    width = getattr(photo, "width", 0) or 4
    height = getattr(photo, "height", 0) or 5
    src = thumb.url if thumb else (large.url if large else "")
    if not src:
        # Still being processed (the author sees the note meanwhile): its colours, not a broken image.
        return format_html(
            '<span class="photo-pending {}" role="img" aria-label="{}" style="background:{}"></span>',
            css_class,
            gettext("Photo being processed"),
            placeholder(getattr(photo, "blurhash", "")),
        )
    srcset = ", ".join(f"{f.url} {w}w" for f, w in ((thumb, 400), (large, 1080)) if f)
    extra = format_html(' lang="{}"', alt_lang) if alt_lang else SafeString("")
    if mark:
        extra = format_html('{} data-photo="{}"', extra, getattr(photo, "pk", ""))
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} class="{}" loading="{}"'
        ' decoding="async" style="background:{}">',
        src,
        srcset,
        sizes,
        width,
        height,
        (getattr(photo, "alt_text", "") if alt is None else alt) or "",
        extra,
        css_class,
        "eager" if eager else "lazy",
        placeholder(getattr(photo, "blurhash", "")),
    )


@register.filter
def ratio(photo: object) -> str:
    """Height / width of a photo, clamped to the card shapes the waterfall allows (3:4 to 4:3)."""
    width = getattr(photo, "width", 0) or 3
    height = getattr(photo, "height", 0) or 4
    return f"{max(0.75, min(1.333, height / width)):.3f}"


TEXT_COVER_COLOURS = 8  # .tc-0 ... .tc-7 in app.css


@register.filter
def text_cover_class(note: object) -> str:
    """Classes for a text-only note's generated cover: a colour picked by the note's id (the same on
    every page) and a type size by the text's width, counting CJK characters as two."""
    text = str(getattr(note, "title", "") or getattr(note, "body", "") or "")[:70]
    width = sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)
    size = "tc-lg" if width <= 16 else "tc-md" if width <= 36 else "tc-sm"
    return f"tc-{int(getattr(note, 'pk', 0) or 0) % TEXT_COVER_COLOURS} {size}"


@register.filter
def compact(value: int | None) -> str:
    """Counts as people read them: 1,234 -> 1.2k in English, 12,345 -> 1.2万 in Chinese."""
    n = int(value or 0)
    lang = translation.get_language() or "en"
    if lang.startswith("zh"):
        if n >= 10_000:
            return _trim(n / 10_000) + "万"
        return formats.number_format(n, force_grouping=False)
    if n >= 1_000_000:
        return _trim(n / 1_000_000) + "M"
    if n >= 1_000:
        return _trim(n / 1_000) + "k"
    return str(n)


def _trim(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


@register.simple_tag
def when(value: datetime | None) -> SafeString:
    """A <time> in the viewer's time zone and language: relative for the last week, a date after."""
    if value is None:
        return format_html("")
    local = timezone.localtime(value)
    age = timezone.now() - value
    if age < timedelta(days=7):
        label = naturaltime(value)
    elif local.year == timezone.localtime().year:
        label = formats.date_format(local, "MONTH_DAY_FORMAT")
    else:
        label = formats.date_format(local, "DATE_FORMAT")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        formats.date_format(local, "DATETIME_FORMAT"),
        label,
    )


@register.filter
def initial(name: str) -> str:
    return (name or "?")[:1].upper()


@register.filter
def board_name(board: object) -> str:
    """The default board's stock name in the viewer's language; any other name as its owner wrote it."""
    name = str(getattr(board, "name", ""))
    if getattr(board, "is_default", False) and name == DEFAULT_BOARD_NAME:
        return gettext("Saved")
    return name


@register.filter
def duration(seconds: int | float | None) -> str:
    """An age for operators: "45 s", "12 min", "3 h", "2 d"."""
    s = int(seconds or 0)
    if s < 120:
        return gettext("%(n)s s") % {"n": s}
    if s < 7200:
        return gettext("%(n)s min") % {"n": s // 60}
    if s < 172800:
        return gettext("%(n)s h") % {"n": s // 3600}
    return gettext("%(n)s d") % {"n": s // 86400}


@register.filter
def clock(seconds: int | float | None) -> str:
    """A video's length as players show it: "0:07", "2:35", "1:02:03"."""
    s = round(seconds or 0)
    hours, rest = divmod(s, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@register.simple_tag(takes_context=True)
def ip_location(context: template.Context, country: str | None) -> SafeString:
    """ "IP location: <country>" where the viewer's regional pack asks for it (context processor
    ``ip_location_labels``); nothing elsewhere. ``country`` is a code kept at posting time."""
    if not context.get("ip_location_labels"):
        return format_html("")
    return format_html(
        '<span class="ip-location">{}</span>', gettext("IP location: %(country)s") % {"country": country_name(country)}
    )


@register.simple_tag(takes_context=True)
def note_href(context: template.Context, note_id: int) -> str:
    """The link to a note from this page: ``?src=`` names the page for the author's stats (web.sources)."""
    return sources.note_href(context.get("request"), note_id)


@register.filter
def linked_text(text: str | None) -> SafeString:
    """User text (a comment) as HTML: everything escaped, #tags linked to their tag page and @mentions to
    the profile, line breaks kept. A mention links by its name, as the Mastodon API's content does; a
    name nobody holds leads to the profile's 404 page."""
    parts: list[str] = []
    for kind, piece, key in linkable_spans(text or ""):
        if kind == "tag":
            parts.append(f'<a class="hashtag" href="{escape(reverse("web:tag", args=[key]))}">{escape(piece)}</a>')
        elif kind == "mention":
            parts.append(f'<a class="mention" href="{escape(reverse("web:profile", args=[key]))}">{escape(piece)}</a>')
        else:
            parts.append(str(escape(piece)).replace("\n", "<br>"))
    return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)


@register.filter
def is_in(value: object, collection: object) -> bool:
    """``{{ x|is_in:ids }}``: membership, for ``include ... with`` (which takes no ``in`` test)."""
    try:
        return value in collection  # type: ignore[operator]
    except TypeError:
        return False


@register.filter
def language_name(code: str | None) -> str:
    """A content language's name, written in that language ("简体中文"), as the settings page lists them."""
    return dict(LANGUAGE_CHOICES).get(code or "", code or "")
