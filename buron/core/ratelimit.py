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

from . import store


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


def rate_hit(*, name: str, limit: int, period: int, now: float | None = None) -> Hit:
    """Count one call of `name` in its current window of `period` seconds; refused past
    `limit` calls, with the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // period)
    if settings.REDIS_URL:
        calls = _count_in_redis(name, window, period)
    else:
        calls = store.rate_counter_hit(name=name, window=window)
    if calls <= limit:
        return Hit(True, calls, 0)
    return Hit(False, calls, max(1, math.ceil((window + 1) * period - now)))
