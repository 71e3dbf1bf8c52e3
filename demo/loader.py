"""Load the demo content through the services, as people using the site would have made it.

Nothing here writes a model directly: users come from ``register_user`` / ``update_profile``, the graph
from ``follow``, notes from ``upload_photo`` + ``create_note`` (with ``created_at`` spread over the last
30 days), and the rest from ``create_comment``, ``like_note``, ``create_board`` and ``collect_note``.
Every choice comes from one seeded random generator, so the same seed gives the same demo.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import zip_longest

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import follow, register_user, update_profile
from demo.content import DemoContent, DemoNote, DemoUser, load_content
from demo.photos import PhotoKey, PhotoPool
from feeds.services import rebuild_timeline
from notes.models import Note, NoteState
from notes.search_trends import record_search
from notes.services import collect_note, create_board, create_comment, create_note, like_note, upload_photo
from review.intake import inline_screening
from review.reviewers import set_reviewer
from trust.verification import verify_account

DEFAULT_SEED = 2025
DEFAULT_PASSWORD = "notebridge-demo"
# Hashing a password with Argon2 costs a fifth of a second on two cores, so by default only the first
# few demo accounts (half English, half Chinese) can log in; the rest get unusable passwords.
LOGIN_ACCOUNTS = 4
SPREAD_DAYS = 30
PHOTO_COUNT_WEIGHTS = {1: 45, 2: 30, 3: 15, 4: 10}
NOTES_PER_TRANSACTION = 20


@dataclass(frozen=True)
class NotePlan:
    spec: DemoNote
    author: DemoUser
    created_at: datetime
    photos: list[PhotoKey]


@dataclass
class LoadSummary:
    users: int = 0
    notes: int = 0
    photos: int = 0
    text_notes: int = 0  # notes without photos (no installed photograph fits them): a generated cover
    follows: int = 0
    likes: int = 0
    comments: int = 0
    boards: int = 0
    collects: int = 0
    held: int = 0  # notes screening held for a reviewer
    reviewers: list[str] = field(default_factory=list)  # demo logins appointed reviewers, one per language
    languages: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only; under a busy machine it says more than wall time

    def line(self) -> str:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(self.languages.items()))
        return (
            f"{self.users} users, {self.notes} notes ({langs}; {self.text_notes} text only), {self.photos} photos, "
            f"{self.follows} follows, "
            f"{self.likes} likes, {self.comments} comments, {self.boards} boards, {self.collects} collects, "
            f"{self.held} held for review in {self.seconds:.1f} s (CPU {self.cpu_seconds:.1f} s)"
        )


def _chat_language(code: str) -> str:
    return "zh" if code.startswith("zh") else "en"


def pick_users(content: DemoContent, count: int | None) -> list[DemoUser]:
    """The first ``count`` users, alternating English and Chinese writers so both are always present."""
    english = [u for u in content.users if u.writes == "en"]
    chinese = [u for u in content.users if u.writes != "en"]
    mixed = [u for pair in zip_longest(english, chinese) for u in pair if u is not None]
    return mixed[: count or len(mixed)]


def pick_notes(content: DemoContent, count: int | None) -> list[DemoNote]:
    """The first ``count`` notes, alternating languages and cycling through categories."""
    english = [n for n in content.notes if not n.is_chinese]
    chinese = [n for n in content.notes if n.is_chinese]

    def by_category(notes: list[DemoNote]) -> list[DemoNote]:
        groups: dict[str, list[DemoNote]] = defaultdict(list)
        for note in notes:
            groups[note.category].append(note)
        return [n for row in zip_longest(*groups.values()) for n in row if n is not None]

    mixed = [n for pair in zip_longest(by_category(english), by_category(chinese)) for n in pair if n is not None]
    return mixed[: count or len(mixed)]


class DemoLoader:
    def __init__(
        self,
        *,
        users: int | None = None,
        notes: int | None = None,
        seed: int = DEFAULT_SEED,
        password: str = DEFAULT_PASSWORD,
        all_logins: bool = False,
        log: Callable[[str], None] = print,
    ) -> None:
        self.content = load_content()
        if self.content.errors:
            raise ValueError("demo data is invalid:\n" + "\n".join(self.content.errors))
        self.asked_users, self.asked_notes = users, notes
        self.people = pick_users(self.content, users)
        self.note_specs = pick_notes(self.content, notes)
        self.rng = random.Random(seed)
        self.pool = PhotoPool(seed=seed)
        self.password = password
        self.login_count = len(self.people) if all_logins else LOGIN_ACCOUNTS
        self.log = log
        self.summary = LoadSummary()
        self.accounts: dict[str, User] = {}
        self.specs: dict[str, DemoUser] = {}
        self.boards: dict[str, dict[str, int]] = defaultdict(dict)  # username -> category -> board id
        self.started = time.monotonic()
        self.cpu_started = time.process_time()

    def _progress(self, what: str, done: int, total: int) -> None:
        self.log(f"  {what}: {done}/{total} ({time.monotonic() - self.started:.1f} s)")

    # --- the steps, in order --------------------------------------------------------------------

    def run(self) -> LoadSummary:
        if self.asked_users and self.asked_users > len(self.people):
            self.log(f"  note: the demo has {len(self.people)} people; loading all of them")
        if self.asked_notes and self.asked_notes > len(self.note_specs):
            self.log(f"  note: the demo has {len(self.note_specs)} notes; loading all of them")
        if self.pool.missing:
            self.log(
                "  note: photo sources not installed (apt-get install mate-backgrounds): "
                + ", ".join(self.pool.missing)
                + "; notes whose photos would come from them are posted as text notes"
            )
        # All or nothing: a load stopped part way (Ctrl-C during the minute or more it takes) leaves no
        # content, so the next `make run` loads the demo again; committed in steps, it left the demo
        # accounts without their notes, and `--if-empty` then skipped the demo for good.
        with transaction.atomic():
            self.create_users()
            self.appoint_reviewers()
            self.create_follows()
            self.create_boards()
            # Screened now, so the notes can be liked and commented on at once. The demo's accounts share
            # a small photo pool by design, which the photo-reuse signal would rightly call a spam wave.
            with inline_screening(photos_from_a_shared_pool=True):
                self.create_notes()
            self.record_searches()
            self.rebuild_timelines()
        self.summary.seconds = time.monotonic() - self.started
        self.summary.cpu_seconds = time.process_time() - self.cpu_started
        return self.summary

    def create_users(self) -> None:
        with transaction.atomic():
            for index, spec in enumerate(self.people):
                user = register_user(
                    username=spec.username,
                    # None gives an unusable password (Django's make_password) without hashing anything.
                    password=self.password if index < self.login_count else None,  # type: ignore[arg-type]
                    display_name=spec.display_name,
                    languages=spec.languages,
                    region=spec.region,
                    ui_language="en" if spec.writes == "en" else "zh-hans",
                    interests=spec.interests,
                    check_password=False,
                )
                # Demo accounts are established members: they have picked interests and languages already,
                # and a profile photo (a crop of a photograph that goes with their interests).
                user = update_profile(
                    user=user, bio=spec.bio, onboarded=True, avatar=self.pool.avatar(spec.username, spec.interests)
                )
                if spec.verified:
                    user = verify_account(username=spec.username)
                self.accounts[spec.username] = user
                self.specs[spec.username] = spec
        self.summary.users = len(self.accounts)
        self._progress("users", self.summary.users, len(self.people))

    def appoint_reviewers(self) -> None:
        """One English and one Chinese reviewer among the accounts one can log in as, so held content
        has someone to look at it from the first minute (operators appoint more on /review/reviewers/)."""
        logins = self.people[: self.login_count]
        for writes, languages in (("en", ["en"]), ("zh-Hans", ["zh-Hans", "zh-Hant"])):
            spec = next((p for p in logins if p.writes == writes), None)
            if spec is None:
                continue
            set_reviewer(actor=None, user=self.accounts[spec.username], languages=languages, by_system=True)
            self.summary.reviewers.append(spec.username)

    def _affinity(self, a: DemoUser, b: DemoUser) -> float:
        """How likely ``a`` is to follow ``b``: shared interests, a language ``a`` reads, newcomers' curiosity."""
        score = 0.2 + 0.5 * len(set(a.interests) & set(b.interests))
        if b.writes in a.languages or (b.writes.startswith("zh") and any(x.startswith("zh") for x in a.languages)):
            score += 1.0
        if a.newcomer and b.writes != "en":
            score += 0.6  # the January wave followed Chinese creators in droves
        if b.newcomer and a.writes != "en":
            score += 0.4  # and got followed back
        return score

    def create_follows(self) -> None:
        people = list(self.specs.values())
        if len(people) < 2:
            return
        with transaction.atomic():
            for spec in people:
                others = [p for p in people if p.username != spec.username]
                want = min(len(others), self.rng.randint(4, 14))
                weights = [self._affinity(spec, o) for o in others]
                chosen: set[str] = set()
                while len(chosen) < want:
                    chosen.add(self.rng.choices(others, weights=weights)[0].username)
                for username in sorted(chosen):
                    if follow(follower=self.accounts[spec.username], followee=self.accounts[username]):
                        self.summary.follows += 1
        self._progress("follows", self.summary.follows, self.summary.follows)

    def create_boards(self) -> None:
        chatter = self.content.chatter
        with transaction.atomic():
            for spec in self.specs.values():
                lang = _chat_language(spec.writes)
                for category in self.rng.sample(spec.interests, k=min(2, len(spec.interests))):
                    names = chatter.boards[lang][category]
                    board = create_board(
                        owner=self.accounts[spec.username],
                        name=self.rng.choice(names),
                        is_private=self.rng.random() < 0.2,
                    )
                    self.boards[spec.username][category] = board.pk
                    self.summary.boards += 1
        self._progress("boards", self.summary.boards, self.summary.boards)

    def _author_for(self, spec: DemoNote, load: Counter[str]) -> DemoUser:
        if spec.author and spec.author in self.specs:
            return self.specs[spec.author]
        language = "en" if not spec.is_chinese else spec.language
        same = [p for p in self.specs.values() if p.writes == language]
        if not same:
            same = [p for p in self.specs.values() if _chat_language(p.writes) == _chat_language(language)]
        if not same:
            same = list(self.specs.values())
        fitting = [p for p in same if spec.category in p.interests] or same
        least = min(load[p.username] for p in fitting)
        return self.rng.choice([p for p in fitting if load[p.username] == least])

    def plan_notes(self) -> list[NotePlan]:
        """Who writes each note, when, and with which photos: every random choice, before any write."""
        now = timezone.now()
        load: Counter[str] = Counter()
        plans = []
        for spec in self.note_specs:
            author = self._author_for(spec, load)
            load[author.username] += 1
            count = self.rng.choices(list(PHOTO_COUNT_WEIGHTS), weights=list(PHOTO_COUNT_WEIGHTS.values()))[0]
            age = timedelta(seconds=self.rng.uniform(600, SPREAD_DAYS * 86400))
            plans.append(
                NotePlan(
                    spec=spec, author=author, created_at=now - age, photos=self.pool.choose(spec.photo, count, self.rng)
                )
            )
        return plans

    def create_notes(self) -> None:
        plans = self.plan_notes()
        self.pool.prerender([key for plan in plans for key in plan.photos])
        created: list[tuple[int, DemoNote, DemoUser]] = []
        try:
            for start in range(0, len(plans), NOTES_PER_TRANSACTION):
                with transaction.atomic():
                    for plan in plans[start : start + NOTES_PER_TRANSACTION]:
                        spec, author = plan.spec, self.accounts[plan.author.username]
                        photo_ids = [
                            upload_photo(
                                owner=author,
                                file=self.pool.render(key),
                                alt_text=self.pool.alt_text(key[0], spec.language),
                            ).pk
                            for key in plan.photos
                        ]
                        note = create_note(
                            author=author,
                            title=spec.title,
                            body=spec.body,
                            photo_ids=photo_ids,
                            tags=spec.tags,
                            place={"name": spec.place.name, "country": spec.place.country} if spec.place else None,
                            language=spec.language,
                            created_at=plan.created_at,
                        )
                        created.append((note.pk, spec, plan.author))
                        self.summary.photos += len(photo_ids)
                        self.summary.text_notes += not photo_ids
                        self.summary.languages[spec.language] += 1
                self.summary.notes = len(created)
                self._progress("notes", self.summary.notes, len(plans))
        finally:
            self.pool.close()
        self.react(created)

    # --- reactions: likes, collects, comments ------------------------------------------------------

    def _reads(self, person: DemoUser, language: str) -> bool:
        return language in person.languages or (
            language.startswith("zh") and any(x.startswith("zh") for x in person.languages)
        )

    def react(self, created: list[tuple[int, DemoNote, DemoUser]]) -> None:
        people = list(self.specs.values())
        # Screening may hold a note for a person to look at; nobody can react to it meanwhile.
        unpublished = set(
            Note.objects.filter(pk__in=[c[0] for c in created])
            .exclude(state=NoteState.PUBLISHED)
            .values_list("pk", flat=True)
        )
        self.summary.held = len(unpublished)
        for start in range(0, len(created), NOTES_PER_TRANSACTION * 2):
            with transaction.atomic():
                for note_id, spec, author in created[start : start + NOTES_PER_TRANSACTION * 2]:
                    others = [p for p in people if p.username != author.username]
                    if not others or note_id in unpublished:
                        continue
                    self._like_and_collect(note_id, spec, others)
                    self._comment(note_id, spec, author, others)
            self._progress(
                "likes, collects, comments", min(start + NOTES_PER_TRANSACTION * 2, len(created)), len(created)
            )

    def _audience_weights(self, spec: DemoNote, others: list[DemoUser]) -> list[float]:
        # Readers of the note's language and people who care about its topic react most; others still
        # do, through translation.
        return [
            (2.0 if self._reads(p, spec.language) else 0.5) + (1.5 if spec.category in p.interests else 0.0)
            for p in others
        ]

    def _sample(self, people: list[DemoUser], weights: list[float], k: int) -> list[DemoUser]:
        k = min(k, len(people))
        chosen: dict[str, DemoUser] = {}
        while len(chosen) < k:
            person = self.rng.choices(people, weights=weights)[0]
            chosen[person.username] = person
        return list(chosen.values())

    def _like_and_collect(self, note_id: int, spec: DemoNote, others: list[DemoUser]) -> None:
        popularity = min(25, int(self.rng.paretovariate(1.4) * 1.6))
        likers = self._sample(others, self._audience_weights(spec, others), popularity)
        for person in likers:
            if like_note(user=self.accounts[person.username], note_id=note_id):
                self.summary.likes += 1
            if self.rng.random() < 0.3:
                board_id = self.boards[person.username].get(spec.category)
                collect_note(user=self.accounts[person.username], note_id=note_id, board_id=board_id)
                self.summary.collects += 1

    def _comment(self, note_id: int, spec: DemoNote, author: DemoUser, others: list[DemoUser]) -> None:
        chatter = self.content.chatter
        count = self.rng.choices([0, 1, 2, 3, 4], weights=[30, 30, 20, 12, 8])[0]
        if spec.welcome:
            count += 3
        commenters = self._sample(others, self._audience_weights(spec, others), count)
        used: set[str] = set()
        for person in commenters:
            lang = _chat_language(person.writes)
            if spec.welcome and self.rng.random() < 0.7:
                options = chatter.welcomes[lang]
            else:
                options = chatter.comments[lang].get(spec.category, []) + chatter.comments[lang]["any"]
            options = [t for t in options if t not in used] or options
            text = self.rng.choice(options)
            used.add(text)
            comment = create_comment(author=self.accounts[person.username], note_id=note_id, body=text)
            self.summary.comments += 1
            if self.rng.random() < 0.35:
                reply = self.rng.choice(chatter.replies[_chat_language(author.writes)])
                create_comment(author=self.accounts[author.username], note_id=note_id, body=reply, parent_id=comment.pk)
                self.summary.comments += 1

    def record_searches(self) -> None:
        """What readers searched lately, so the empty search page of a fresh site has a hot list: some of
        the notes' tags, searched by a few to a dozen readers each, in English and Chinese interfaces
        (counted through notes.search_trends like any search; no reader is kept)."""
        words: dict[str, list[str]] = defaultdict(list)
        for spec in self.note_specs:
            interface = "zh-hans" if spec.language.startswith("zh") else "en"
            words[interface].extend(t for t in spec.tags if t not in words[interface])
        for interface, tags in sorted(words.items()):
            for rank, tag in enumerate(self.rng.sample(tags, min(10, len(tags)))):
                for reader in range(3 + 10 - rank):
                    record_search(query=tag, language=interface, region="", repeat_token=f"demo-{reader}")

    def rebuild_timelines(self) -> None:
        """Home timelines are derived data: build them now so they are full before the worker starts."""
        for user in self.accounts.values():
            rebuild_timeline(user_id=user.pk)
        self._progress("timelines", len(self.accounts), len(self.accounts))


def demo_present() -> bool:
    """Whether any demo account exists already (a read: the loader only writes through services)."""
    return User.objects.filter(username__in=[u.username for u in load_content().users]).exists()


def site_has_content() -> bool:
    """Whether the site already has notes or demo accounts: ``--if-empty`` then leaves it alone."""
    return Note.objects.exists() or demo_present()


def login_usernames(users: int | None = None, all_logins: bool = False) -> list[str]:
    people = pick_users(load_content(), users)
    return [p.username for p in (people if all_logins else people[:LOGIN_ACCOUNTS])]


def load_demo(
    *,
    users: int | None = None,
    notes: int | None = None,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    all_logins: bool = False,
    log: Callable[[str], None] = print,
) -> LoadSummary:
    loader = DemoLoader(users=users, notes=notes, seed=seed, password=password, all_logins=all_logins, log=log)
    return loader.run()
