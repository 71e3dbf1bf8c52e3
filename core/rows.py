"""Model rows read by hand-written SELECTs, converted exactly as the ORM converts them.

On the hot read paths (a note cache miss, a token's first use) building the ORM's query (the compiler,
``select_related`` joins, prefetches) cost several times more CPU than running it. ``Columns`` is a
model's concrete columns under a table alias, as SQL, with the database's and the fields' converters
(the same ``from_db_value`` / backend converters the compiler applies: aware datetimes on SQLite,
JSON decoded, booleans), worked out once per model, alias and database. The values come back in the
model's concrete field order, as ``notes.selectors`` packs rows for its cache, so ``instance`` builds
the model instance a database read would have given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Columns:
    model: type[Model]
    alias: str
    database: str
    sql: str  # "alias"."column", ... in concrete field order
    attnames: tuple[str, ...]
    names: dict[str, str]  # field name -> column
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (position, converters, expression)

    @property
    def width(self) -> int:
        return len(self.attnames)

    def values(self, row: Sequence[Any], start: int = 0) -> tuple[Any, ...]:
        """The model's values from ``row[start : start + width]``, converted as the ORM would."""
        values = list(row[start : start + len(self.attnames)])
        connection = connections[self.database]
        for i, funcs, expression in self.converters:
            value = values[i]
            for func in funcs:
                value = func(value, expression, connection)
            values[i] = value
        return tuple(values)

    def column(self, name: str) -> str:
        """One field's column under the alias, as SQL (for joins and conditions)."""
        quote = connections[self.database].ops.quote_name
        return f"{quote(self.alias)}.{quote(self.names[name])}"


_COLUMNS: dict[tuple[type[Model], str, str], Columns] = {}


def columns(model: type[Model], alias: str, database: str) -> Columns:
    """``model``'s concrete columns under the table alias ``alias`` on ``database`` (cached)."""
    key = (model, alias, database)
    found = _COLUMNS.get(key)
    if found is not None:
        return found
    connection = connections[database]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    converters = []
    for i, field in enumerate(fields):
        expression = field.get_col(alias)
        funcs = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if funcs:
            converters.append((i, tuple(funcs), expression))
    found = Columns(
        model=model,
        alias=alias,
        database=database,
        sql=", ".join(f"{quote(alias)}.{quote(str(f.column))}" for f in fields),
        attnames=tuple(f.attname for f in fields),
        names={f.name: str(f.column) for f in fields},
        converters=tuple(converters),
    )
    _COLUMNS[key] = found
    return found


def instance(model: type[M], values: Sequence[Any], database: str) -> M:
    """A model instance as a database read leaves it (not adding, from ``database``), without __init__:
    ``values`` in concrete field order (``Columns.values``)."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames(model), values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = database
    obj._state = state
    return obj


_ATTNAMES: dict[type[Model], tuple[str, ...]] = {}


def attnames(model: type[Model]) -> tuple[str, ...]:
    """``model``'s concrete fields' attribute names, in order."""
    names = _ATTNAMES.get(model)
    if names is None:
        names = _ATTNAMES[model] = tuple(f.attname for f in model._meta.concrete_fields)
    return names
