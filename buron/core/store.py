"""Statements written by hand on core's tables.

The API's rate counter is counted on every API call (on the booking's hot path): one upsert
statement, atomic on SQLite and PostgreSQL alike, rather than a read and a write through the
ORM. Table and column names come from the model's _meta; values go as named parameters.
"""

from __future__ import annotations

from functools import cache

from . import sql
from .models import RateCounter


@cache
def _count_statement() -> str:
    return sql.compose(
        "INSERT INTO {table} ({name}, {window}, {calls}) VALUES (%(name)s, %(window)s, 1)"
        " ON CONFLICT ({name}) DO UPDATE SET"
        " {calls} = CASE WHEN {table}.{window} = excluded.{window}"
        " THEN {table}.{calls} + 1 ELSE 1 END,"
        " {window} = excluded.{window}"
        " RETURNING {calls}",
        table=sql.table(RateCounter),
        name=sql.column(RateCounter, "name"),
        window=sql.column(RateCounter, "window_start"),
        calls=sql.column(RateCounter, "calls"),
    )


def rate_counter_hit(*, name: str, window: int) -> int:
    """Count one call of `name` in the fixed window `window`; the calls counted in it."""
    ((calls,),) = sql.fetch_all(_count_statement(), {"name": name, "window": window})
    return int(calls)
