"""Sign-up rules as operators write them: checked before they are kept, matched safely afterwards.

A rule is an address range (CIDR), an e-mail domain (with its subdomains) or a username pattern. The
username pattern is a regular expression, so an operator can say "ends in four digits" (``\\d{4}$``),
but only from the part of the language that cannot backtrack catastrophically: no backreferences or
lookarounds, and nothing repeated inside a repetition except single characters or fixed strings of
them (``(a+)+``, ``(a|aa)*`` and ``(.*x)*`` take exponential time on a crafted name; ``[a-z]+\\d+``
and ``(ab)+`` do not). A few unbounded repetitions stay polynomial on a name of at most 30 characters.
Rules saved before this check (through the admin) are checked again when they are read, and an unsafe
one is skipped rather than run.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from django.utils.translation import gettext as _

from core.errors import ServiceError

MAX_PATTERN = 100
MAX_UNBOUNDED = 4  # unbounded repetitions in one pattern
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")

# Parse-tree nodes that match exactly one character: safe to repeat.
_ONE_CHAR = {"LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_REFUSED = {"GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"}


class UnsafePattern(ValueError):
    pass


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _fixed(items: Any) -> bool:
    """A sequence that matches one fixed run of single characters (no choice, no repetition)."""
    for op, value in items:
        name = _name(op)
        if name in _ONE_CHAR or name == "AT":
            continue
        if name == "SUBPATTERN":
            if not _fixed(value[-1]):
                return False
            continue
        return False
    return True


def _walk(items: Any, counts: dict[str, int]) -> None:
    for op, value in items:
        name = _name(op)
        if name in _REFUSED:
            raise UnsafePattern(name)
        if name in _REPEATS:
            _low, high, body = value
            if high == sre_parse.MAXREPEAT:
                counts["unbounded"] += 1
            if high > 1 and not _fixed(body):
                raise UnsafePattern("repetition of a repetition or a choice")
            _walk(body, counts)
        elif name == "SUBPATTERN":
            _walk(value[-1], counts)
        elif name == "BRANCH":
            for branch in value[1]:
                _walk(branch, counts)


@lru_cache(maxsize=256)
def safe_regex(pattern: str) -> re.Pattern[str]:
    """The compiled pattern, or ``UnsafePattern`` / ``re.error`` when it may not be used."""
    if len(pattern) > MAX_PATTERN:
        raise UnsafePattern("too long")
    tree = sre_parse.parse(pattern, re.IGNORECASE)
    counts = {"unbounded": 0}
    _walk(tree, counts)
    if counts["unbounded"] > MAX_UNBOUNDED:
        raise UnsafePattern("too many unbounded repetitions")
    return re.compile(pattern, re.IGNORECASE)


def clean(kind: str, pattern: str) -> str:
    """The pattern as it will be kept, or ``ServiceError`` (field ``pattern``) saying what is wrong."""
    text = (pattern or "").strip()
    if not text:
        raise ServiceError(_("Enter a pattern."), field="pattern", code="invalid")
    if len(text) > MAX_PATTERN:
        raise ServiceError(
            _("A pattern has at most %(n)s characters.") % {"n": MAX_PATTERN}, field="pattern", code="invalid"
        )
    if kind == "ip":
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ServiceError(
                _("Not an address range: write it as 203.0.113.0/24 or 2001:db8::/32."), field="pattern", code="invalid"
            ) from None
    if kind == "email_domain":
        domain = text.lower().lstrip("@").removeprefix("*.").rstrip(".")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            domain = ""
        if not DOMAIN.match(domain):
            raise ServiceError(_("Not an e-mail domain: write it as example.com."), field="pattern", code="invalid")
        return domain
    if kind == "username":
        try:
            safe_regex(text)
        except re.error:
            raise ServiceError(_("Not a valid pattern."), field="pattern", code="invalid") from None
        except UnsafePattern:
            raise ServiceError(
                _(
                    "This pattern could take too long to match (repetitions inside repetitions, choices inside "
                    "repetitions, backreferences or lookarounds). Write a simpler one, such as ^shop[0-9]+$."
                ),
                field="pattern",
                code="unsafe",
            ) from None
        return text
    raise ServiceError(_("Unknown kind of rule."), field="kind", code="invalid")
