"""The demo's written content: read from demo/data/*.yaml into typed records, and checked.

The text lives in data files so that writers can edit it without touching code. ``validate`` returns
every problem it finds (lengths beyond the model limits, unknown photo topics, a lopsided language
mix) so that the tests and the loader refuse bad data before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

CATEGORIES = ("food", "travel", "fashion", "beauty", "pets", "study", "fitness", "home")
NOTE_LANGUAGES = ("en", "zh-Hans", "zh-Hant")
USER_LANGUAGES = {"en", "zh-Hans", "zh-Hant", "th", "ja", "ko"}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")

# Kept in step with the model limits (accounts.models, notes.models); the tests compare them.
MAX_TITLE = 100
MAX_BODY = 5000
MAX_COMMENT = 1000
MAX_BOARD_NAME = 60
MAX_DISPLAY_NAME = 50
MAX_BIO = 500
MAX_TAG = 50
MAX_PLACE = 120


@dataclass(frozen=True)
class PhotoSource:
    name: str
    root: str
    file: str
    license: str
    credit: str
    alt: str = ""
    alt_zh: str = ""
    gray: bool = False


@dataclass(frozen=True)
class PhotoCatalog:
    sources: dict[str, PhotoSource]
    topics: dict[str, list[str]]
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    avatars: dict[str, list[str]] = field(default_factory=dict)  # interest -> topics for profile photos


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    bio: str
    languages: list[str]
    region: str
    interests: list[str]
    newcomer: bool = False
    verified: bool = False

    @property
    def writes(self) -> str:
        """The language this person posts in: the first of English or Chinese that they read."""
        return next((code for code in self.languages if code == "en" or code.startswith("zh")), "en")


@dataclass(frozen=True)
class DemoPlace:
    name: str
    country: str


@dataclass(frozen=True)
class DemoNote:
    key: str
    language: str
    category: str
    title: str
    body: str
    tags: list[str]
    photo: tuple[str, ...]  # photo topics whose photographs fit the title; () for a text note
    place: DemoPlace | None = None
    author: str | None = None
    welcome: bool = False  # a newcomer's hello: the community answers with welcome comments

    @property
    def is_chinese(self) -> bool:
        return self.language.startswith("zh")


@dataclass(frozen=True)
class Chatter:
    """Comment and board texts, by language ("en" / "zh") and category ("any" for every category)."""

    comments: dict[str, dict[str, list[str]]]
    replies: dict[str, list[str]]
    welcomes: dict[str, list[str]]
    boards: dict[str, dict[str, list[str]]]


@dataclass
class DemoContent:
    users: list[DemoUser]
    notes: list[DemoNote]
    chatter: Chatter
    photos: PhotoCatalog
    errors: list[str] = field(default_factory=list)


def _read(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def load_photo_catalog() -> PhotoCatalog:
    raw = _read("photos.yaml")
    sources = {
        name: PhotoSource(
            name=name,
            root=str(spec["root"]),
            file=str(spec["file"]),
            license=str(spec["license"]),
            credit=str(spec["credit"]),
            alt=str(spec.get("alt", "")),
            alt_zh=str(spec.get("alt_zh", "")),
            gray=bool(spec.get("gray", False)),
        )
        for name, spec in raw["sources"].items()
    }
    topics = {str(topic): [str(s) for s in names] for topic, names in raw["topics"].items()}
    fallbacks = {str(topic): [str(s) for s in names] for topic, names in (raw.get("fallbacks") or {}).items()}
    avatars = {str(key): [str(t) for t in names] for key, names in (raw.get("avatars") or {}).items()}
    return PhotoCatalog(sources=sources, topics=topics, fallbacks=fallbacks, avatars=avatars)


def _user(raw: dict[str, Any]) -> DemoUser:
    return DemoUser(
        username=str(raw["username"]),
        display_name=str(raw["name"]),
        bio=str(raw.get("bio", "")).strip(),
        languages=[str(x) for x in raw["languages"]],
        region=str(raw["region"]),
        interests=[str(x) for x in raw.get("interests", [])],
        newcomer=bool(raw.get("newcomer", False)),
        verified=bool(raw.get("verified", False)),
    )


TEXT_NOTE = "text"  # `photo: text`: no photograph fits the note; it is posted without one


def _topics(raw: Any) -> tuple[str, ...]:
    """A note's ``photo``: one topic, a list of topics, or ``text`` for a note without photos."""
    names = [str(x) for x in raw] if isinstance(raw, list) else [str(raw)]
    return () if names == [TEXT_NOTE] else tuple(names)


def _note(raw: dict[str, Any], *, key: str, language: str, category: str) -> DemoNote:
    place = raw.get("place")
    return DemoNote(
        key=key,
        language=str(raw.get("lang", language)),
        category=str(raw.get("category", category)),
        title=str(raw["title"]).strip(),
        body=str(raw["body"]).strip(),
        tags=[str(t) for t in raw.get("tags", [])],
        photo=_topics(raw["photo"]),
        place=DemoPlace(name=str(place[0]), country=str(place[1])) if place else None,
        author=raw.get("author"),
        welcome=bool(raw.get("welcome", False)),
    )


def load_notes() -> list[DemoNote]:
    """Every note file is ``notes/<language>_<category>.yaml``: a list of notes."""
    notes = []
    for path in sorted((DATA_DIR / "notes").glob("*.yaml")):
        language, _, category = path.stem.partition("_")
        language = {"en": "en", "zh": "zh-Hans"}.get(language, language)
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for index, raw in enumerate(items):
            notes.append(_note(raw, key=f"{path.stem}:{index}", language=language, category=category))
    return notes


@lru_cache(maxsize=1)
def load_content() -> DemoContent:
    users = [_user(u) for u in _read("users.yaml")]
    chatter_raw = _read("chatter.yaml")
    chatter = Chatter(
        comments=chatter_raw["comments"],
        replies=chatter_raw["replies"],
        welcomes=chatter_raw["welcomes"],
        boards=chatter_raw["boards"],
    )
    content = DemoContent(users=users, notes=load_notes(), chatter=chatter, photos=load_photo_catalog())
    content.errors = validate(content)
    return content


def validate(content: DemoContent) -> list[str]:
    errors: list[str] = []
    errors += _validate_users(content.users)
    errors += _validate_notes(content)
    errors += _validate_chatter(content.chatter)
    for interest, topics in content.photos.avatars.items():
        if interest not in (*CATEGORIES, "any"):
            errors.append(f"avatar photos for unknown interest {interest}")
        errors += [f"avatar photos for {interest}: unknown topic {t}" for t in topics if t not in content.photos.topics]
    for group in (content.photos.topics, content.photos.fallbacks):
        for topic, names in group.items():
            if topic not in content.photos.topics:
                errors.append(f"photo fallback for unknown topic {topic}")
            for name in names:
                if name not in content.photos.sources:
                    errors.append(f"photo topic {topic}: unknown source {name}")
    return errors


def _validate_users(users: list[DemoUser]) -> list[str]:
    errors = []
    seen: set[str] = set()
    for user in users:
        where = f"user {user.username}"
        if not USERNAME_RE.match(user.username):
            errors.append(f"{where}: bad username")
        if user.username.lower() in seen:
            errors.append(f"{where}: duplicate username")
        seen.add(user.username.lower())
        if not user.display_name or len(user.display_name) > MAX_DISPLAY_NAME:
            errors.append(f"{where}: display name empty or over {MAX_DISPLAY_NAME}")
        if len(user.bio) > MAX_BIO:
            errors.append(f"{where}: bio over {MAX_BIO}")
        if not user.languages or set(user.languages) - USER_LANGUAGES:
            errors.append(f"{where}: languages {user.languages}")
        if not re.fullmatch(r"[A-Z]{2}", user.region):
            errors.append(f"{where}: region {user.region!r}")
        if not user.interests or set(user.interests) - set(CATEGORIES):
            errors.append(f"{where}: interests {user.interests}")
    return errors


def _validate_notes(content: DemoContent) -> list[str]:
    errors = []
    usernames = {u.username for u in content.users}
    for note in content.notes:
        where = f"note {note.key}"
        if not note.title or len(note.title) > MAX_TITLE:
            errors.append(f"{where}: title empty or over {MAX_TITLE}")
        if not note.body or len(note.body) > MAX_BODY:
            errors.append(f"{where}: body empty or over {MAX_BODY}")
        if not 1 <= len(note.tags) <= 5 or any(not t or len(t) > MAX_TAG or "#" in t for t in note.tags):
            errors.append(f"{where}: 1-5 tags without '#', each at most {MAX_TAG}")
        for topic in note.photo:
            if topic not in content.photos.topics:
                errors.append(f"{where}: unknown photo topic {topic}")
        if note.language not in NOTE_LANGUAGES:
            errors.append(f"{where}: language {note.language}")
        if note.category not in CATEGORIES:
            errors.append(f"{where}: category {note.category}")
        if note.place and (len(note.place.name) > MAX_PLACE or not re.fullmatch(r"[A-Z]{2}", note.place.country)):
            errors.append(f"{where}: place {note.place}")
        if note.author and note.author not in usernames:
            errors.append(f"{where}: unknown author {note.author}")
    return errors


def _validate_chatter(chatter: Chatter) -> list[str]:
    errors = []
    for language in ("en", "zh"):
        texts = [t for group in chatter.comments.get(language, {}).values() for t in group]
        texts += chatter.replies.get(language, []) + chatter.welcomes.get(language, [])
        if not chatter.comments.get(language, {}).get("any"):
            errors.append(f"chatter: no general comments in {language}")
        errors += [f"chatter: comment over {MAX_COMMENT}: {t[:30]}" for t in texts if len(t) > MAX_COMMENT]
        for category in CATEGORIES:
            boards = chatter.boards.get(language, {}).get(category, [])
            if not boards:
                errors.append(f"chatter: no {language} board names for {category}")
            errors += [f"chatter: board name over {MAX_BOARD_NAME}: {b}" for b in boards if len(b) > MAX_BOARD_NAME]
    return errors
