"""Plain user text to the small HTML subset Mastodon clients render, with tags and mentions linked."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from core.text import MENTION_RE, TAG_RE, normalize_tag

_TOKENS = re.compile(f"{TAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)


def site_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


# Links in entities open the web app's pages (a client opens them in the browser).


def tag_url(name: str) -> str:
    return site_url(reverse("web:tag", args=[name]))


def profile_url(username: str) -> str:
    return site_url(reverse("web:profile", args=[username]))


def note_url(note_id: int) -> str:
    return site_url(reverse("web:note", args=[note_id]))


def comment_url(note_id: int, comment_id: int) -> str:
    return f"{note_url(note_id)}#c{comment_id}"


def linkify(text: str) -> str:
    """Escape ``text`` and link #tags and @mentions (mentions link whether or not the user exists)."""
    out: list[str] = []
    last = 0
    for match in _TOKENS.finditer(text):
        out.append(escape(text[last : match.start()]))
        tag, user = match.group(1), match.group(2)
        if tag is not None:
            key = normalize_tag(tag)
            out.append(
                f'<a href="{escape(tag_url(key))}" class="mention hashtag" rel="tag">#<span>{escape(tag)}</span></a>'
            )
            if len(match.group(0)) > len(tag) + 1:  # the closing '#' of a "#tag#" written RedNote-style
                out.append("#")
        else:
            out.append(
                f'<span class="h-card"><a href="{escape(profile_url(user))}" class="u-url mention">'
                f"@<span>{escape(user)}</span></a></span>"
            )
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def paragraphs(text: str) -> list[str]:
    """Blank lines split paragraphs; single line breaks become <br>."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    return ["<p>" + "<br>".join(linkify(line) for line in block.split("\n")) + "</p>" for block in blocks]


def note_html(title: str, body: str) -> str:
    """A note as status content: the title as a first bold paragraph, then the body's paragraphs."""
    parts = []
    if title:
        parts.append(f"<p><strong>{linkify(title)}</strong></p>")
    parts.extend(paragraphs(body))
    return "".join(parts)


# Hashtags closing a line ("My first hot pot night #food #chengdu"), each after a space.
_TRAILING_TAGS = re.compile(rf"(?:\s+{TAG_RE.pattern})+\s*$", re.UNICODE)


def split_status_text(text: str) -> tuple[str, str]:
    """A Mastodon status posted as a note: (title, body).

    The first line becomes the title when it is short (at most 100 characters) and more text follows;
    otherwise there is no title and everything is the body. Hashtags that close the first line are
    the note's tags, not words of its title: they move to the end of the body (where a note keeps its
    tags), so the title reads as a title and the tags stay tags.
    """
    text = text.replace("\r\n", "\n").strip()
    first, sep, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    if not (sep and rest and 0 < len(first) <= 100):
        return "", text
    trailing = _TRAILING_TAGS.search(" " + first)
    if trailing is None:
        return first, rest
    if trailing.start() == 0:  # nothing but hashtags: no title
        return "", text
    tags = " ".join(trailing.group(0).split())
    joiner = " " if _TRAILING_TAGS.fullmatch(" " + rest.rsplit("\n", 1)[-1]) else "\n\n"
    return first[: trailing.start() - 1].rstrip(), f"{rest}{joiner}{tags}"
