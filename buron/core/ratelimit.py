"""Counting calls against a limit in a store every worker process shares.

A fixed window per client: the count of a window starts at zero. The count lives in a store
every process shares — a Redis key with REDIS_URL set (a script, atomic), else one row of
`core_ratecounter` (one upsert statement, atomic on SQLite and PostgreSQL alike) — so a limit
holds however many processes serve the calls.

Writing to that store on every call would serialise the workers on SQLite (one write lock)
and cost a round trip elsewhere. So a process takes its calls from the store in batches: it
reserves several calls of a client's allowance in one write, then answers that many calls
from its memory. A batch is a share of what is left of the allowance (BATCH_SHARE), at most
BATCH_MAX, and a single call near the limit; the store never counts past the limit, so the
limit is never exceeded. Calls a process reserved and did not use are lost with the window
(or the process): a client spread over several processes may be refused a few calls short of
the limit, never after it. What a process keeps in memory is only its own reservation: no
two processes need to agree on it, and a restarted process starts from the store's count.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from . import store

# A batch is at most this share of the allowance left in the window...
BATCH_SHARE = 16
# ...and at most this many calls.
BATCH_MAX = 64
# Past this many clients in memory, a process forgets its reservations (they are lost,
# which only lowers what those clients may still call in their windows).
MAX_LEASES = 10_000


@dataclass(frozen=True)
class Hit:
    allowed: bool
    calls: int  # the window's count in the store when this process last wrote it
    retry_after: int  # seconds until the window ends (0 while allowed)


@dataclass
class _Lease:
    """A process's reservation for one client in one window."""

    window: int
    left: int = 0  # calls reserved in the store, not answered yet
    counted: int = 0  # the store's count at the last reservation
    spent: bool = False  # the store refused: the window's allowance is used up


def batch_size(*, limit: int, counted: int) -> int:
    """How many calls to reserve when the store last counted `counted` of `limit`."""
    return max(1, min(BATCH_MAX, (limit - counted) // BATCH_SHARE))


_REDIS_RESERVE = """
local calls = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - calls)
if want <= 0 then return {0, calls} end
calls = redis.call('INCRBY', KEYS[1], want)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {want, calls}
"""


def _reserve_in_redis(
    name: str, window: int, want: int, *, limit: int, period: int
) -> tuple[int, int]:
    from django_redis import get_redis_connection

    key = f"{settings.CACHE_KEY_PREFIX}:rate:{name}:{window}"
    granted, calls = get_redis_connection("default").eval(
        _REDIS_RESERVE, 1, key, want, limit, period + 1
    )
    return int(granted), int(calls)


def _reserve_in_database(name: str, window: int, want: int, limit: int) -> tuple[int, int]:
    calls = store.rate_counter_reserve(name=name, window=window, want=want, limit=limit)
    if calls is None and want > 1:
        # The batch did not fit: what is left is counted one call at a time.
        want = 1
        calls = store.rate_counter_reserve(name=name, window=window, want=want, limit=limit)
    return (0, limit) if calls is None else (want, calls)


def reserve(*, name: str, window: int, want: int, limit: int, period: int) -> tuple[int, int]:
    """Count up to `want` calls of `name` in its window in the shared store, never past
    `limit`: how many were counted (0 when the allowance is used up) and the count then."""
    if settings.REDIS_URL:
        return _reserve_in_redis(name, window, want, limit=limit, period=period)
    return _reserve_in_database(name, window, want, limit)


class RateLimiter:
    """One process's side of the shared counts: its reservations, per client."""

    def __init__(self) -> None:
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop every reservation (they count as used in the store)."""
        with self._lock:
            self._leases.clear()

    def _lease(self, name: str, window: int) -> _Lease:
        lease = self._leases.get(name)
        if lease is None or lease.window != window:
            if len(self._leases) >= MAX_LEASES:
                self._leases.clear()
            lease = self._leases[name] = _Lease(window)
        return lease

    def _take(self, name: str, window: int) -> tuple[bool | None, _Lease]:
        """From this process's reservation: True (a call reserved), False (the store
        refused in this window) or None (nothing left here: ask the store)."""
        with self._lock:
            lease = self._lease(name, window)
            if lease.left > 0:
                lease.left -= 1
                return True, lease
            return (False if lease.spent else None), lease

    def hit(self, *, name: str, limit: int, period: int, now: float | None = None) -> Hit:
        """Count one call of `name` in its current window of `period` seconds; refused
        past `limit` calls, with the seconds until the window ends."""
        now = time.time() if now is None else now
        window = int(now // period)
        refused = Hit(False, limit, max(1, math.ceil((window + 1) * period - now)))
        if limit <= 0:
            return refused
        taken, lease = self._take(name, window)
        if taken is None:
            want = batch_size(limit=limit, counted=lease.counted)
            granted, counted = reserve(
                name=name, window=window, want=want, limit=limit, period=period
            )
            with self._lock:
                lease = self._lease(name, window)
                lease.counted = max(lease.counted, counted)
                lease.spent = granted == 0
                lease.left += max(0, granted - 1)
            taken = granted > 0
        return Hit(True, lease.counted, 0) if taken else refused


_limiter = RateLimiter()


def rate_hit(*, name: str, limit: int, period: int, now: float | None = None) -> Hit:
    """Count one call of `name` in its current window of `period` seconds (this process's
    RateLimiter); refused past `limit` calls, with the seconds until the window ends."""
    return _limiter.hit(name=name, limit=limit, period=period, now=now)


def rate_reservations_forget() -> None:
    """Forget this process's reservations (tests that reuse a client's name)."""
    _limiter.forget()
