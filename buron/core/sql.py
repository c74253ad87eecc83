"""Statements written by hand for the booking's hot path, with the models' own columns.

Everywhere else the ORM builds the queries. On the few statements every booking request
runs (its token, its site, the free desks, the member's day, the inserts), building a query
costs 0.5 to 1.5 ms of Python for a statement the database answers in a tenth of that, so
those are written by hand. What the ORM does around a statement is kept: columns and
parameters come from the model fields, values read back go through the same converters
(dates, times in UTC, booleans on SQLite), and an insert fills defaults and `auto_now_add`
like `save()`. Plain SQL with `%s` parameters and quoted names, valid on SQLite and
PostgreSQL; every statement runs in the test suite on both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


def q(name: str) -> str:
    """A quoted table or column name."""
    return connection.ops.quote_name(name)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def param(model: type[Model], name: str, value: Any) -> Any:
    """A value as the database takes it for that field (a date as text on SQLite, say)."""
    return _field(model, name).get_db_prep_value(value, connection, prepared=False)


def _converters(field: Field[Any, Any], alias: str) -> tuple[Col, list[Converter]]:
    """What the ORM applies to a column's values, with the expression they are given."""
    col = field.get_col(alias)
    return col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)


def read(model: type[Model], name: str, value: Any) -> Any:
    """A value read from a model's column, as the ORM would give it (an aware datetime)."""
    col, converters = _converters(_field(model, name), "t")
    for convert in converters:
        value = convert(value, col, connection)
    return value


class Selected:
    """All concrete columns of a model under an alias: `columns` to put in a SELECT, then
    `load(row, start)` builds the instance from that row, as the ORM would have."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.columns = ", ".join(f"{q(alias)}.{q(f.column)}" for f in self.fields)
        self.width = len(self.fields)

    def load(self, row: Sequence[Any], start: int = 0) -> Any:
        values = list(row[start : start + self.width])
        for i, col, converters in _converters_of(self.model, self.alias, connection.vendor):
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


@cache
def _converters_of(
    model: type[Model], alias: str, vendor: str
) -> list[tuple[int, Col, list[Converter]]]:
    """The columns of a model that need converting, by position (kept per database kind)."""
    found = []
    for i, field in enumerate(model._meta.concrete_fields):
        col, converters = _converters(field, alias)
        if converters:
            found.append((i, col, converters))
    return found


def _insert_values(instance: Model) -> tuple[list[str], list[Any]]:
    fields = [f for f in instance._meta.concrete_fields if f is not instance._meta.auto_field]
    return (
        [q(f.column) for f in fields],
        [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields],
    )


def insert(instance: Model) -> None:
    """INSERT one new instance and set its primary key, as `save()` would (no signals).
    Every column is sent: a field with only a database default (`db_default` and no
    `default`) is not for this helper."""
    names, values = _insert_values(instance)
    pk = instance._meta.pk
    if pk is None:
        raise TypeError(f"{type(instance).__name__} has no primary key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(instance._meta.db_table)} ({', '.join(names)}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(values))}) RETURNING {q(pk.column)}",
            values,
        )
        (instance.pk,) = cursor.fetchone()
    instance._state.adding = False
    instance._state.db = connection.alias


def insert_many(instances: Sequence[Model], *, skip_taken: bool = False) -> int:
    """INSERT new instances of one model in one statement; returns how many went in.

    With skip_taken, a row a unique constraint refuses (one already held) is left out
    instead of failing the statement (ON CONFLICT DO NOTHING, on both databases): the
    count tells the caller. Keys are not read back."""
    if not instances:
        return 0
    rows = [_insert_values(instance) for instance in instances]
    names = rows[0][0]
    pk = instances[0]._meta.pk
    if pk is None:
        raise TypeError(f"{type(instances[0]).__name__} has no primary key")
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    skip = f" ON CONFLICT DO NOTHING RETURNING {q(pk.column)}" if skip_taken else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(instances[0]._meta.db_table)} ({', '.join(names)}) "  # noqa: S608 - names from the model
            f"VALUES {', '.join([placeholders] * len(rows))}{skip}",
            [value for _names, values in rows for value in values],
        )
        inserted = len(cursor.fetchall()) if skip_taken else len(rows)
    if inserted == len(rows):
        for instance in instances:
            instance._state.adding = False
            instance._state.db = connection.alias
    return inserted
