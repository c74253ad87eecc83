"""Rate limits counted in batches: each process reserves several calls of a client's
allowance in one write to the shared store, and the store never counts past the limit.
Two RateLimiter objects stand for two worker processes sharing one store (the database, or
Redis when it runs here); test_limits_across_processes runs real processes."""

from __future__ import annotations

import os
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.core.models import RateCounter
from buron.core.ratelimit import BATCH_MAX, RateLimiter, batch_size
from buron.core.testing.race import race

NOW = 3_600_000.0  # the start of a window of an hour
HOUR = 3600


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """The shared store: the database, or Redis (each test under a prefix of its own)."""
    if request.param == "redis":
        if not _redis_reachable():
            if os.environ.get("CI"):  # .ci/run starts Redis: CI never skips these
                pytest.fail("Redis is not running on 127.0.0.1:6379")
            pytest.skip("Redis is not running on 127.0.0.1:6379 (start it to run these)")
        import secrets

        settings.REDIS_URL = "redis://127.0.0.1:6379/0"
        settings.CACHE_KEY_PREFIX = f"buron-test-{secrets.token_hex(8)}"
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": settings.CACHE_KEY_PREFIX,
            },
        }
    return request.param


def allowed(limiter: RateLimiter, calls: int, *, name: str = "c", limit: int = 100) -> int:
    return sum(
        limiter.hit(name=name, limit=limit, period=HOUR, now=NOW + 1).allowed
        for _call in range(calls)
    )


def counted(store: str, name: str = "c") -> int:
    if store == "database":
        return RateCounter.objects.get(name=name).calls
    from django.conf import settings
    from django_redis import get_redis_connection

    key = f"{settings.CACHE_KEY_PREFIX}:rate:{name}:{int(NOW // HOUR)}"
    return int(get_redis_connection("default").get(key))


def test_batches_are_large_far_from_the_limit_and_single_calls_near_it():
    assert batch_size(limit=100_000, counted=0) == BATCH_MAX
    assert batch_size(limit=600, counted=0) == 600 // 16
    assert batch_size(limit=600, counted=590) == 1
    assert batch_size(limit=4, counted=0) == 1
    assert batch_size(limit=600, counted=600) == 1


@pytest.mark.django_db
def test_two_processes_alternating_get_exactly_the_limit(store):
    first, second = RateLimiter(), RateLimiter()
    answers = [
        limiter.hit(name="c", limit=100, period=HOUR, now=NOW + 1).allowed
        for _round in range(80)
        for limiter in (first, second)
    ]
    assert sum(answers) == 100
    assert answers[:100] == [True] * 100  # refused only past the limit, on both
    assert counted(store) == 100


@pytest.mark.django_db
def test_the_store_is_written_once_a_batch_not_once_a_call():
    limiter = RateLimiter()
    with CaptureQueriesContext(connection) as queries:
        assert allowed(limiter, 200, limit=100_000) == 200
    writes = [q for q in queries.captured_queries if "ratecounter" in q["sql"].lower()]
    assert len(writes) == -(-200 // BATCH_MAX)  # 64 + 64 + 64 + 8
    assert RateCounter.objects.get(name="c").calls == len(writes) * BATCH_MAX


@pytest.mark.django_db
def test_a_process_holding_a_reservation_lets_another_go_no_further_than_the_limit(store):
    idle, busy = RateLimiter(), RateLimiter()
    assert allowed(idle, 1) == 1  # reserves a batch, answers one call
    reserved = counted(store)
    assert reserved == 100 // 16
    served = allowed(busy, 200)
    # The other process is refused at the limit less what the first one holds.
    assert served == 100 - reserved
    assert counted(store) == 100
    # The first one still answers what it reserved, and not one call more.
    assert allowed(idle, 50) == reserved - 1
    assert allowed(busy, 5) == 0


@pytest.mark.django_db
def test_a_restarted_process_keeps_to_the_count_of_the_window(store):
    before = RateLimiter()
    assert allowed(before, 30) == 30
    after = RateLimiter()  # the same process started again: its reservation is gone
    served = allowed(after, 200)
    assert served <= 70
    assert served >= 70 - batch_size(limit=100, counted=0)  # at most one batch lost
    assert counted(store) == 100
    # The next window starts again from zero.
    assert after.hit(name="c", limit=100, period=HOUR, now=NOW + HOUR).allowed


@pytest.mark.django_db
def test_a_refused_client_is_told_when_its_window_ends(store):
    limiter = RateLimiter()
    assert allowed(limiter, 3, limit=2) == 2
    refused = limiter.hit(name="c", limit=2, period=HOUR, now=NOW + HOUR - 9.5)
    assert not refused.allowed
    assert refused.retry_after == 10
    assert counted(store) == 2


@pytest.mark.django_db
def test_a_limit_of_zero_refuses_everything_and_counts_nothing():
    assert allowed(RateLimiter(), 3, limit=0) == 0
    assert not RateCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_never_pass_the_limit_together(store):
    """Eight processes (each its own RateLimiter and connection) call at the same moment."""
    limit = 150

    def process() -> int:
        return allowed(RateLimiter(), 40, limit=limit)

    wins, failures = race([process for _n in range(8)])
    assert not failures
    assert sum(wins) <= limit
    # Each process may hold back at most what it reserved last (single calls near the end).
    assert sum(wins) >= limit - 8 * batch_size(limit=limit, counted=0)
    assert counted(store) == limit
