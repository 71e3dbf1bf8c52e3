"""The impersonation detector (docs/trust.md, "Impersonation and verification").

Whenever a display name, handle or avatar is set or changed, the account is compared with the protected
accounts: the verified ones and the most followed. A match is sent to review as an
``ImpersonationSuspected`` event with its evidence; nothing is banned or hidden here.

Names are compared through folded keys:

- ``skeleton``: NFKC, then every character that has a Latin look-alike in Unicode's confusables data
  (UTS #39, through ``confusable_homoglyphs``) replaced by it, case folded. Cyrillic "а" and Greek "ο"
  become "a" and "o"; Han, kana and Hangul are left alone. Mixed scripts alone are no signal: "小红 Lisa"
  is an ordinary name.
- ``loose``: the skeleton with accents dropped, digits and symbols that pass for letters folded
  (0→o, 1/|/!→l, 3→e, 4/@→a, 5/$→s, 7→t), "rn"→"m", "vv"→"w", capital I→l, and every space,
  underscore, dot and other punctuation removed.
- Han text is folded Traditional→Simplified with OpenCC, and read as pinyin (every reading of a
  heteronym) with pypinyin, so 張偉, 张伟, "Zhang Wei", "zhang_wei" and "Wei Zhang" meet.

The pure comparison (``compare_names``) is what bench/impersonation_eval.py measures.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import confusable_homoglyphs
import imagehash
import opencc
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image
from pypinyin import Style, pinyin
from rapidfuzz import fuzz

from accounts.models import User
from core import events
from trust.events import ImpersonationSuspected
from trust.models import AvatarHash, ImpersonationFlag

# Signals, strongest first. Each has a fixed score except ``fuzzy`` (the similarity) and ``avatar``.
SIGNALS = (
    "homoglyph",  # same skeleton, with letters of another script or compatibility forms (Cyrillic а, ｌ)
    "traditional_simplified",  # the same Han name in the other script
    "lookalike",  # the same name once spacing, punctuation, digits standing for letters and case are folded
    "same_name",  # exactly the same display name
    "pinyin",  # a Latin name that is the pinyin of a Han name (either order of surname and given name)
    "affix",  # the protected name with "official", "real", 官方, 本人 ... added
    "homophone",  # a Han name of 3+ characters read the same with one character swapped
    "fuzzy",  # a near-identical long name (rapidfuzz ratio over the loose keys)
    "avatar",  # a near-identical avatar (perceptual hash distance)
)
SCORES = {
    "homoglyph": 0.98,
    "traditional_simplified": 0.97,
    "lookalike": 0.95,
    "same_name": 0.9,
    "pinyin": 0.9,
    "affix": 0.88,
    "homophone": 0.85,
}

DEFAULTS: dict[str, Any] = {
    # How many of the most-followed accounts are protected besides the verified ones, and how many
    # followers an account needs to count among them.
    "top_followed": 100,
    "min_followers": 20,
    # Fuzzy similarity: rapidfuzz ratio (0-100) over the loose keys, only for keys this long or longer.
    "fuzzy_threshold": 92,
    "fuzzy_min_length": 8,
    # A pinyin match needs a Latin name of at least this many letters, or written as separate syllables
    # ("Li Na"): "Lina" alone is a Western name, not the pinyin of 李娜.
    "pinyin_min_length": 6,
    # Avatars: pHash Hamming distance (of 64 bits) at or under which two avatars are the same picture.
    "avatar_max_distance": 6,
    # Findings below this score are not sent to review.
    "flag_score": 0.8,
    # When an account is verified, accounts that joined this many days before are compared with it
    # (0: all accounts).
    "recheck_days": 90,
    # The most-followed set is compared with its last snapshot at most this often (trust.most_followed):
    # an account that enters it is compared with the accounts that joined in the last recheck_days.
    "most_followed_check_s": 600,
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "TRUST_IMPERSONATION", {})}


# --- folding ----------------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LEET_MAP = {"0": "o", "1": "l", "|": "l", "!": "l", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t"}
_AFFIXES = ("official", "offical", "real", "the", "iam", "hq", "team", "官方", "本人", "正版", "真")
_t2s = opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _confusable_table() -> dict[str, str]:
    """Each non-ASCII character with a Latin letter or digit look-alike -> that look-alike (lower case)."""
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or _EAST_ASIAN.match(char):
            continue
        for glyph in glyphs:
            c = glyph["c"]
            if len(c) == 1 and c.isascii() and c.isalnum():
                table[char] = c
                break
    return table


def warm() -> None:
    """What every check loads, loaded once in a task worker before it forks (core/warmup.py): the
    confusables table (about 25 ms of JSON) and the pinyin and OpenCC dictionaries' first use."""
    Name.of("張偉 Zhang Wei")


def skeleton(text: str) -> str:
    table = _confusable_table()
    text = unicodedata.normalize("NFKC", text)
    return "".join(table.get(ch, ch) for ch in text).casefold()


def uses_lookalike_letters(text: str) -> bool:
    """True when NFKC or the confusables table changes a character: another script's look-alike letter,
    a full-width or mathematical form."""
    table = _confusable_table()
    nfkc = unicodedata.normalize("NFKC", text)
    return nfkc != text or any(ch in table for ch in nfkc)


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _fold_leet(text: str, one_as: str) -> str:
    """Digits and symbols that pass for letters, only next to a Latin letter ("Tremb1ay", not "2024!")."""
    out = []
    for i, ch in enumerate(text):
        mapped = _LEET_MAP.get(ch)
        if mapped is not None and any(
            0 <= j < len(text) and text[j].isascii() and text[j].isalpha() for j in (i - 1, i + 1)
        ):
            out.append(one_as if mapped == "l" and ch != "I" and one_as else mapped)
        else:
            out.append(ch)
    return "".join(out)


def loose(text: str, *, one_as: str = "") -> str:
    table = _confusable_table()
    text = unicodedata.normalize("NFKC", text)
    text = "".join(table.get(ch, ch) for ch in text).replace("I", "l").casefold()
    text = _fold_leet(_strip_marks(text), one_as)
    text = text.replace("rn", "m").replace("vv", "w")
    return "".join(ch for ch in text if ch.isalnum())


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def _readings(han: str, limit: int = 32) -> list[list[str]]:
    """Every pinyin reading (toneless, ü as v) of a Han string, syllable by syllable, at most ``limit``."""
    per_char = pinyin(han, style=Style.NORMAL, heteronym=True, errors="ignore")
    options = [sorted({s.replace("ü", "v") for s in alts}) for alts in per_char if alts]
    out = []
    for combo in itertools.product(*options):
        out.append(list(combo))
        if len(out) >= limit:
            break
    return out


def pinyin_forms(han: str) -> set[str]:
    """Latin spellings of a Han name: every reading run together, and given name before surname."""
    simplified = "".join(_HAN.findall(_t2s.convert(han)))
    if not simplified:
        return set()
    forms = set()
    for syllables in _readings(simplified):
        forms.add("".join(syllables))
        forms.add("".join(syllables).replace("v", "u"))
        if len(syllables) >= 2:
            forms.add("".join(syllables[1:] + syllables[:1]))
            if len(syllables) >= 3:  # a two-character surname (欧阳, 司马) moved to the end
                forms.add("".join(syllables[2:] + syllables[:2]))
    return forms


@dataclass(frozen=True)
class Finding:
    signal: str
    score: float
    detail: str


@dataclass
class Name:
    """A name with its folded keys, computed once."""

    raw: str
    skeleton: str = ""
    loose: str = ""
    loose_i: str = ""  # the loose key with 1, | and ! read as i instead of l ("Pr1ya")
    plain: str = ""  # the skeleton without accents, spaces or punctuation, no digit or I folding
    simplified: str = ""
    han: bool = False
    latin_words: int = 0
    pinyin: set[str] = field(default_factory=set)
    han_only: str = ""  # the Han characters alone, folded to Simplified (the homophone signal)
    # The loose key with up to two affixes of officialness taken off either end (3+ characters left), with
    # the affixes taken (the affix signal): computed once per name rather than once per pair compared.
    cores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, raw: str) -> Name:
        raw = (raw or "").strip()
        han = has_han(raw)
        simplified = loose(_t2s.convert(raw)) if han else ""
        skel = skeleton(raw)
        words = [w for w in re.split(r"[\s_.\-·,]+", skel) if w and w.isascii() and w.isalpha()]
        key = loose(raw)
        return cls(
            raw=raw,
            skeleton=skel,
            loose=key,
            loose_i=loose(raw, one_as="i"),
            plain="".join(ch for ch in _strip_marks(skel) if ch.isalnum()),
            simplified=simplified,
            han=han,
            latin_words=len(words),
            pinyin=pinyin_forms(raw) if han else set(),
            han_only="".join(_HAN.findall(_t2s.convert(raw))) if han else "",
            cores=tuple((core, tuple(taken)) for core, taken in _strip_affixes(key) if len(core) >= 3),
        )


def _long_enough(key: str) -> bool:
    return len(key) >= (2 if has_han(key) else 3)


def _strip_affixes(key: str, most: int = 2) -> list[tuple[str, list[str]]]:
    """Every way of taking up to ``most`` affixes of officialness off either end of ``key``."""
    found: list[tuple[str, list[str]]] = []
    frontier: list[tuple[str, list[str]]] = [(key, [])]
    for _ in range(most):
        nxt = []
        for current, taken in frontier:
            for affix in _AFFIXES:
                if current.startswith(affix) and len(current) > len(affix):
                    nxt.append((current[len(affix) :], [*taken, affix]))
                if current.endswith(affix) and len(current) > len(affix):
                    nxt.append((current[: -len(affix)], [*taken, affix]))
        found.extend(nxt)
        frontier = nxt
    return found


def compare_names(candidate: Name, protected: Name, cfg: dict[str, Any] | None = None) -> Finding | None:
    """The strongest signal that ``candidate`` imitates ``protected``, or None."""
    cfg = cfg or config()
    c, p = candidate, protected
    if not c.loose or not p.loose or not _long_enough(p.loose) or not _long_enough(c.loose):
        return None
    if c.raw == p.raw:
        return Finding("same_name", SCORES["same_name"], f"{c.raw}")
    if c.skeleton == p.skeleton or c.loose == p.loose or c.loose_i == p.loose:
        if uses_lookalike_letters(c.raw) and not uses_lookalike_letters(p.raw):
            return Finding("homoglyph", SCORES["homoglyph"], f"skeleton {c.skeleton!r} = {p.skeleton!r}")
        return Finding("lookalike", SCORES["lookalike"], f"folded {c.loose!r} = {p.loose!r}")
    if c.han and p.han and c.simplified == p.simplified:
        return Finding("traditional_simplified", SCORES["traditional_simplified"], f"simplified {c.simplified!r}")
    # Pinyin: a Latin name against a Han one, either way round.
    for latin, han in ((c, p), (p, c)):
        if latin.han or not han.han or not latin.loose.isascii():
            continue
        spaced = latin.latin_words >= 2
        for key in (latin.plain, latin.loose):
            if (spaced or len(key) >= cfg["pinyin_min_length"]) and key in han.pinyin:
                return Finding("pinyin", SCORES["pinyin"], f"{key!r} reads as {han.raw!r}")
    # The protected name (or its pinyin) with words of officialness around it ("The Real ...", "... 官方").
    for core, affixes in c.cores:
        if core == p.loose or core == p.simplified or core in p.pinyin:
            return Finding("affix", SCORES["affix"], f"{core!r} + {' + '.join(repr(a) for a in affixes)}")
    # Homophones: a distinctive (3+ character) Han name with one character swapped for one read the same.
    c_han, p_han = c.han_only, p.han_only
    if len(p_han) >= 3 and len(c_han) == len(p_han) and c.loose == c_han and p.loose == p_han:
        if sum(a != b for a, b in zip(c_han, p_han, strict=True)) == 1 and c.pinyin & p.pinyin:
            return Finding("homophone", SCORES["homophone"], f"{c_han!r} and {p_han!r} read the same")
    # Fuzzy: near-identical long Latin keys.
    if min(len(c.loose), len(p.loose)) >= cfg["fuzzy_min_length"] and c.loose.isascii() and p.loose.isascii():
        ratio = fuzz.ratio(c.loose, p.loose)
        if ratio >= cfg["fuzzy_threshold"]:
            return Finding("fuzzy", round(ratio / 100, 3), f"ratio {ratio:.1f} of {c.loose!r} and {p.loose!r}")
    return None


def compare_avatars(candidate_hash: str, protected_hash: str, cfg: dict[str, Any] | None = None) -> Finding | None:
    cfg = cfg or config()
    if not candidate_hash or not protected_hash:
        return None
    distance = imagehash.hex_to_hash(candidate_hash) - imagehash.hex_to_hash(protected_hash)
    if distance > cfg["avatar_max_distance"]:
        return None
    return Finding("avatar", round(1 - distance / 64, 3), f"pHash distance {distance} of 64")


# --- accounts ---------------------------------------------------------------------------------------


def avatar_phash(user: User) -> str:
    """The user's avatar pHash, kept in AvatarHash and recomputed when the avatar file changes."""
    if not user.avatar:
        AvatarHash.objects.filter(user=user).delete()
        return ""
    row = AvatarHash.objects.filter(user=user).first()
    if row is not None and row.avatar_name == user.avatar.name:
        return row.phash
    try:
        with user.avatar.open("rb") as fh, Image.open(fh) as img:
            value = str(imagehash.phash(img.convert("RGB")))
    except (OSError, ValueError):
        return ""
    AvatarHash.objects.update_or_create(user=user, defaults={"avatar_name": user.avatar.name or "", "phash": value})
    return value


def protected_accounts(cfg: dict[str, Any] | None = None) -> list[User]:
    """Verified accounts and the ``top_followed`` most-followed ones (with ``min_followers`` or more)."""
    cfg = cfg or config()
    fields = ("id", "username", "display_name", "avatar", "verified_at", "followers_count")
    top = most_followed_ids(cfg)
    return list(User.objects.filter(Q(verified_at__isnull=False) | Q(pk__in=top), is_active=True).only(*fields))


def most_followed_ids(cfg: dict[str, Any] | None = None) -> list[int]:
    """The ``top_followed`` most-followed active accounts with ``min_followers`` or more, most first."""
    cfg = cfg or config()
    return list(
        User.objects.filter(is_active=True, followers_count__gte=cfg["min_followers"])
        .order_by("-followers_count", "id")
        .values_list("id", flat=True)[: cfg["top_followed"]]
    )


@dataclass(frozen=True)
class Match:
    protected: User
    finding: Finding
    subject: str
    protected_subject: str
    candidate_value: str
    protected_value: str


@lru_cache(maxsize=8192)
def folded(raw: str) -> Name:
    """``Name.of`` kept per process: protected names are folded once, not on every check."""
    return Name.of(raw)


def _names(user: User, known: dict[str, Name] | None = None) -> list[tuple[str, Name]]:
    """The account's names, folded (``known``: names folded already, such as the index's)."""
    known = known or {}
    out = [("username", known.get(user.username) or folded(user.username))]
    if user.display_name:
        out.insert(0, ("display_name", known.get(user.display_name) or folded(user.display_name)))
    return out


# --- the protected-name index (the prefilter) -------------------------------------------------------

# Bumped whenever ``Name`` or the index changes: a cached index of another version is never read.
INDEX_VERSION = 1
INDEX_CACHE_S = 24 * 3600


def _index_keys(name: Name) -> set[str]:
    """The keys a protected name is found by: every folded form of it that ``compare_names`` tests a
    candidate's forms against, for equality or membership."""
    return {k for k in (name.raw, name.skeleton, name.loose, name.simplified, name.plain, *name.pinyin) if k}


def _probe_keys(name: Name) -> set[str]:
    """The keys a candidate name looks up: each of its forms that ``compare_names`` compares with one of
    a protected name's ``_index_keys`` (the same name, skeleton and loose keys, Simplified, pinyin either
    way round, the cores left once affixes are taken off, and a shared reading for homophones)."""
    keys = {name.raw, name.skeleton, name.loose, name.loose_i, name.simplified, name.plain, *name.pinyin}
    keys.update(core for core, _taken in name.cores)
    return {k for k in keys if k}


@dataclass
class ProtectedIndex:
    """The protected accounts' names, folded, with a lookup from every key ``compare_names`` can match on
    to the names that carry it. A candidate name is compared in full only with the protected names it
    shares a key with and, for the fuzzy signal, with the long Latin names whose length leaves a ratio at
    the threshold possible: a name far from every protected one costs a few dictionary look-ups instead of
    a comparison with each (docs/trust.md, "Cost per sign-up").

    Built from the names alone and kept in the cache between jobs (RQ runs each job in a fresh fork,
    where the per-process ``folded`` cache starts empty), under the hash of the names: a protected set
    whose names change gets a new entry, never a stale one."""

    names: dict[str, Name]
    keys: dict[str, set[str]]
    long_latin: list[tuple[int, str]]  # (length of the loose key, raw) of the names with a Latin loose key

    @classmethod
    def build(cls, raws: list[str]) -> ProtectedIndex:
        names = {raw: folded(raw) for raw in raws}
        keys: dict[str, set[str]] = {}
        long_latin = []
        for raw, name in names.items():
            for key in _index_keys(name):
                keys.setdefault(key, set()).add(raw)
            if name.loose and name.loose.isascii():
                long_latin.append((len(name.loose), raw))
        return cls(names=names, keys=keys, long_latin=sorted(long_latin))

    def near(self, name: Name, cfg: dict[str, Any]) -> set[str]:
        """The protected names that ``compare_names`` could find ``name`` imitating (a superset: the full
        comparison decides)."""
        found: set[str] = set()
        for key in _probe_keys(name):
            found |= self.keys.get(key, set())
        length, shortest = len(name.loose), int(cfg["fuzzy_min_length"])
        if length >= shortest and name.loose.isascii():
            # fuzz.ratio is 100 * (1 - indel distance / (m + n)), and the distance is at least |m - n|:
            # a ratio at the threshold needs |m - n| <= (1 - threshold / 100) * (m + n).
            # Only those in that length window are compared (rapidfuzz, as ``compare_names`` does).
            slack = 1 - float(cfg["fuzzy_threshold"]) / 100
            for other, raw in self.long_latin:
                if other < shortest or abs(length - other) > slack * (length + other) + 1e-9:
                    continue
                if fuzz.ratio(name.loose, self.names[raw].loose) >= cfg["fuzzy_threshold"]:
                    found.add(raw)
        return found


def protected_index(accounts: list[User]) -> ProtectedIndex:
    """The index of these accounts' names: from the cache when the same names were indexed before (by
    any process), else built and kept."""
    raws = sorted({n for user in accounts for n in (user.username, user.display_name) if n})
    digest = hashlib.sha256("\n".join(raws).encode()).hexdigest()[:32]
    key = f"trust:protected-index:{INDEX_VERSION}:{digest}"
    index = cache.get(key)
    if not isinstance(index, ProtectedIndex):
        index = ProtectedIndex.build(raws)
        cache.set(key, index, timeout=INDEX_CACHE_S)
    return index


def find_matches(
    user: User,
    *,
    check_avatar: bool = True,
    cfg: dict[str, Any] | None = None,
    protected: tuple[list[User], ProtectedIndex] | None = None,
) -> list[Match]:
    """The best finding per protected account for ``user``'s names and avatar. A verified account is
    not checked (it is who it says it is); an account is never compared with itself. The names are
    compared with the protected accounts the index finds near them (``ProtectedIndex.near``); with an
    avatar to compare, with every protected account. ``protected``: the protected accounts and their
    index, loaded once by a caller that checks many accounts (trust.newcomers)."""
    cfg = cfg or config()
    if user.verified_at is not None:
        return []
    mine = _names(user)
    my_hash = avatar_phash(user) if check_avatar else ""
    if protected is None:
        accounts = protected_accounts(cfg)
        index = protected_index(accounts)
    else:
        accounts, index = protected
    near: set[str] = set()
    for _subject, name in mine:
        near |= index.near(name, cfg)
    matches = []
    for other in accounts:
        if other.pk == user.pk:
            continue
        if not my_hash and other.username not in near and not (other.display_name and other.display_name in near):
            continue
        their_hash = avatar_phash(other) if my_hash else ""
        best = _best_match(user, mine, my_hash, other, _names(other, index.names), their_hash, cfg)
        if best is not None:
            matches.append(best)
    return sorted(matches, key=lambda m: -m.finding.score)


def _best_match(
    user: User,
    mine: list[tuple[str, Name]],
    my_hash: str,
    other: User,
    theirs: list[tuple[str, Name]],
    their_hash: str,
    cfg: dict[str, Any],
) -> Match | None:
    best: Match | None = None
    for (subject, name), (their_subject, their_name) in itertools.product(mine, theirs):
        finding = compare_names(name, their_name, cfg)
        if finding and (best is None or finding.score > best.finding.score):
            best = Match(other, finding, subject, their_subject, name.raw, their_name.raw)
    if my_hash and their_hash:
        finding = compare_avatars(my_hash, their_hash, cfg)
        if finding and (best is None or finding.score > best.finding.score):
            best = Match(other, finding, "avatar", "avatar", user.avatar.name or "", other.avatar.name or "")
    return best if best is not None and best.finding.score >= cfg["flag_score"] else None


def check_account(*, user_id: int, check_avatar: bool = True) -> list[Match]:
    """Compare the account with the protected ones; each new finding is kept and announced once
    (``ImpersonationSuspected``, which review turns into a review item). Idempotent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return []
    with transaction.atomic():
        return [m for m in find_matches(user, check_avatar=check_avatar) if send_finding(user, m)]


def recheck_against(*, protected_id: int, joined_within_days: int | None = None) -> int:
    """Compare existing accounts with one that just became protected (newly verified): the accounts that
    joined in the last ``joined_within_days`` (the ``recheck_days`` setting; None means all), names and
    the avatar hashes already known. Returns how many new findings went to review."""
    cfg = config()
    protected = User.objects.filter(pk=protected_id, is_active=True).first()
    if protected is None:
        return 0
    days = cfg["recheck_days"] if joined_within_days is None else joined_within_days
    theirs = _names(protected)
    their_hash = avatar_phash(protected)
    users = User.objects.filter(is_active=True, verified_at__isnull=True).exclude(pk=protected.pk)
    if days:
        users = users.filter(date_joined__gte=timezone.now() - timedelta(days=days))
    hashes = dict(AvatarHash.objects.values_list("user_id", "phash")) if their_hash else {}
    sent = 0
    for user in users.only("id", "username", "display_name", "avatar", "verified_at").iterator(chunk_size=2000):
        match = _best_match(user, _names_uncached(user), hashes.get(user.pk, ""), protected, theirs, their_hash, cfg)
        if match is not None:
            with transaction.atomic():
                sent += int(send_finding(user, match))
    return sent


def _names_uncached(user: User) -> list[tuple[str, Name]]:
    """A scanned account's names, folded without filling the per-process cache of protected names."""
    out = [("username", Name.of(user.username))]
    if user.display_name:
        out.insert(0, ("display_name", Name.of(user.display_name)))
    return out


def send_finding(user: User, match: Match) -> bool:
    """Keep the finding and announce it, once per (account, protected account, signal, value)."""
    try:
        with transaction.atomic():
            ImpersonationFlag.objects.create(
                user=user,
                protected_user=match.protected,
                signal=match.finding.signal,
                score=match.finding.score,
                subject=match.subject,
                candidate_value=match.candidate_value[:200],
                protected_value=match.protected_value[:200],
                detail=match.finding.detail[:300],
            )
    except IntegrityError:
        return False  # already sent for this very value
    events.emit(
        ImpersonationSuspected(
            user_id=user.pk,
            protected_user_id=match.protected.pk,
            protected_username=match.protected.username,
            protected_verified=match.protected.verified_at is not None,
            signal=match.finding.signal,
            score=match.finding.score,
            subject=match.subject,
            protected_subject=match.protected_subject,
            candidate_value=match.candidate_value[:200],
            protected_value=match.protected_value[:200],
            detail=match.finding.detail[:300],
        )
    )
    return True
