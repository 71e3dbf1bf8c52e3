"""Domain events: a lower app announces what happened, higher apps react.

The apps depend on each other in one direction only (docs/architecture.md): ``notes`` may not call
``feeds`` or ``review``. So a service that wants the rest of the system to react emits an event,

    events.emit(NotePublished(note_id=note.pk, author_id=note.author_id, first_time=True))

and each app that cares subscribes in its ``AppConfig.ready()``:

    events.subscribe(NotePublished, fan_out_on_publish)

An event is a frozen dataclass of ids and plain values, defined in the emitting app's ``events.py``.
A subscriber runs at one of two moments:

- ``AFTER_COMMIT`` (the default): once the emitter's transaction commits, or at once when there is none.
  For anything slow (it should enqueue a task) or that must not act on a write that may still roll back.
- ``IN_TRANSACTION``: at once, inside the emitter's transaction, in a savepoint of its own: for cheap
  writes that belong with the user's action and must be visible as soon as it returns (a notification,
  a note's first screening when screening is off).

Subscribers of one event run in registration order (the order of ``INSTALLED_APPS``), except that those
subscribed with ``priority=EARLY`` run before the others: for a subscriber that keeps a signal other
subscribers of the same event read. Trust's subscribers to ``NoteSubmitted`` and ``CommentCreated`` are
early: review's screening of that very post reads the author's risk, so its reassessment must come first
(a note screened inline during a bulk load was otherwise screened with the risk as it was before that
note). The reassessment itself now runs at the start of the screening (``core.standing.assess_poster``),
off the posting request; trust's subscribers queue it only where nothing is screened.

Either way a failing subscriber is logged and never loses the user's write: its savepoint is rolled
back (or, after commit, the write is already durable). ``tests/core/test_events.py`` lists every event
and its subscribers and fails when an event has none.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, transaction

logger = logging.getLogger("notebridge.events")

AFTER_COMMIT = "after_commit"
IN_TRANSACTION = "in_transaction"
EARLY = -10
NORMAL = 0


@dataclass(frozen=True)
class Event:
    """Base of every domain event. Subclasses are frozen dataclasses of ids and plain values."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Subscriber:
    handler: Handler
    when: str
    priority: int = NORMAL

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscribers: dict[type[Event], list[Subscriber]] = {}


class DuplicateSubscriber(RuntimeError):
    pass


def subscribe(
    event_type: type[E], handler: Callable[[E], None], *, when: str = AFTER_COMMIT, priority: int = NORMAL
) -> None:
    """Call ``handler(event)`` for every ``event_type`` emitted. Register once, in ``AppConfig.ready()``.
    ``priority=EARLY`` runs it before the event's other subscribers (see the module docstring)."""
    if when not in (AFTER_COMMIT, IN_TRANSACTION):
        raise ValueError(f"unknown moment {when!r}")
    if priority not in (EARLY, NORMAL):
        raise ValueError(f"unknown priority {priority!r}")
    if not (isinstance(event_type, type) and issubclass(event_type, Event) and dataclasses.is_dataclass(event_type)):
        raise TypeError(f"{event_type!r} is not a domain event dataclass")
    entry = Subscriber(handler=handler, when=when, priority=priority)
    current = _subscribers.setdefault(event_type, [])
    if any(s.name == entry.name for s in current):
        raise DuplicateSubscriber(f"{entry.name} already subscribes to {event_type.__name__}")
    current.append(entry)
    current.sort(key=lambda s: s.priority)  # stable: registration order within a priority


def emit(event: Event) -> None:
    """Announce ``event`` to its subscribers (see the module docstring for when each runs)."""
    for sub in _subscribers.get(type(event), ()):
        if sub.when == IN_TRANSACTION:
            _run_now(sub, event)
        else:
            transaction.on_commit(_deferred(sub, event))


def _run_now(sub: Subscriber, event: Event) -> None:
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                sub.handler(event)
        else:
            sub.handler(event)
    except Exception:
        logger.exception("subscriber %s failed on %s", sub.name, event)


def _deferred(sub: Subscriber, event: Event) -> Callable[[], None]:
    def run() -> None:
        try:
            sub.handler(event)
        except Exception:
            logger.exception("subscriber %s failed on %s", sub.name, event)

    return run


def subscribers(event_type: type[Event]) -> list[Subscriber]:
    return list(_subscribers.get(event_type, ()))


def all_event_types() -> list[type[Event]]:
    """Every event class defined so far (imported apps' ``events`` modules), by name."""
    found: list[type[Event]] = []
    stack = list(Event.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


@dataclass(frozen=True)
class StackStarted(Event):
    """``runstack`` has started its children. ``background_preparation``: it is also starting, at the
    lowest CPU priority, the preparation of what apps fetch or build in the background (the local
    translation engine), which on a busy machine can take minutes to say anything itself."""

    background_preparation: bool
