"""Booking invariants re-checked over whole tables, e.g. on a database restored from a backup.

The database enforces "one active booking per resource and slot" as it writes; this module
checks, after the fact, that a copy still holds it and that every booking's slots agree with
the booking. It reads through any DB-API cursor (a Django connection's or a plain sqlite3 /
psycopg one), so it can check a restored copy that no Django connection points at.
"""

from __future__ import annotations

from typing import Any

from .models import Booking, BookingSlot, BookingStatus, Period

HALF_DAY_SLOT_COUNTS = {Period.MORNING: 1, Period.AFTERNOON: 1, Period.DAY: 2}


def _hours_expression(vendor: str) -> str:
    if vendor == "postgresql":
        return 'ROUND(EXTRACT(EPOCH FROM (b."end" - b.start)) / 3600)'
    return 'CAST(ROUND((julianday(b."end") - julianday(b.start)) * 24) AS INTEGER)'


def booking_invariants_violations(*, cursor: Any, vendor: str) -> list[str]:
    """Every broken booking invariant found, as readable lines (empty when all hold).

    Checked: no two active slots for one resource and slot; no two active bookings of one
    resource overlapping in time; every slot on its booking's resource and network; a
    booking's slots active exactly when it is; as many active slots as its period holds.
    """
    booking = Booking._meta.db_table
    slot = BookingSlot._meta.db_table
    active = BookingStatus.ACTIVE.value
    problems: list[str] = []

    def count(label: str, sql: str) -> None:
        cursor.execute(sql)
        found = int(cursor.fetchone()[0])
        if found:
            problems.append(f"{label}: {found}")

    # Only names and values from the code below, never input: no parameters, so the same
    # text runs on any DB-API cursor whatever its placeholder style.
    p = f"'{active}'"
    count(
        "slots held twice",
        f"""SELECT count(*) FROM (SELECT 1 FROM {slot} WHERE is_active
            GROUP BY network_id, resource_id, day, slot HAVING count(*) > 1) AS twice""",
    )
    count(
        "overlapping active bookings",
        f"""SELECT count(*) FROM (
              SELECT start, max("end") OVER (
                PARTITION BY resource_id ORDER BY start, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end
              FROM {booking} WHERE status = {p}) AS ordered
            WHERE latest_end > start""",
    )
    count(
        "slots on another resource or network than their booking",
        f"""SELECT count(*) FROM {slot} s JOIN {booking} b ON b.id = s.booking_id
            WHERE s.resource_id <> b.resource_id OR s.network_id <> b.network_id""",
    )
    count(
        "active slots of cancelled bookings",
        f"""SELECT count(*) FROM {slot} s JOIN {booking} b ON b.id = s.booking_id
            WHERE s.is_active AND b.status <> {p}""",
    )
    cases = " ".join(
        f"WHEN '{period.value}' THEN {n}" for period, n in HALF_DAY_SLOT_COUNTS.items()
    )
    count(
        "active bookings whose active slots do not match their period",
        f"""SELECT count(*) FROM {booking} b
            LEFT JOIN (SELECT booking_id, count(*) AS n FROM {slot} WHERE is_active
                       GROUP BY booking_id) s ON s.booking_id = b.id
            WHERE b.status = {p} AND COALESCE(s.n, 0) <>
              CASE b.period {cases} ELSE {_hours_expression(vendor)} END""",
    )
    return problems
