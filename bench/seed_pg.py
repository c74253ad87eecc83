"""Seed a national-size network on PostgreSQL with set-based SQL, not the ORM.

Sites take their names and coordinates from the official communes table. Every booking is
derived from a (resource, day) cell and a pattern picked by a hash of the cell, so no two
active bookings ever hold the same slot; the partial unique index slot_one_active_booking,
rebuilt at the end, proves it. Bookings and slots are loaded without their secondary indexes
and foreign-key triggers, in one transaction with the index rebuild: a failure leaves the
database as it was. A marker row (table bench_seed) lets the next run skip all this.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction

from buron.places.communes import communes_load
from buron.places.models import Network, Resource, Site
from buron.places.selectors import public_holidays

from .config import Size

SITE_PREFIX = "bench-"
NETWORK_PREFIX = "bench-net-"
MEMBER_DOMAIN = "seed.bench.invalid"
CHUNK_DAYS = 10
# Loaded before the bookings, so that the first days filled are those searched and booked.
MIN_FUTURE_DAYS_COVERED = 60


def log(message: str) -> None:
    print(f"  [seed] {message}", file=sys.stderr, flush=True)


def _execute(sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _fetch(sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def marker() -> dict[str, Any] | None:
    """The last complete seed, or None."""
    _execute(
        """CREATE TABLE IF NOT EXISTS bench_seed (
            size text NOT NULL,
            sites integer NOT NULL,
            resources integer NOT NULL,
            bookings bigint NOT NULL,
            slots bigint NOT NULL,
            first_day date NOT NULL,
            last_day date NOT NULL,
            seeded_at timestamptz NOT NULL,
            seconds double precision NOT NULL
        )"""
    )
    rows = _fetch(
        "SELECT size, sites, resources, bookings, slots, first_day, last_day, seeded_at, seconds "
        "FROM bench_seed ORDER BY seeded_at DESC LIMIT 1"
    )
    if not rows:
        return None
    keys = (
        "size",
        "sites",
        "resources",
        "bookings",
        "slots",
        "first_day",
        "last_day",
        "seeded_at",
        "seconds",
    )
    return dict(zip(keys, rows[0], strict=True))


def is_current(found: dict[str, Any] | None, size: Size, today: dt.date) -> bool:
    """Whether the seeded data has this size and still covers the days the bench books."""
    return (
        found is not None
        and found["size"] == size.name
        and found["bookings"] == size.bookings
        and found["last_day"] >= today + dt.timedelta(days=MIN_FUTURE_DAYS_COVERED)
    )


def open_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Monday to Friday, except public holidays and the year-end closure of every site."""
    bank = public_holidays(start, end)
    days = []
    day = start
    while day <= end:
        year_end = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
        if day.weekday() < 5 and day not in bank and not year_end:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def booking_days(today: dt.date, future_days: int) -> Iterator[list[dt.date]]:
    """Chunks of open days: from today into the future, then back into the past."""
    future = open_days(today, today + dt.timedelta(days=future_days))
    past = list(reversed(open_days(today - dt.timedelta(days=3 * 365), today - dt.timedelta(1))))
    for days in (future, past):
        for n in range(0, len(days), CHUNK_DAYS):
            yield days[n : n + CHUNK_DAYS]


def _truncate() -> None:
    # Cascades to everything that points at a network or a user: sites, resources, opening
    # hours, closures, bookings and slots, tokens, profiles. Communes stay.
    _execute("TRUNCATE places_network, accounts_user, places_amenity RESTART IDENTITY CASCADE")
    _execute("DELETE FROM bench_seed")


def _places(size: Size, today: dt.date) -> None:
    _execute(
        """INSERT INTO places_network
            (name, slug, legal_name, siret, address, email, phone, website, time_zone, is_demo)
        SELECT 'Réseau de banc d''essai ' || n, %s || lpad(n::text, 3, '0'), '', '', '', '',
            '', '', 'Europe/Paris', false
        FROM generate_series(0, %s::int - 1) AS n""",
        [NETWORK_PREFIX, size.networks],
    )
    insert_sites = """
        INSERT INTO places_site (kind, name, slug, is_published, commune_name, insee_code,
            address, postal_code, latitude, longitude, description_fr, description_en,
            access_fr, access_en, has_fibre, download_mbps, upload_mbps, step_free_access,
            accessibility_fr, accessibility_en, host_name, host_email, host_phone, photo,
            photo_alt_fr, photo_alt_en, network_id, parent_id)
        WITH communes AS (
            SELECT c.*, row_number() OVER (ORDER BY c.insee_code) - 1 AS rn
            FROM places_commune c
            WHERE c.insee_code < '97' AND c.postal_code <> ''
        ), stride AS (SELECT count(*) / %(sites)s AS n FROM communes)
        SELECT
            CASE WHEN i %% 7 = 6 THEN 'annex' ELSE 'telecentre' END,
            'Tiers-lieu de ' || c.name || CASE WHEN i %% 7 = 6 THEN ' (annexe)' ELSE '' END,
            %(prefix)s || lpad(i::text, 4, '0'),
            i %% 50 <> 49,
            c.name, c.insee_code, 'Place de la Mairie', c.postal_code, c.latitude, c.longitude,
            '', '', '', '', i %% 3 <> 0,
            CASE WHEN i %% 3 <> 0 THEN 300 + (i %% 8) * 100 ELSE 8 + i %% 20 END,
            CASE WHEN i %% 3 <> 0 THEN 100 + (i %% 4) * 100 ELSE 1 + i %% 2 END,
            i %% 4 <> 0, '', '', 'Hôte de ' || c.name, '', '', '', '', '',
            nw.id,
            CASE WHEN i %% 7 = 6 THEN (
                SELECT p.id FROM places_site p
                WHERE p.slug = %(prefix)s || lpad((i - 1)::text, 4, '0')
            ) END
        FROM generate_series(0, %(sites)s::int - 1) AS i
        CROSS JOIN stride
        JOIN communes c ON c.rn = i * stride.n
        JOIN places_network nw
            ON nw.slug = %(network_prefix)s || lpad((i / %(per_network)s)::text, 3, '0')
        WHERE (i %% 7 = 6) = %(annexes)s
    """
    params = {
        "sites": size.sites,
        "prefix": SITE_PREFIX,
        "network_prefix": NETWORK_PREFIX,
        "per_network": size.sites_per_network,
    }
    # Telecentres first: an annex names the telecentre just before it, in its own network.
    for annexes in (False, True):
        _execute(insert_sites, {**params, "annexes": annexes})
    # The bench's sites, with their number (idx) taken back from their slug.
    _execute(
        """CREATE TEMP TABLE bench_sites ON COMMIT DROP AS
        SELECT id, network_id, substr(slug, length(%(prefix)s) + 1)::int AS idx
        FROM places_site WHERE slug LIKE %(like)s""",
        {"prefix": SITE_PREFIX, "like": SITE_PREFIX + "%"},
    )
    # Monday to Friday, 8:30–12:30 and 13:30–18:00; one site in five also on Saturday morning.
    _execute(
        """
        INSERT INTO places_openingperiod (weekday, half_day, opens, closes, site_id)
        SELECT w, h.half_day, h.opens, h.closes, s.id
        FROM bench_sites s
        CROSS JOIN generate_series(0, 5) AS w
        CROSS JOIN (VALUES ('am', time '08:30', time '12:30'), ('pm', time '13:30', time '18:00'))
            AS h(half_day, opens, closes)
        WHERE w < 5 OR (s.idx %% 5 = 0 AND h.half_day = 'am')""",
        {},
    )
    # The year-end week everywhere; works at one site in fifty around the searched days.
    _execute(
        """
        INSERT INTO places_closure (start_date, end_date, reason, note_fr, note_en, site_id)
        SELECT make_date(y, 12, 24), make_date(y + 1, 1, 1), 'holidays',
            'Fermeture de fin d''année', 'Year-end closure', s.id
        FROM bench_sites s CROSS JOIN generate_series(%(first_year)s::int, %(last_year)s::int) AS y
        UNION ALL
        SELECT %(works_start)s, %(works_end)s, 'works', 'Travaux', 'Works', s.id
        FROM bench_sites s WHERE s.idx %% 50 = 7""",
        {
            "first_year": today.year - 3,
            "last_year": today.year + 1,
            "works_start": today + dt.timedelta(days=6),
            "works_end": today + dt.timedelta(days=14),
        },
    )
    # Desks: 2 to 14 a site (cut to the exact total); a meeting or visio room at most sites.
    _execute(
        """
        INSERT INTO places_resource (kind, name, name_en, capacity, booking_unit, is_active,
            description_fr, description_en, network_id, site_id)
        SELECT 'desk', 'Poste ' || n, '', 1, 'half_day', (s.idx * 31 + n) %% 113 <> 0, '', '',
            s.network_id, s.id
        FROM bench_sites s CROSS JOIN LATERAL generate_series(1, 2 + (s.idx * 37) %% 13) AS n
        ORDER BY n, s.idx
        LIMIT %(desks)s""",
        {"desks": size.desks},
    )
    _execute(
        """
        INSERT INTO places_resource (kind, name, name_en, capacity, booking_unit, is_active,
            description_fr, description_en, network_id, site_id)
        SELECT CASE WHEN s.idx %% 2 = 0 THEN 'meeting_room' ELSE 'visio_room' END,
            CASE WHEN s.idx %% 2 = 0 THEN 'Salle de réunion' ELSE 'Salle visio' END, '',
            CASE WHEN s.idx %% 2 = 0 THEN 8 ELSE 4 END, 'hour', true, '', '',
            s.network_id, s.id
        FROM bench_sites s
        ORDER BY s.idx %% 7 = 3, s.idx
        LIMIT %(rooms)s""",
        {"rooms": size.rooms},
    )


def _members(size: Size) -> int:
    _execute(
        """INSERT INTO accounts_user (password, last_login, is_superuser, first_name, last_name,
            is_staff, is_active, date_joined, email)
        SELECT '!bench-seed', NULL, false, 'Membre', 'n° ' || g, false, true,
            now() - interval '3 years', 'member-' || g || '@' || %s
        FROM generate_series(1, %s::int) AS g""",
        [MEMBER_DOMAIN, size.members],
    )
    rows = _fetch("SELECT min(id) FROM accounts_user WHERE email LIKE %s", ["%@" + MEMBER_DOMAIN])
    return int(rows[0][0])


# Per (resource, day) cell, a pattern picked by hash: desks are free 20% of the time, else
# booked for the morning, the afternoon, both as two bookings, or the whole day; rooms get
# 0 to 3 bookings of whole hours.
PATTERNS = """
CREATE TEMP TABLE bench_pattern (family text, pattern int, period text, opens time, closes time)
ON COMMIT DROP;
INSERT INTO bench_pattern VALUES
    ('desk', 2, 'am', '08:30', '12:30'), ('desk', 3, 'am', '08:30', '12:30'),
    ('desk', 4, 'pm', '13:30', '18:00'), ('desk', 5, 'pm', '13:30', '18:00'),
    ('desk', 6, 'am', '08:30', '12:30'), ('desk', 6, 'pm', '13:30', '18:00'),
    ('desk', 7, 'am', '08:30', '12:30'), ('desk', 7, 'pm', '13:30', '18:00'),
    ('desk', 8, 'day', '08:30', '18:00'), ('desk', 9, 'day', '08:30', '18:00'),
    ('room', 1, 'hours', '09:00', '11:00'),
    ('room', 2, 'hours', '09:00', '11:00'), ('room', 2, 'hours', '14:00', '16:00'),
    ('room', 3, 'hours', '09:00', '10:00'), ('room', 3, 'hours', '10:00', '12:00'),
    ('room', 3, 'hours', '14:00', '17:00');
"""

BOOKINGS = """
WITH cells AS (
    SELECT d.day, r.id AS resource_id, r.network_id, r.site_id,
        hashint8(r.id * 100003 + (d.day - date '2000-01-01'))::bigint + 2147483648 AS h
    FROM unnest(%(days)s::date[]) AS d(day)
    CROSS JOIN places_resource r
    WHERE (r.kind = 'desk') = %(desks)s
), rows AS (
    SELECT c.*, p.period, p.opens, p.closes,
        %(first_member)s + (c.h / 10) %% %(members)s AS member_id,
        (c.h / 100000) %% 25 = 0 AS cancelled
    FROM cells c
    JOIN bench_pattern p
        ON p.family = %(family)s AND p.pattern = c.h %% (CASE WHEN %(desks)s THEN 10 ELSE 4 END)
)
INSERT INTO booking_booking (kind, visitor_status, employer_name, start, "end", period, status,
    note, created_at, cancelled_at, booked_by_id, member_id, network_id, resource_id, site_id,
    series_id)
SELECT 'booking',
    (ARRAY['salaried_remote', 'salaried_remote', 'salaried_remote', 'salaried_remote',
        'freelancer', 'freelancer', 'startup', 'job_seeker', 'student', 'public_agent'])
        [1 + member_id %% 10],
    CASE WHEN member_id %% 10 < 4 THEN 'Employeur ' || member_id %% 300 ELSE '' END,
    (day + opens) AT TIME ZONE 'Europe/Paris',
    (day + closes) AT TIME ZONE 'Europe/Paris',
    period,
    CASE WHEN cancelled THEN 'cancelled' ELSE 'active' END,
    '',
    (day + opens) AT TIME ZONE 'Europe/Paris' - (1 + (h / 13) %% 40) * interval '1 day',
    CASE WHEN cancelled THEN (day + opens) AT TIME ZONE 'Europe/Paris' - interval '1 day' END,
    NULL, member_id, network_id, resource_id, site_id, NULL
FROM rows
LIMIT %(limit)s
"""

# The slots of the bookings just inserted: half-days 0/1, or the local hours of a room.
SLOTS = """
INSERT INTO booking_bookingslot (day, slot, is_active, booking_id, network_id, resource_id)
SELECT (b.start AT TIME ZONE 'Europe/Paris')::date, s.slot, b.status = 'active', b.id,
    b.network_id, b.resource_id
FROM booking_booking b
CROSS JOIN LATERAL generate_series(
    CASE b.period
        WHEN 'pm' THEN 1
        WHEN 'hours' THEN extract(hour FROM b.start AT TIME ZONE 'Europe/Paris')::int
        ELSE 0 END,
    CASE b.period
        WHEN 'am' THEN 0
        WHEN 'hours' THEN extract(hour FROM b."end" AT TIME ZONE 'Europe/Paris')::int - 1
        ELSE 1 END
) AS s(slot)
WHERE b.id > %s
"""

BOOKING_TABLES = ("booking_booking", "booking_bookingslot")


def _secondary_indexes() -> list[tuple[str, str]]:
    """Indexes of the booking tables that back no constraint: (name, definition)."""
    rows = _fetch(
        """SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname""",
        [list(BOOKING_TABLES)],
    )
    return [(str(name), str(definition)) for name, definition in rows]


def _bookings(size: Size, today: dt.date, first_member: int) -> tuple[int, dt.date, dt.date]:
    """Insert the bookings and their slots, chunk by chunk of days, up to the exact total."""
    _execute(PATTERNS)
    total = 0
    seen: list[dt.date] = []
    after = 0
    started = time.perf_counter()
    for days in booking_days(today, size.future_days):
        for desks in (True, False):
            left = size.bookings - total
            if left <= 0:
                break
            total += _execute(
                BOOKINGS,
                {
                    "days": days,
                    "desks": desks,
                    "family": "desk" if desks else "room",
                    "first_member": first_member,
                    "members": size.members,
                    "limit": left,
                },
            )
        _execute(SLOTS, [after])
        after = int(_fetch("SELECT coalesce(max(id), 0) FROM booking_booking")[0][0])
        seen.extend(days)
        if len(seen) % (CHUNK_DAYS * 5) == 0 or total >= size.bookings:
            log(f"{total:,} bookings, {len(seen)} days, {time.perf_counter() - started:.0f} s")
        if total >= size.bookings:
            break
    if total < size.bookings:
        raise RuntimeError(f"only {total} bookings could be placed")
    return total, min(seen), max(seen)


def seed(size: Size, today: dt.date) -> dict[str, Any]:
    """Seed everything in one transaction; returns what was done and how long it took."""
    timings: dict[str, float] = {}
    began = time.perf_counter()

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 1)
        log(f"{name}: {timings[name]} s")
        return now

    mark = time.perf_counter()
    added = communes_load()
    mark = step(f"communes ({added} added)", mark)
    with transaction.atomic():
        _execute("SET LOCAL maintenance_work_mem = '1GB'")
        _execute("SET LOCAL max_parallel_maintenance_workers = 2")
        _execute("SET LOCAL synchronous_commit = off")
        # Every reference is built from rows inserted here: skip the per-row FK triggers.
        _execute("SET LOCAL session_replication_role = replica")
        _truncate()
        mark = step("truncate", mark)
        _places(size, today)
        mark = step("networks, sites, hours, closures, resources", mark)
        first_member = _members(size)
        mark = step("members", mark)
        indexes = _secondary_indexes()
        for name, _definition in indexes:
            _execute(f'DROP INDEX "{name}"')
        bookings, first_day, last_day = _bookings(size, today, first_member)
        mark = step("bookings and slots", mark)
        for name, definition in indexes:
            _execute(definition)
            log(f"index {name} rebuilt")
        mark = step(f"{len(indexes)} indexes rebuilt", mark)
        slots = int(_fetch("SELECT count(*) FROM booking_bookingslot")[0][0])
        resources = int(_fetch("SELECT count(*) FROM places_resource")[0][0])
        seconds = time.perf_counter() - began
        _execute(
            """INSERT INTO bench_seed (size, sites, resources, bookings, slots, first_day,
                last_day, seeded_at, seconds) VALUES (%s, %s, %s, %s, %s, %s, %s, now(), %s)""",
            [size.name, size.sites, resources, bookings, slots, first_day, last_day, seconds],
        )
    mark = step("commit", mark)
    for table in (*BOOKING_TABLES, "places_site", "places_resource", "accounts_user"):
        _execute(f"VACUUM (ANALYZE) {table}")
    mark = step("vacuum and analyze", mark)
    return {
        "seconds": round(time.perf_counter() - began, 1),
        "steps_s": timings,
        "bookings": bookings,
        "slots": slots,
        "resources": resources,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
    }


def counts() -> dict[str, int]:
    """What the database holds (estimates for the two big tables, exact for the rest)."""
    found = {model._meta.db_table: model.objects.count() for model in (Network, Site, Resource)}
    for table in BOOKING_TABLES:
        found[table] = int(
            _fetch("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])[0][0]
        )
    return found
