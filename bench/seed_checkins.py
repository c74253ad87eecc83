"""Seed 10 million check-ins (visits) and their rollups on PostgreSQL, in set-based SQL.

The places, members and bookings come from bench.seed_pg (the same national network, in a
database of its own, `buron_bench_obs`), seeded mostly into the past: about two years of
desk bookings. Then, in one transaction:

- about 8% of the past bookings are released as no-shows (their slots freed);
- every other past booking is checked in: one visit per member, site and day (the booking's
  visitor status, a km avoided for most, CO2 at 0.218 kg/km);
- walk-ins fill up to the exact number of check-ins, on open past days;
- the rollups (observatory SiteDay and SiteDayMember) are computed in SQL for every site and
  day of the history, as `observatory.services.rollups_refresh` would write them: the bench
  then compares a sample of site-days with `observatory.raw.day_figures`.

A marker row (table bench_obs_seed) lets the next run reuse all this.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from buron.attendance.models import Visit
from buron.observatory.models import SiteDay, SiteDayMember
from buron.places.selectors import public_holidays

from . import seed_pg
from .config import Size

log = seed_pg.log
_execute = seed_pg._execute
_fetch = seed_pg._fetch


@dataclass(frozen=True)
class ObsSize:
    """How big the observatory's history is."""

    places: Size
    checkins: int


OBS_SIZES = {
    "full": ObsSize(
        places=Size(
            name="obs-full",
            database="buron_bench_obs",
            networks=100,
            sites_per_network=35,
            desks=27_000,
            rooms=0,
            bookings=13_000_000,
            members=50_000,
            future_days=14,
        ),
        checkins=10_000_000,
    ),
    "small": ObsSize(
        places=Size(
            name="obs-small",
            database="buron_bench_obs_small",
            networks=10,
            sites_per_network=35,
            desks=2_700,
            rooms=0,
            bookings=1_300_000,
            members=5_000,
            future_days=14,
        ),
        checkins=1_000_000,
    ),
}

NO_SHOW_PER_MILLE = 80
LATER_COLUMNS = (("places_resource", "name_en"),)
STATUSES = "ARRAY['salaried_remote', 'freelancer', 'startup', 'job_seeker', 'student']"


def marker() -> dict[str, Any] | None:
    """The last complete seed of check-ins, or None."""
    _execute(
        """CREATE TABLE IF NOT EXISTS bench_obs_seed (
            size text NOT NULL, checkins bigint NOT NULL, first_day date NOT NULL,
            last_day date NOT NULL, seeded_at timestamptz NOT NULL,
            seconds double precision NOT NULL)"""
    )
    rows = _fetch(
        "SELECT size, checkins, first_day, last_day, seeded_at, seconds FROM bench_obs_seed "
        "ORDER BY seeded_at DESC LIMIT 1"
    )
    if not rows:
        return None
    keys = ("size", "checkins", "first_day", "last_day", "seeded_at", "seconds")
    return dict(zip(keys, rows[0], strict=True))


def is_current(found: dict[str, Any] | None, size: ObsSize, today: dt.date) -> bool:
    """Whether the seed has this size and its history reaches at most a week before today."""
    return (
        found is not None
        and found["size"] == size.places.name
        and found["checkins"] == size.checkins
        and found["last_day"] >= today - dt.timedelta(days=7)
    )


def _secondary_indexes(tables: tuple[str, ...]) -> list[tuple[str, str]]:
    rows = _fetch(
        """SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
        [list(tables)],
    )
    return [(str(name), str(definition)) for name, definition in rows]


def _release_no_shows(today_start: dt.datetime) -> int:
    released = _execute(
        """UPDATE booking_booking SET status = 'released'
        WHERE kind = 'booking' AND status = 'active' AND start < %(before)s
            AND (hashint8(id) & 1023) * 1000 / 1024 < %(per_mille)s""",
        {"before": today_start, "per_mille": NO_SHOW_PER_MILLE},
    )
    _execute(
        """UPDATE booking_bookingslot s SET is_active = false FROM booking_booking b
        WHERE b.id = s.booking_id AND b.status = 'released' AND s.is_active"""
    )
    return released


def _booked_visits(today_start: dt.datetime, limit: int) -> int:
    """One visit per member, site and day of a past active booking, at its start."""
    return _execute(
        f"""INSERT INTO {Visit._meta.db_table} (network_id, site_id, day, arrived_at,
            recorded_at, client_uuid, source, member_id, booking_id, recorded_by_id,
            visitor_status, home_commune_id, work_commune_id, km_avoided, co2_kg_avoided,
            co2_kg_per_km)
        SELECT network_id, site_id, day, arrived, arrived, gen_random_uuid(),
            CASE WHEN id %% 3 = 0 THEN 'host' ELSE 'qr' END, member_id, id, NULL,
            visitor_status, NULL, NULL, km, km * 0.218, CASE WHEN km IS NOT NULL THEN 0.218 END
        FROM (
            SELECT DISTINCT ON (b.member_id, b.site_id, (b.start AT TIME ZONE 'Europe/Paris')::date)
                b.id, b.network_id, b.site_id, b.member_id, b.visitor_status,
                (b.start AT TIME ZONE 'Europe/Paris')::date AS day,
                b.start + (hashint8(b.id) & 31) * interval '1 minute' AS arrived,
                CASE WHEN hashint8(b.id) & 7 <> 0
                    THEN ((hashint8(b.id) >> 4) & 1023) / 10.0 END AS km
            FROM booking_booking b
            WHERE b.kind = 'booking' AND b.status = 'active' AND b.start < %(before)s
            ORDER BY b.member_id, b.site_id, (b.start AT TIME ZONE 'Europe/Paris')::date, b.start
        ) AS booked
        LIMIT %(limit)s""",  # noqa: S608 - table names from _meta, values as parameters
        {"before": today_start, "limit": limit},
    )


def _open_site_days(first_day: dt.date, last_day: dt.date) -> None:
    """A temporary table of every (site, day) of the history with its open half-days."""
    holidays = sorted(public_holidays(first_day, last_day))
    _execute(
        """CREATE TEMP TABLE obs_days ON COMMIT DROP AS
        SELECT s.id AS site_id, s.network_id, d::date AS day,
            coalesce(bool_or(o.half_day = 'am'), false) AND NOT closed AS am,
            coalesce(bool_or(o.half_day = 'pm'), false) AND NOT closed AS pm
        FROM places_site s
        CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
        CROSS JOIN LATERAL (SELECT d::date = ANY(%(holidays)s::date[]) OR EXISTS (
            SELECT 1 FROM places_closure c
            WHERE c.site_id = s.id AND d::date BETWEEN c.start_date AND c.end_date
        ) AS closed) AS c
        LEFT JOIN places_openingperiod o
            ON o.site_id = s.id AND o.weekday = extract(isodow FROM d)::int - 1
        GROUP BY s.id, s.network_id, d, closed""",
        {"first": first_day, "last": last_day, "holidays": holidays},
    )
    _execute("CREATE INDEX ON obs_days (site_id, day)")


def _walk_ins(count: int, first_day: dt.date) -> int:
    """Walk-ins on open past days, spread by hash over site-days."""
    if count <= 0:
        return 0
    return _execute(
        f"""INSERT INTO {Visit._meta.db_table} (network_id, site_id, day, arrived_at,
            recorded_at, client_uuid, source, member_id, booking_id, recorded_by_id,
            visitor_status, home_commune_id, work_commune_id, km_avoided, co2_kg_avoided,
            co2_kg_per_km)
        SELECT d.network_id, d.site_id, d.day, arrived, arrived, gen_random_uuid(), 'walk_in',
            NULL, NULL, NULL, ({STATUSES})[1 + (h & 3) + ((h >> 2) & 1)], NULL, NULL,
            ((h >> 4) & 511) / 10.0, ((h >> 4) & 511) / 10.0 * 0.218, 0.218
        FROM obs_days d
        CROSS JOIN generate_series(1, 3) AS n
        CROSS JOIN LATERAL (SELECT hashint8(d.site_id * 100003 + (d.day - %(first)s) * 7 + n)
            AS h) AS hashed
        CROSS JOIN LATERAL (SELECT (d.day + time '09:00' + (h & 255) * interval '1 minute')
            AT TIME ZONE 'Europe/Paris' AS arrived) AS t
        WHERE d.am
        ORDER BY h
        LIMIT %(count)s""",  # noqa: S608 - table names from _meta, values as parameters
        {"first": first_day, "count": count},
    )


SITE_DAYS = f"""
INSERT INTO {SiteDay._meta.db_table} (network_id, site_id, day, open_half_days, occupied_am,
    occupied_pm, visits, anonymous_visits, booked_visits, walk_ins, visits_by_status,
    bookings, no_shows, km_avoided, co2_kg_avoided, computed_at)
WITH desks AS (
    SELECT site_id, count(*) AS n FROM places_resource
    WHERE booking_unit = 'half_day' AND is_active GROUP BY site_id
), held AS (
    SELECT r.site_id, s.day, count(*) FILTER (WHERE s.slot = 0) AS am,
        count(*) FILTER (WHERE s.slot = 1) AS pm
    FROM booking_bookingslot s JOIN places_resource r ON r.id = s.resource_id
    WHERE s.is_active AND r.booking_unit = 'half_day' AND r.is_active
        AND s.day BETWEEN %(first)s AND %(last)s
    GROUP BY r.site_id, s.day
), due AS (
    SELECT site_id, (start AT TIME ZONE 'Europe/Paris')::date AS day, count(*) AS n,
        count(*) FILTER (WHERE status = 'released') AS released
    FROM booking_booking
    WHERE kind = 'booking' AND status IN ('active', 'released')
        AND start >= %(first_start)s AND start < %(after_last)s
    GROUP BY 1, 2
), statuses AS (
    SELECT site_id, day, jsonb_object_agg(status, n) AS by_status FROM (
        SELECT site_id, day, coalesce(nullif(visitor_status, ''), 'unknown') AS status,
            count(*) AS n
        FROM {Visit._meta.db_table} WHERE day BETWEEN %(first)s AND %(last)s GROUP BY 1, 2, 3
    ) AS counted GROUP BY site_id, day
), seen AS (
    SELECT site_id, day, count(*) AS n, count(*) FILTER (WHERE member_id IS NULL) AS anonymous,
        count(booking_id) AS booked, count(*) FILTER (WHERE source = 'walk_in') AS walk_ins,
        coalesce(sum(km_avoided), 0) AS km, coalesce(sum(co2_kg_avoided), 0) AS co2
    FROM {Visit._meta.db_table} WHERE day BETWEEN %(first)s AND %(last)s GROUP BY 1, 2
)
SELECT d.network_id, d.site_id, d.day,
    coalesce(k.n, 0) * (d.am::int + d.pm::int),
    CASE WHEN d.am THEN coalesce(h.am, 0) ELSE 0 END,
    CASE WHEN d.pm THEN coalesce(h.pm, 0) ELSE 0 END,
    coalesce(v.n, 0), coalesce(v.anonymous, 0), coalesce(v.booked, 0), coalesce(v.walk_ins, 0),
    coalesce(st.by_status, '{{}}'::jsonb), coalesce(u.n, 0), coalesce(u.released, 0),
    coalesce(v.km, 0), coalesce(v.co2, 0), now()
FROM obs_days d
LEFT JOIN desks k ON k.site_id = d.site_id
LEFT JOIN held h ON h.site_id = d.site_id AND h.day = d.day
LEFT JOIN due u ON u.site_id = d.site_id AND u.day = d.day
LEFT JOIN statuses st ON st.site_id = d.site_id AND st.day = d.day
LEFT JOIN seen v ON v.site_id = d.site_id AND v.day = d.day
"""  # noqa: S608 - table names from _meta, values as parameters

SITE_DAY_MEMBERS = f"""
INSERT INTO {SiteDayMember._meta.db_table} (site_id, day, member_id)
SELECT site_id, day, member_id FROM {Visit._meta.db_table} WHERE member_id IS NOT NULL
"""  # noqa: S608 - table names from _meta


def _places_and_bookings(size: ObsSize, today: dt.date) -> dict[str, Any]:
    """seed_pg's places and bookings; those of an interrupted seed of the same size and
    day are reused when no check-in was written on top of them yet."""
    places = seed_pg.marker()  # also creates seed_pg's marker table, which its seed empties
    if (
        places is not None
        and places["size"] == size.places.name
        and places["seeded_at"].date() == today
        and not Visit.objects.exists()
    ):
        log("places and bookings of an interrupted seed reused")
        return {
            "seconds": round(places["seconds"], 1),
            "bookings": places["bookings"],
            "first_day": places["first_day"].isoformat(),
        }
    # Columns added since seed_pg was written get an empty default while it runs.
    for table, column in LATER_COLUMNS:
        _execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT \'\'')
    try:
        return seed_pg.seed(size.places, today)
    finally:
        for table, column in LATER_COLUMNS:
            _execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')


def _paris_midnight(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/Paris"))


def seed(size: ObsSize, today: dt.date) -> dict[str, Any]:
    """Places and bookings (seed_pg), then check-ins and rollups; returns what was done."""
    began = time.perf_counter()
    marker()
    found = _places_and_bookings(size, today)
    first_day = dt.date.fromisoformat(found["first_day"])
    last_day = today - dt.timedelta(days=1)
    steps: dict[str, float] = {"places and bookings": found["seconds"]}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        steps[name] = round(time.perf_counter() - mark, 1)
        log(f"{name}: {steps[name]} s")
        mark = time.perf_counter()

    tables = (Visit._meta.db_table, SiteDay._meta.db_table, SiteDayMember._meta.db_table)
    with transaction.atomic():
        _execute("SET LOCAL maintenance_work_mem = '1GB'")
        _execute("SET LOCAL work_mem = '256MB'")
        _execute("SET LOCAL synchronous_commit = off")
        _execute("SET LOCAL session_replication_role = replica")
        _execute("DELETE FROM bench_obs_seed")
        today_start = _paris_midnight(today)
        released = _release_no_shows(today_start)
        step(f"{released:,} no-shows released")
        indexes = _secondary_indexes(tables)
        for name, _definition in indexes:
            _execute(f'DROP INDEX "{name}"')
        booked = _booked_visits(today_start, size.checkins)
        step(f"{booked:,} booked visits")
        _open_site_days(first_day, last_day)
        walk_ins = _walk_ins(size.checkins - booked, first_day)
        step(f"{walk_ins:,} walk-ins")
        params = {
            "first": first_day,
            "last": last_day,
            "first_start": _paris_midnight(first_day),
            "after_last": today_start,
        }
        site_days = _execute(SITE_DAYS, params)
        step(f"{site_days:,} site-day rollups")
        members = _execute(SITE_DAY_MEMBERS)
        step(f"{members:,} site-day members")
        for _name, definition in indexes:
            _execute(definition)
        step(f"{len(indexes)} indexes rebuilt")
        _execute(
            """INSERT INTO bench_obs_seed (size, checkins, first_day, last_day, seeded_at,
                seconds) VALUES (%s, %s, %s, %s, now(), %s)""",
            [size.places.name, booked + walk_ins, first_day, last_day, 0.0],
        )
    for table in (*tables, "booking_booking", "booking_bookingslot"):
        _execute(f"VACUUM (ANALYZE) {table}")
    step("vacuum and analyze")
    seconds = round(time.perf_counter() - began, 1)
    _execute("UPDATE bench_obs_seed SET seconds = %s", [seconds])
    return {
        "seconds": seconds,
        "steps_s": steps,
        "checkins": booked + walk_ins,
        "booked_visits": booked,
        "walk_ins": walk_ins,
        "no_shows_released": released,
        "site_days": site_days,
        "site_day_members": members,
        "bookings": found["bookings"],
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
    }


def counts() -> dict[str, int]:
    """Rows of the big tables (estimates)."""
    found: dict[str, int] = {}
    tables = (Visit._meta.db_table, SiteDay._meta.db_table, SiteDayMember._meta.db_table)
    for table in (*tables, "booking_booking"):
        rows = _fetch("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        found[table] = int(rows[0][0])
    return found
