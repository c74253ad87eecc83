"""Statements written by hand on core's tables.

The API's rate counter is shared by every worker process: a process takes a batch of a
client's allowance from it in one upsert statement (buron.core.ratelimit), atomic on SQLite
and PostgreSQL alike, rather than a read and a write through the ORM. Table and column
names come from the model's _meta; values go as named parameters.
"""

from __future__ import annotations

from functools import cache

from . import sql
from .models import RateCounter


@cache
def _reserve_statement() -> str:
    # A new window starts the count again; within a window the count only grows, and never
    # past the limit: when the batch does not fit, nothing is written and no row comes back.
    return sql.compose(
        "INSERT INTO {table} ({name}, {window}, {calls}) VALUES (%(name)s, %(window)s, %(want)s)"
        " ON CONFLICT ({name}) DO UPDATE SET"
        " {calls} = CASE WHEN {table}.{window} = excluded.{window}"
        " THEN {table}.{calls} + excluded.{calls} ELSE excluded.{calls} END,"
        " {window} = excluded.{window}"
        " WHERE {table}.{window} <> excluded.{window}"
        " OR {table}.{calls} + excluded.{calls} <= %(limit)s"
        " RETURNING {calls}",
        table=sql.table(RateCounter),
        name=sql.column(RateCounter, "name"),
        window=sql.column(RateCounter, "window_start"),
        calls=sql.column(RateCounter, "calls"),
    )


def rate_counter_reserve(*, name: str, window: int, want: int, limit: int) -> int | None:
    """Count `want` more calls of `name` in the fixed window `window` (1 ≤ want ≤ limit)
    unless that would pass `limit`: the calls counted in the window then, or None (nothing
    counted) when they do not fit."""
    rows = sql.fetch_all(
        _reserve_statement(), {"name": name, "window": window, "want": want, "limit": limit}
    )
    return int(rows[0][0]) if rows else None
