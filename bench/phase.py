"""One database's part of a run: seed, time the selector, serve, load, check.

Run by bench.run as `python -m bench.phase --target postgres|sqlite ...`, with the
environment of the servers it starts (DEBUG off, bench.settings, the database to use), and
writes its figures as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sqlite3
import statistics
import sys
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django

from .config import SIZES, Load

if TYPE_CHECKING:
    from .client import LoadResult, Plan
    from .loadplan import Member, Targets


def log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def search_day(today: dt.date) -> dt.date:
    """The day searched and hammered: the first Tuesday a week or more ahead that is not a
    public holiday (most demo sites open on Tuesdays)."""
    from buron.places.selectors import public_holiday_name

    day = today + dt.timedelta(days=7)
    while day.weekday() != 1 or public_holiday_name(day):
        day += dt.timedelta(days=1)
    return day


def _timed(seconds: float) -> float:
    return round(seconds, 2)


def _seed(target: str, size_name: str, reseed: bool, today: dt.date) -> dict[str, Any]:
    from . import seed_demo, seed_pg

    began = time.perf_counter()
    if target == "sqlite":
        found = seed_demo.seed(today)
        return {**found, "seconds": _timed(time.perf_counter() - began), "seeded_now": True}
    size = SIZES[size_name]
    marker = seed_pg.marker()
    if reseed or not seed_pg.is_current(marker, size, today):
        log(f"seeding PostgreSQL ({size.name}): this is the long part of a first run")
        found = seed_pg.seed(size, today)
        return {**found, "seeded_now": True, "size": size.as_dict(), "counts": seed_pg.counts()}
    assert marker is not None
    log(f"seed of {marker['seeded_at']:%Y-%m-%d %H:%M} reused ({size.name}; --reseed redoes it)")
    return {
        "seeded_now": False,
        "seconds": _timed(time.perf_counter() - began),
        "seeded_at": marker["seeded_at"].isoformat(),
        "seed_seconds_then": round(marker["seconds"], 1),
        "first_day": marker["first_day"].isoformat(),
        "last_day": marker["last_day"].isoformat(),
        "size": size.as_dict(),
        "counts": seed_pg.counts(),
    }


def _selector(day: dt.date, calls: int, max_s: float) -> tuple[dict[str, Any], Any]:
    """The availability selector alone, in this process, as the API calls it."""
    from buron.booking.selectors import availability

    results = availability(day=day, period="day", kind="desk")
    latencies: list[float] = []
    deadline = time.perf_counter() + max_s
    for _call in range(calls):
        if time.perf_counter() > deadline:
            break
        begin = time.perf_counter()
        results = availability(day=day, period="day", kind="desk")
        latencies.append((time.perf_counter() - begin) * 1000)
    from .client import percentile

    return {
        "calls": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "sites": len(results),
        "open_sites": sum(1 for r in results if r.is_open),
        "free_desks": sum(r.free_count for r in results),
    }, results


def _integrity() -> dict[str, Any]:
    """Double bookings after the load, counted in SQL over the whole tables."""
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET work_mem = '256MB'")
        # Sorted by start on each resource, an active booking overlaps an earlier one exactly
        # when it starts before the latest end seen so far: zero means no two overlap.
        cursor.execute(
            """SELECT count(*) FROM (
                SELECT start, max("end") OVER (
                    PARTITION BY resource_id ORDER BY start, id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS latest_end
                FROM booking_booking WHERE status = 'active'
            ) AS ordered WHERE latest_end > start"""
        )
        overlapping = int(cursor.fetchone()[0])
        cursor.execute(
            """SELECT count(*) FROM (
                SELECT 1 FROM booking_bookingslot WHERE is_active
                GROUP BY network_id, resource_id, day, slot HAVING count(*) > 1
            ) AS held_twice"""
        )
        duplicate_slots = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM booking_booking WHERE status = 'active'")
        active = int(cursor.fetchone()[0])
    return {
        "overlapping_active_bookings": overlapping,
        "duplicate_active_slots": duplicate_slots,
        "active_bookings_checked": active,
        "seconds": _timed(time.perf_counter() - began),
    }


def _probes(
    *,
    token: str,
    other_token: str,
    carnet_token: str,
    spread: tuple[dt.date, str],
    hot: dict[str, Any],
) -> dict[str, Any]:
    """Queries and time of one request of each kind, in this process (after the load), by
    tokens already in use: a token's first call also writes its rate batch and its last
    use (once in BATCH_MAX calls, and once in a while), measured apart."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .server import HOST, MINIMAL_PATH

    client = Client(HTTP_HOST=HOST)

    def probe(method: str, path: str, body: dict[str, str] | None = None, token: str = "") -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            if method == "GET":
                response = client.get(path, headers=headers)
            else:
                response = client.post(
                    path, json.dumps(body), content_type="application/json", headers=headers
                )
            elapsed = (time.perf_counter() - begin) * 1000
        return {"status": response.status_code, "queries": len(queries), "ms": round(elapsed, 1)}

    day, site = spread
    booking = {"site": site, "date": day.isoformat(), "period": "am"}
    carnet_booking = {"site": site, "date": day.isoformat(), "period": "am"}
    hot_booking = {"site": hot["site"], "date": hot["day"], "period": "day"}
    availability = f"/api/v1/availability?date={hot['day']}&period=day&kind=desk"
    first_call = probe("GET", "/api/v1/bookings", None, token)
    for warm in (other_token, carnet_token):
        probe("GET", "/api/v1/bookings", None, warm)
    return {
        "minimal": probe("GET", MINIMAL_PATH),
        "availability_all_sites": probe("GET", availability),
        "token_first_call": first_call,
        "token_second_call": probe("GET", "/api/v1/bookings", None, token),
        "booking_created": probe("POST", "/api/v1/bookings", booking, token),
        "booking_carnet_created": probe("POST", "/api/v1/bookings", carnet_booking, carnet_token),
        "booking_same_again": probe("POST", "/api/v1/bookings", booking, token),
        "booking_hot_site_after_load": probe("POST", "/api/v1/bookings", hot_booking, other_token),
    }


def _hot_target(day: dt.date) -> dict[str, Any]:
    """The open site with the most free desks that day."""
    from buron.booking.selectors import availability

    found = [r for r in availability(day=day, period="day", kind="desk") if r.is_open]
    best = max(found, key=lambda r: (r.free_count, -r.site.pk))
    return {"site": best.site.slug, "day": day.isoformat(), "free_desks": best.free_count}


def _probe_target(targets: Targets) -> tuple[dt.date, str]:
    """The last day of the horizon and a site with two desks still free that morning (one
    if none has two): the "booking created" probes must find them (the seed fills some
    sites' days)."""
    from buron.booking.selectors import availability

    day = targets.days[-1]
    found = availability(day=day, period="am", kind="desk")
    free = [r.site.slug for r in found if r.free_count >= 2]
    free = free or [r.site.slug for r in found if r.free_count]
    return day, (free or targets.open_sites[day]["am"])[0]


@dataclass
class LoadSetup:
    """The load clients of a phase, ready to run."""

    members: list[Member]
    probe_members: list[Member]
    targets: Targets
    booking_plans: list[Plan]
    groups: list[str]
    minimal_plans: list[Plan]
    # The carnet load: other members, each with a carnet, the same shapes of clients (their
    # hot site is hammered another day).
    carnet_members: list[Member]
    carnet_plans: list[Plan]


def _plans(
    members: list[Member], targets: Targets, hot: tuple[str, dt.date], seed: int
) -> list[Plan]:
    """Half the members spread over all sites and days, half hammer one site one day."""
    from . import loadplan

    half = len(members) // 2
    return [
        loadplan.spread_plan(m, targets, seed=seed + n) for n, m in enumerate(members[:half])
    ] + [loadplan.hot_plan(m, *hot, seed=n) for n, m in enumerate(members[half:])]


def _load_setup(
    load: Load, today: dt.date, hot: tuple[str, dt.date], carnet_hot: tuple[str, dt.date]
) -> LoadSetup:
    from . import loadplan, server
    from .client import Request

    run_id = uuid.uuid4().hex[:8]
    members = loadplan.members_create(load.clients, run_id)
    probe_members = loadplan.members_create(3, run_id + "-probe")
    carnet_members = loadplan.members_create(load.clients, run_id + "-carnet")
    granted = loadplan.carnets_grant([*carnet_members, probe_members[2]], today)
    log(f"carnets given: {granted}")
    targets = loadplan.spread_targets(today)
    half = load.clients // 2
    minimal = Request("GET", server.MINIMAL_PATH)
    minimal_plans: list[Plan] = [lambda _k: minimal for _n in range(load.clients)]
    return LoadSetup(
        members=members,
        probe_members=probe_members,
        targets=targets,
        booking_plans=_plans(members, targets, hot, seed=0),
        groups=["spread"] * half + ["hot"] * (load.clients - half),
        minimal_plans=minimal_plans,
        carnet_members=carnet_members,
        carnet_plans=_plans(carnet_members, targets, carnet_hot, seed=load.clients),
    )


def _availability_http(port: int, load: Load, day: dt.date) -> dict[str, Any]:
    from . import client
    from .client import Request

    path = f"/api/v1/availability?date={day.isoformat()}&period=day&kind=desk"
    latencies, body = client.sequential(
        port=port,
        request=Request("GET", path),
        calls=load.availability_calls,
        timeout_s=load.request_timeout_s,
        max_seconds=load.availability_max_s,
    )
    answer = json.loads(body)
    return {
        "path": path,
        "calls": len(latencies),
        "p50_ms": round(client.percentile(latencies, 50), 1),
        "p95_ms": round(client.percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "response_bytes": len(body),
        "sites": len(answer),
        "free_desks": sum(site["free"] for site in answer),
    }


def _loads(port: int, load: Load, setup: LoadSetup) -> dict[str, LoadResult]:
    """The minimal view, then bookings, then the minimal view again, by the same clients."""
    from . import client

    def run_load(
        label: str, plans: list[Plan], completed: frozenset[int], **extra: Any
    ) -> LoadResult:
        return client.load(
            label=label,
            port=port,
            plans=plans,
            duration_s=extra.pop("duration_s", load.duration_s),
            max_requests=load.max_requests_per_client,
            completed_statuses=completed,
            timeout_s=load.request_timeout_s,
            **extra,
        )

    ok_minimal = frozenset({200})
    ok_booking = frozenset({201, 409, 422})
    run_load("warm-up", setup.minimal_plans, ok_minimal, duration_s=load.warmup_s)
    runs = {
        "minimal_before": run_load("minimal_before", setup.minimal_plans, ok_minimal),
        "booking": run_load("booking", setup.booking_plans, ok_booking, groups=setup.groups),
        "booking_carnet": run_load(
            "booking_carnet", setup.carnet_plans, ok_booking, groups=setup.groups
        ),
        "minimal_after": run_load("minimal_after", setup.minimal_plans, ok_minimal),
    }
    for label, result in runs.items():
        log(f"{label}: {result.rps:.1f} req/s, {result.as_dict()['statuses']}")
    return runs


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from . import loadplan, server

    load = Load(duration_s=args.duration, availability_calls=args.calls)
    today = timezone.localdate()
    out: dict[str, Any] = {"target": args.target}
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    out["migrate_s"] = _timed(time.perf_counter() - began)
    out["seed"] = _seed(args.target, args.size, args.reseed, today)
    log(f"seed: {out['seed'].get('seconds')} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            out["database"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        out["database"] = f"SQLite {sqlite3.sqlite_version}"

    day = search_day(today)
    out["day"] = day.isoformat()
    out["selector"], results = _selector(day, load.selector_calls, load.selector_max_s)
    log(f"selector in-process: {out['selector']}")
    open_results = [r for r in results if r.is_open]
    hot = max(open_results, key=lambda r: (r.free_count, -r.site.pk))
    out["hot"] = {"site": hot.site.slug, "day": day.isoformat(), "free_desks": hot.free_count}
    out["carnet_hot"] = _hot_target(search_day(day))

    out["load_members_removed"] = loadplan.members_reset()
    setup = _load_setup(
        load,
        today,
        (hot.site.slug, day),
        (out["carnet_hot"]["site"], dt.date.fromisoformat(out["carnet_hot"]["day"])),
    )
    out["spread"] = {
        "clients": setup.groups.count("spread"),
        "days": len(setup.targets.days),
        "requests_per_client_at_most": loadplan.spread_limit(setup.targets),
    }
    connections.close_all()

    log_path = Path(args.log_dir) / f"gunicorn-{args.target}.log"
    with server.running(env=dict(os.environ), load=load, log_path=log_path) as srv:
        out["first_start_s"] = _timed(server.wait_first_ok(srv))
        out["availability_http"] = _availability_http(srv.port, load, day)
        log(f"availability over HTTP: {out['availability_http']}")
        runs = _loads(srv.port, load, setup)
        workers = {pid: round(server.rss_mb(pid), 1) for pid in srv.worker_pids()}
        out["rss_mb"] = {
            "workers": workers,
            "max_worker": max(workers.values()),
            "master": round(server.rss_mb(srv.pid), 1),
        }
    minimal_rps = statistics.fmean([runs["minimal_before"].rps, runs["minimal_after"].rps])
    booking = runs["booking"]
    out["load"] = {label: result.as_dict() for label, result in runs.items()}
    out["booking_rps"] = round(booking.rps, 1)
    out["minimal_rps"] = round(minimal_rps, 1)
    out["ratio"] = round(booking.rps / minimal_rps, 3) if minimal_rps else 0.0
    carnet = runs["booking_carnet"]
    out["booking_carnet_rps"] = round(carnet.rps, 1)
    out["ratio_carnet"] = round(carnet.rps / minimal_rps, 3) if minimal_rps else 0.0
    out["integrity"] = {
        **_integrity(),
        "created_answers": booking.statuses.get(201, 0) + booking.late.get(201, 0),
        "created_in_database": loadplan.load_bookings(setup.members),
    }
    out["carnet"] = {
        **loadplan.carnet_spent(setup.carnet_members),
        "created_answers": carnet.statuses.get(201, 0) + carnet.late.get(201, 0),
    }
    log(f"carnet: {out['carnet']}")
    log(f"integrity: {out['integrity']}")
    out["probes"] = _probes(
        token=setup.probe_members[0].token,
        other_token=setup.probe_members[1].token,
        carnet_token=setup.probe_members[2].token,
        spread=_probe_target(setup.targets),
        hot=out["hot"],
    )
    log(f"probes: {out['probes']}")
    connections.close_all()
    out["cold_start_s"] = [
        _timed(s) for s in server.cold_starts(env=dict(os.environ), load=load, log_path=log_path)
    ]
    log(f"cold starts: {out['cold_start_s']}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phase")
    parser.add_argument("--target", choices=["postgres", "sqlite"], required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--duration", type=float, default=Load.duration_s)
    parser.add_argument("--calls", type=int, default=Load.availability_calls)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    # Asked to end (by bench.run on a timeout): unwind, so that servers are stopped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(1))
    # No collected static files are needed here: nothing served by the bench uses them.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    # The probes' 409 and 422 answers are expected; keep the console for real errors.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    result = run(args)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
