"""Trust's codes as words in the viewer's language (review console, pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SIGNALS = {
    "homoglyph": _("look-alike letters from another script"),
    "traditional_simplified": _("same name in Traditional or Simplified Chinese"),
    "lookalike": _("same name once spacing, punctuation and digits are ignored"),
    "same_name": _("identical name"),
    "pinyin": _("pinyin of a Chinese name"),
    "affix": _("name with “official” or similar added"),
    "homophone": _("Chinese name read the same"),
    "fuzzy": _("near-identical spelling"),
    "avatar": _("near-identical profile photo"),
}

SUBJECTS = {
    "display_name": _("name"),
    "username": _("username"),
    "avatar": _("profile photo"),
}


def signal(code: str) -> str:
    label = SIGNALS.get(code)
    return f"{label} ({code})" if label is not None else code


def subject(code: str) -> str:
    label = SUBJECTS.get(code)
    return str(label) if label is not None else code
