"""Why a field has no translation, said to the reader in their own language.

Engines and validation report failures in operator terms ("llm: primary: length ratio 0.11 outside
0.4-2.6", "libretranslate: HTTP 503"); operators keep those on the job (``TranslationJob.last_error``,
the operator page). A reader gets a short code and a sentence in the interface language instead:
``classify(raw)`` maps the first to a code, ``message(code)`` gives the sentence, and ``retryable(code)``
says whether asking again can help.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

NO_ENGINE = "no_engine"  # nothing but the word gloss (or nothing at all) for this language pair
UNSUPPORTED = "unsupported"  # not a content language of this instance
TOO_LONG = "too_long"
REJECTED = "rejected"  # an engine answered, and its answer did not pass validation
UNAVAILABLE = "unavailable"  # engines down, unreachable, slow or crashed
FAILED = "failed"
PREPARING = "preparing"  # the local engine for this pair is being built and installed (preparation.py)
OFF = "off"  # the local engine would translate this pair, and the operator turned it off

CODES = (NO_ENGINE, UNSUPPORTED, TOO_LONG, REJECTED, UNAVAILABLE, FAILED, PREPARING, OFF)

# What validation (translation/validation.py, spans.py) and the remote engines say about an answer
# they refuse; any of these means an engine did answer.
_REJECTED = re.compile(
    r"length ratio|output language|untranslated|placeholder|spans? (lost|changed|missing)|lost span|"
    r"reads as an answer|prompt|capitals|another script|latin script|more lines|empty output|"
    r"not a string|repeats|dropped|verbatim|nothing to gloss",
    re.IGNORECASE,
)
_UNAVAILABLE = re.compile(
    r"HTTP \d|unreachable|timed? ?out|not JSON|malformed|too large|no answer|crashed|failed to answer|"
    r"not configured|not installed",
    re.IGNORECASE,
)


def classify(raw: str) -> str:
    """The reader-facing code for an engine or service error (an empty error is a plain failure)."""
    text = raw or ""
    if "unsupported target" in text:
        return UNSUPPORTED
    if "too long" in text:
        return TOO_LONG
    if "switched off" in text:
        return OFF
    if "no translation engine" in text:
        return NO_ENGINE
    if _REJECTED.search(text):
        return REJECTED
    if _UNAVAILABLE.search(text):
        return UNAVAILABLE
    return FAILED


def message(code: str) -> str:
    """One sentence for the reader, in the active interface language."""
    messages = {
        NO_ENGINE: _("This server cannot translate this language yet."),
        UNSUPPORTED: _("Translation into this language is not offered here."),
        TOO_LONG: _("This text is too long to translate."),
        REJECTED: _("The machine translation did not pass our checks, so it is not shown."),
        UNAVAILABLE: _("The translation engine cannot be reached right now."),
        FAILED: _("The translation did not work this time."),
        PREPARING: _("The translation engine is being prepared. Try again in a few minutes."),
        OFF: _("Machine translation of this language is switched off on this server."),
    }
    return messages.get(code, messages[FAILED])


def preparing_message(percent: int) -> str:
    """The "being prepared" sentence with how far the preparation is."""
    return _("The translation engine is being prepared (%(percent)s%% done). Try again in a few minutes.") % {
        "percent": percent
    }


def retryable(code: str) -> bool:
    """Asking again can help (an engine was down, or may answer better next time, or is being prepared)."""
    return code in (REJECTED, UNAVAILABLE, FAILED, PREPARING)
