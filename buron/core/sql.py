"""The plumbing of statements written by hand, with the models' own tables and columns.

Everywhere else the ORM builds the queries. On the few statements every booking request
runs (its token, its site, the free desks, the member's day, the inserts), building a query
costs 0.5 to 1.5 ms of Python for a statement the database answers in a tenth of that, so
those are written by hand — each in the `store.py` of the app that owns its tables
(places, accounts, booking). What the ORM does around a statement is kept: table and column
names come from the models' _meta, values read back go through the same converters (dates,
times in UTC, booleans on SQLite), and an insert fills defaults and `auto_now_add` like
`save()` (but sends no signal: a booking's participants are called by the booking services
themselves, on this path too). Plain SQL with named parameters (`%(name)s`) and quoted
names, valid on SQLite and PostgreSQL; every statement runs in the test suite on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

Converter = Callable[[Any, Any, Any], Any]


def q(name: str) -> str:
    """A quoted table or column name."""
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    """A model's table, quoted, as its _meta names it."""
    return q(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """A model field's column, quoted, as its _meta names it."""
    return q(_field(model, name).column)


Params = Mapping[str, Any]


def fetch_all(statement: str, params: Params) -> list[tuple[Any, ...]]:
    """Run one statement with named parameters (`%(name)s`) and return its rows."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def execute(statement: str, params: Params) -> int:
    """Run one statement with named parameters; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _connection() -> BaseDatabaseWrapper:
    """This thread's connection itself: `connection` is a proxy that looks the connection
    up again at each attribute, and converters read several."""
    return connections[DEFAULT_DB_ALIAS]


def param(model: type[Model], name: str, value: Any) -> Any:
    """A value as the database takes it for that field (a date as text on SQLite, say)."""
    return _field(model, name).get_db_prep_value(value, _connection(), prepared=False)


def _converters(field: Field[Any, Any], alias: str) -> tuple[Col, list[Converter]]:
    """What the ORM applies to a column's values, with the expression they are given."""
    col = field.get_col(alias)
    return col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)


@cache
def _read_converters(model: type[Model], name: str, vendor: str) -> tuple[Col, list[Converter]]:
    return _converters(_field(model, name), "t")


def read(model: type[Model], name: str, value: Any) -> Any:
    """A value read from a model's column, as the ORM would give it (an aware datetime)."""
    conn = _connection()
    col, converters = _read_converters(model, name, conn.vendor)
    for convert in converters:
        value = convert(value, col, conn)
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
        self.pk_at = self.fields.index(model._meta.pk) if model._meta.pk else 0

    def pk(self, row: Sequence[Any], start: int = 0) -> Any:
        """The row's primary key (None where a LEFT JOIN found no row)."""
        return row[start + self.pk_at]

    def load(self, row: Sequence[Any], start: int = 0) -> Any:
        values = list(row[start : start + self.width])
        conn = _connection()
        for i, col, converters in _converters_of(self.model, self.alias, conn.vendor):
            for convert in converters:
                values[i] = convert(values[i], col, conn)
        return self.model.from_db(conn.alias, self.names, values)


def compose(template: str, **names: str) -> str:
    """A statement from fixed text whose `{name}` places take table names, column lists or
    other apps' fragments (never values: those go as named parameters). With select(), the
    one place a statement is put together."""
    return template.format(**names)


def among(column: str, name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """A condition that a column is one of some values, and its parameters: one array on
    PostgreSQL (`column = ANY(%(name)s)`), placeholders elsewhere (`column IN (%(name_0)s,
    …)`). Give at least one value: `IN ()` is not SQL."""
    found = list(values)
    if not found:
        raise ValueError("an IN list needs at least one value")
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%({name})s)", {name: found}
    params = {f"{name}_{n}": value for n, value in enumerate(found)}
    return f"{column} IN ({', '.join(f'%({key})s' for key in params)})", params


def select(*columns: Selected | str, rest: str) -> str:
    """A SELECT of some columns, a model's all (a Selected) or single ones ("t.id"), then
    the caller's fixed text: the one place a statement is put together from the models'
    column names; values always go as parameters."""
    names = ", ".join(c.columns if isinstance(c, Selected) else c for c in columns)
    return f"SELECT {names} {rest}"


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
    conn = _connection()
    return (
        [q(f.column) for f in fields],
        [f.get_db_prep_save(f.pre_save(instance, True), conn) for f in fields],
    )


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    return q(pk.column)


def _insert(
    instances: Sequence[Model], suffix: str = "", only_if: tuple[str, Params] | None = None
) -> list[tuple[Any, ...]]:
    """One INSERT of new instances of one model, then `suffix` (RETURNING…); the rows it
    returns. With only_if (a condition and its named parameters), the rows go in only
    when the condition holds as the statement runs."""
    rows = [_insert_values(instance) for instance in instances]
    names = rows[0][0]
    params: dict[str, Any] = {}
    tuples = []
    for i, (_names, values) in enumerate(rows):
        keys = [f"v{i}_{j}" for j in range(len(values))]
        params.update(zip(keys, values, strict=True))
        tuples.append("(" + ", ".join(f"%({key})s" for key in keys) + ")")
    source = f"VALUES {', '.join(tuples)}"
    if only_if is not None:
        condition, more = only_if
        params.update(more)
        source = compose(
            "SELECT * FROM ({source}) AS v WHERE {condition}", source=source, condition=condition
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(instances[0]._meta.db_table)} ({', '.join(names)}) {source}{suffix}",
            params,
        )
        return list(cursor.fetchall()) if suffix else []


def _saved(instances: Sequence[Model]) -> None:
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def insert(instance: Model) -> None:
    """INSERT one new instance and set its primary key, as `save()` would (no signals).
    Every column is sent: a field with only a database default (`db_default` and no
    `default`) is not for this helper."""
    ((instance.pk,),) = _insert([instance], f" RETURNING {_pk_column(type(instance))}")
    _saved([instance])


def insert_many(
    instances: Sequence[Model],
    *,
    skip_taken: bool = False,
    only_if: tuple[str, Params] | None = None,
) -> int:
    """INSERT new instances of one model in one statement; returns how many went in.

    With skip_taken, a row a unique constraint refuses (one already held) is left out
    instead of failing the statement (ON CONFLICT DO NOTHING, on both databases): the
    count tells the caller. With only_if (a condition on other rows, with its named
    parameters), none goes in unless it holds when the statement runs. Keys are not
    read back."""
    if not instances:
        return 0
    if skip_taken or only_if is not None:
        conflict = " ON CONFLICT DO NOTHING" if skip_taken else ""
        returning = f"{conflict} RETURNING {_pk_column(type(instances[0]))}"
        inserted = len(_insert(instances, returning, only_if))
    else:
        _insert(instances)
        inserted = len(instances)
    if inserted == len(instances):
        _saved(instances)
    return inserted
