"""Counting calls against a limit in a store every worker process shares.

A fixed window per client: the first call of a window starts its count at one. With
REDIS_URL set the counter is a Redis key (INCR and EXPIRE in one round trip); otherwise one
row of `core_ratecounter`, counted up by a single upsert statement (atomic on SQLite and
PostgreSQL alike), so a limit holds exactly however many processes serve the calls."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from . import sql
from .models import RateCounter


@dataclass(frozen=True)
class Hit:
    allowed: bool
    calls: int
    retry_after: int  # seconds until the window ends (0 while allowed)


def _count_in_redis(name: str, window: int, period: int) -> int:
    from django_redis import get_redis_connection

    key = f"{settings.CACHE_KEY_PREFIX}:rate:{name}:{window}"
    pipe = get_redis_connection("default").pipeline()
    pipe.incr(key)
    pipe.expire(key, period + 1)
    calls, _expiry_set = pipe.execute()
    return int(calls)


def _count_in_database(name: str, window: int) -> int:
    table = sql.q(RateCounter._meta.db_table)
    name_col, window_col, calls_col = (sql.q(c) for c in ("name", "window_start", "calls"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({name_col}, {window_col}, {calls_col}) VALUES (%s, %s, 1)"  # noqa: S608
            f" ON CONFLICT ({name_col}) DO UPDATE SET"
            f" {calls_col} = CASE WHEN {table}.{window_col} = excluded.{window_col}"
            f" THEN {table}.{calls_col} + 1 ELSE 1 END,"
            f" {window_col} = excluded.{window_col}"
            f" RETURNING {calls_col}",
            [name, window],
        )
        row = cursor.fetchone()
    return int(row[0])


def rate_hit(*, name: str, limit: int, period: int, now: float | None = None) -> Hit:
    """Count one call of `name` in its current window of `period` seconds; refused past
    `limit` calls, with the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // period)
    if settings.REDIS_URL:
        calls = _count_in_redis(name, window, period)
    else:
        calls = _count_in_database(name, window)
    if calls <= limit:
        return Hit(True, calls, 0)
    return Hit(False, calls, max(1, math.ceil((window + 1) * period - now)))
