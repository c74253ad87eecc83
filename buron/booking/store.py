"""Statements written by hand on booking's tables, for the booking's hot path.

Only where a benchmark showed the ORM was the cost (`make bench`, README "Performance"): a
booking reads its site's rules, the free resources and the member's day, and writes the
booking and its slots, in a handful of statements. Places' and accounts' tables are never
named here: their fragments (buron.places.store, buron.accounts.store) are put into these
statements. Table and column names come from the models' _meta; values go as named
parameters; rows come back as typed values.

Each statement follows the one definition of its rule, and a test compares it with that
definition over generated cases on both databases (tests/test_one_definition.py): which
resources are free (held_slot below), whether a site is open (places.selectors),
which policy applies (selectors.policy_among), a member's status (accounts.selectors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from buron.accounts import store as accounts_store
from buron.accounts.selectors import StatusOnDay
from buron.core import sql
from buron.places import store as places_store
from buron.places.models import Resource, Site

from .models import Booking, BookingKind, BookingPolicy, BookingSlot, BookingStatus, Period
from .slots import HALF_DAY_SLOTS, Span

POLICY_ROW = sql.Selected(BookingPolicy, "p")


def _tables() -> dict[str, str]:
    return {
        "booking": sql.table(Booking),
        "slot": sql.table(BookingSlot),
        "policy": sql.table(BookingPolicy),
    }


@cache
def held_slot(networks: str = "") -> str:
    """THE rule for a resource being taken: an active slot row of the resource (alias r) on
    a day within a range of slots. Parameters: held_params. The ORM's reads of free
    resources (selectors.availability_week, move_options, the rooms in availability) ask
    the same question of BookingSlot (is_active, resource, day, slot).

    A read across many sites names their networks too (`networks`: a condition on
    h.network_id, from sql.among): PostgreSQL then reads the day's slots from the
    (network, day, resource) index, network by network, and joins them, instead of probing
    once per resource (135 against 23 ms over a country's 27,000 desks). A slot always
    carries its resource's network: the answer is the same."""
    return sql.compose(
        "EXISTS (SELECT 1 FROM {slot} h WHERE h.network_id = r.network_id{among}"
        " AND h.resource_id = r.id AND h.day = %(held_day)s"
        " AND h.slot >= %(held_first)s AND h.slot <= %(held_last)s AND h.is_active)",
        among=f" AND {networks}" if networks else "",
        **_tables(),
    )


def held_params(day: dt.date, slots: Sequence[int]) -> dict[str, Any]:
    return {
        "held_day": sql.param(BookingSlot, "day", day),
        "held_first": slots[0],
        "held_last": slots[-1],
    }


# --- Policies --------------------------------------------------------------------------


@cache
def _policies_statement() -> str:
    return sql.select(
        POLICY_ROW,
        rest=sql.compose(
            "FROM {policy} p WHERE p.site_id = %(site_id)s"
            " OR (p.network_id = %(network_id)s AND p.site_id IS NULL)",
            **_tables(),
        ),
    )


def site_policies(*, site_id: int, network_id: int) -> list[BookingPolicy]:
    """The policies that may apply to one site: its own and its network's (one statement;
    selectors.policy_among chooses)."""
    return [
        POLICY_ROW.load(row)
        for row in sql.fetch_all(
            _policies_statement(), {"site_id": site_id, "network_id": network_id}
        )
    ]


def policies_of_sites(
    *, site_ids: Collection[int], network_ids: Collection[int]
) -> list[BookingPolicy]:
    """The policies that may apply to some sites: their own, and their networks' (one
    statement whatever the number of sites; selectors.policy_among chooses)."""
    if not site_ids:
        return []
    sites, params = sql.among("p.site_id", "site", site_ids)
    networks, network_params = sql.among("p.network_id", "network", network_ids)
    params.update(network_params)
    statement = sql.select(
        POLICY_ROW,
        rest=sql.compose(
            "FROM {policy} p WHERE {sites} OR ({networks} AND p.site_id IS NULL)",
            sites=sites,
            networks=networks,
            **_tables(),
        ),
    )
    return [POLICY_ROW.load(row) for row in sql.fetch_all(statement, params)]


# --- A site, its day and its policies in one statement -------------------------------------


@dataclass(frozen=True)
class SiteDayPolicies:
    """A published site with its day's rows and the policies that may apply to it."""

    found: places_store.SiteDayRows
    policies: list[BookingPolicy]


@cache
def _site_day_statement() -> str:
    return sql.select(
        places_store.SITE_ROW,
        places_store.NETWORK_ROW,
        *places_store.SITE_DAY_COLUMNS,
        POLICY_ROW,
        rest=sql.compose(
            "FROM {source} LEFT JOIN {policy} p ON p.site_id = s.id"
            " OR (p.network_id = s.network_id AND p.site_id IS NULL)"
            " WHERE s.slug = %(slug)s AND s.is_published",
            source=places_store.site_day_source(),
            **_tables(),
        ),
    )


def published_site_day(*, slug: str, day: dt.date) -> SiteDayPolicies | None:
    """The published site with that short name, its network, its opening periods that
    weekday, the closures covering the day and the policies that may apply: one
    statement (among thousands of sites, the one asked for is seldom in the cache)."""
    rows = sql.fetch_all(_site_day_statement(), {"slug": slug, **places_store.site_day_params(day)})
    if not rows:
        return None
    at = places_store.SITE_ROW.width + places_store.NETWORK_ROW.width + places_store.SITE_DAY_WIDTH
    policies: dict[int, BookingPolicy] = {}
    for row in rows:
        policy_id = POLICY_ROW.pk(row, at)
        if policy_id is not None and policy_id not in policies:
            policies[policy_id] = POLICY_ROW.load(row, at)
    return SiteDayPolicies(places_store.site_day_from_rows(rows, day), list(policies.values()))


# --- The member's day ----------------------------------------------------------------------

# Wider than any two starts on one date in two time zones (24 h of a day + 26 h of offsets).
MEMBER_DAY_REACH = dt.timedelta(days=3)


@dataclass(frozen=True)
class MemberDayRows:
    """A member's account state, their active bookings holding a slot on a day (`held`),
    those of the same unit overlapping a span (`overlapping`) and their status periods."""

    is_active: bool
    held: int
    overlapping: int
    periods: list[StatusOnDay]


MEMBER_DAY_COLUMNS = (*accounts_store.MEMBER_COLUMNS, "d.held", "d.overlapping")


@cache
def _member_day_source() -> str:
    """The member (accounts' fragment) and the counts of their bookings that day. A slot's
    day is a date on its own network's clock, and one member may book in networks from
    UTC-12 to UTC+14: bookings holding a slot on that date start at most 50 hours from the
    span's start. Only the member's bookings starting within MEMBER_DAY_REACH of it are
    read, through the (member, start) index; the slots' day then decides exactly. Rooms
    are booked by the hour (period "hours"), desks and offices by the half-day."""
    return sql.compose(
        "{member} CROSS JOIN (SELECT COUNT(*) AS held,"
        " COALESCE(SUM(CASE WHEN (b.period = %(md_hours)s) = %(md_hourly)s"
        ' AND b."start" < %(md_end)s AND b."end" > %(md_start)s THEN 1 ELSE 0 END), 0)'
        " AS overlapping FROM {booking} b"
        ' WHERE b.member_id = %(member_id)s AND b."start" > %(md_from)s'
        ' AND b."start" < %(md_to)s AND b.kind = %(md_kind)s AND b.status = %(md_status)s'
        " AND EXISTS (SELECT 1 FROM {slot} s WHERE s.booking_id = b.id"
        " AND s.day = %(md_day)s AND s.is_active)) d",
        member=accounts_store.member_source(),
        **_tables(),
    )


def _member_day_params(member_id: int, hourly: bool, span: Span) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "md_hours": Period.HOURS.value,
        "md_hourly": hourly,
        "md_end": sql.param(Booking, "start", span.end),
        "md_start": sql.param(Booking, "end", span.start),
        "md_from": sql.param(Booking, "start", span.start - MEMBER_DAY_REACH),
        "md_to": sql.param(Booking, "start", span.start + MEMBER_DAY_REACH),
        "md_kind": BookingKind.BOOKING.value,
        "md_status": BookingStatus.ACTIVE.value,
        "md_day": sql.param(BookingSlot, "day", span.day),
    }


def _member_day_from(rows: Sequence[Sequence[Any]]) -> MemberDayRows:
    member = accounts_store.member_from_rows(rows)
    width = len(accounts_store.MEMBER_COLUMNS)
    held, overlapping = rows[0][width : width + 2] if rows else (0, 0)
    return MemberDayRows(member.is_active, held, overlapping, member.periods)


@cache
def _member_day_statement() -> str:
    return sql.select(
        *MEMBER_DAY_COLUMNS,
        rest=sql.compose(
            "FROM {source} WHERE u.id = %(member_id)s ORDER BY p.valid_from",
            source=_member_day_source(),
        ),
    )


def member_day(*, member_id: int, hourly: bool, span: Span) -> MemberDayRows:
    """The member's day for a booking of that unit over a span (one statement)."""
    return _member_day_from(
        sql.fetch_all(_member_day_statement(), _member_day_params(member_id, hourly, span))
    )


# --- Free resources at one site ------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """The active resources of a kind at a site, free ones first (the first few), and
    whether the site has any such resource at all."""

    free: list[Resource]
    any_resource: bool


@cache
def _free_first() -> str:
    return sql.compose(
        "SELECT r.id, r.name, r.booking_unit, {held} AS taken FROM {resources}"
        " AND r.site_id = %(site_id)s ORDER BY taken, r.name, r.id LIMIT %(limit)s",
        held=held_slot(),
        resources=places_store.active_resources(),
    )


def _free_params(site: Site, kind: str, span: Span, limit: int) -> dict[str, Any]:
    return {"site_id": site.pk, "kind": kind, "limit": limit, **held_params(span.day, span.slots)}


def _look_from(rows: Sequence[Sequence[Any]], site: Site, kind: str) -> Look:
    names = ["id", "network_id", "site_id", "kind", "name", "booking_unit"]
    free = [
        Resource.from_db(connection.alias, names, [pk, site.network_id, site.pk, kind, name, unit])
        for pk, name, unit, taken in rows
        if not taken
    ]
    return Look(free=free, any_resource=bool(rows))


def look(*, site: Site, kind: str, span: Span, limit: int) -> Look:
    """The resources of that kind at the site holding none of the span's slots: one read."""
    return _look_from(
        sql.fetch_all(_free_first(), _free_params(site, kind, span, limit)), site, kind
    )


@cache
def _first_look_statement() -> str:
    return sql.select(
        *MEMBER_DAY_COLUMNS,
        "f.id",
        "f.name",
        "f.booking_unit",
        "f.taken",
        rest=sql.compose(
            "FROM {source} LEFT JOIN ({free}) f ON 1 = 1 WHERE u.id = %(member_id)s"
            " ORDER BY p.valid_from, f.taken, f.name, f.id",
            source=_member_day_source(),
            free=_free_first(),
        ),
    )


def first_look(
    *, member_id: int, site: Site, kind: str, span: Span, limit: int
) -> tuple[Look, MemberDayRows]:
    """look and member_day (half-day unit) in one statement."""
    rows = sql.fetch_all(
        _first_look_statement(),
        {**_member_day_params(member_id, False, span), **_free_params(site, kind, span, limit)},
    )
    width = len(MEMBER_DAY_COLUMNS)
    resources: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        if row[width] is not None:
            resources.setdefault(row[width], tuple(row[width:]))
    return _look_from(list(resources.values()), site, kind), _member_day_from(rows)


# --- Locks ---------------------------------------------------------------------------------


@cache
def _locks_statement() -> str:
    site, site_is = places_store.site_lock_parts()
    member, member_is = accounts_store.user_lock_parts()
    return sql.compose(
        "SELECT 1 FROM {site} CROSS JOIN {member} WHERE {site_is} AND {member_is}"
        " FOR KEY SHARE OF ls FOR UPDATE OF lu",
        site=site,
        site_is=site_is,
        member=member,
        member_is=member_is,
    )


def booking_locks(*, member_id: int, site_id: int) -> None:
    """PostgreSQL: share the site's row, then lock the member's, until the transaction
    ends (one statement; the site first, as departures lock it first). The member's lock
    serialises their own bookings; the site's share lets any number of bookings through
    together but waits for a departure (which locks the site's row for update), so the
    booking's later statements see what the departure committed. SQLite's IMMEDIATE
    transactions already run one at a time: nothing to do."""
    if connection.features.has_select_for_update:
        sql.fetch_all(_locks_statement(), {"site_id": site_id, "user_id": member_id})


# --- Writes --------------------------------------------------------------------------------


def slots_claim(slots: Sequence[BookingSlot]) -> bool:
    """Write a booking's slots (all on one resource and day), all or none, in one
    statement: True when they all went in. A slot an active booking already holds is not
    written (the unique slot row decides between concurrent claims), and none is written
    when the resource is no longer bookable as the statement runs (withdrawn, its site
    unpublished or closed that day): a departure committed before this booking's locks
    (booking_locks) is seen here. Several slots that went in partly are the caller's to
    roll back."""
    first = slots[0]
    condition = places_store.resource_still_bookable()
    params = places_store.resource_still_bookable_params(first.resource_id, first.day)
    return sql.insert_many(slots, skip_taken=True, only_if=(condition, params)) == len(slots)


@cache
def _delete_statement() -> str:
    return sql.compose("DELETE FROM {booking} WHERE id = %(booking_id)s", **_tables())


def booking_row_delete(*, booking_id: int) -> None:
    """Delete a booking row that holds no slot (a refused one-slot claim)."""
    sql.execute(_delete_statement(), {"booking_id": booking_id})


# --- Free resources across every site: the availability search ----------------------------


def free_everywhere_rows(
    *,
    day: dt.date,
    period: str,
    kind: str,
    unit: str,
    networks: Collection[int],
    site_ids: Collection[int] | None,
) -> list[tuple[int, int, str, str, int]]:
    """The active resources of a kind and unit, at every site of some networks (or at
    those of `site_ids`), that hold no slot of the period that day (held_slot), by site
    then name, as (id, site id, name, English name, capacity): one statement whatever the
    number of sites."""
    if not networks or (site_ids is not None and not site_ids):
        return []
    in_networks, params = sql.among("r.network_id", "network", networks)
    held_in_networks, _same = sql.among("h.network_id", "network", networks)
    params.update({"kind": kind, "unit": unit, **held_params(day, HALF_DAY_SLOTS[period])})
    statement = sql.compose(
        "SELECT r.id, r.site_id, r.name, r.name_en, r.capacity FROM {resources}"
        " AND r.booking_unit = %(unit)s AND {in_networks} AND NOT {held}",
        resources=places_store.active_resources(),
        in_networks=in_networks,
        held=held_slot(held_in_networks),
    )
    if site_ids is not None:
        among, among_params = sql.among("r.site_id", "site", site_ids)
        statement = sql.compose("{source} AND {among}", source=statement, among=among)
        params.update(among_params)
    return [
        (rid, site_id, name, name_en, capacity)
        for rid, site_id, name, name_en, capacity in sql.fetch_all(
            sql.compose("{source} ORDER BY r.site_id, r.name, r.id", source=statement), params
        )
    ]


# --- What else is free: the "just taken" answer's suggestions -------------------------------


@dataclass(frozen=True)
class SiteFree:
    """A published site of a network and how many resources of a kind it has free."""

    slug: str
    name: str
    latitude: Any
    longitude: Any
    free: int


@cache
def _free_elsewhere_statement() -> str:
    return sql.compose(
        "SELECT s.slug, s.name, s.latitude, s.longitude, (SELECT COUNT(*) FROM {resources}"
        " AND r.site_id = s.id AND r.booking_unit = %(unit)s AND NOT {held})"
        " FROM {sites} AND {open}",
        resources=places_store.active_resources(),
        held=held_slot(),
        sites=places_store.sites_of_network(),
        open=places_store.open_for_half_days(),
    )


def free_elsewhere_rows(
    *, site: Site, day: dt.date, period: str, kind: str, unit: str, half_days: Sequence[str]
) -> list[SiteFree]:
    """The other published sites of the site's network open for the period's half-days
    that day (public holidays aside), with their free resources of that kind and unit."""
    rows = sql.fetch_all(
        _free_elsewhere_statement(),
        {
            "kind": kind,
            "unit": unit,
            "network_id": site.network_id,
            "except_site_id": site.pk,
            **held_params(day, HALF_DAY_SLOTS[period]),
            **places_store.open_for_half_days_params(day, half_days),
        },
    )
    return [
        SiteFree(
            slug,
            name,
            None if latitude is None else sql.read(Site, "latitude", latitude),
            None if longitude is None else sql.read(Site, "longitude", longitude),
            free,
        )
        for slug, name, latitude, longitude, free in rows
    ]


@cache
def _resource_count_statement() -> str:
    return sql.compose(
        "SELECT COUNT(*) FROM {resources} AND r.site_id = %(site_id)s",
        resources=places_store.active_resources(),
    )


@cache
def _held_by_day_statement() -> str:
    return sql.compose(
        "SELECT h.day, COUNT(DISTINCT h.resource_id) FROM {slot} h"
        " WHERE h.network_id = %(network_id)s AND h.day >= %(first)s AND h.day <= %(last)s"
        " AND h.slot >= %(held_first)s AND h.slot <= %(held_last)s AND h.is_active"
        " AND h.resource_id IN (SELECT r.id FROM {resources} AND r.site_id = %(site_id)s)"
        " GROUP BY h.day",
        resources=places_store.active_resources(),
        **_tables(),
    )


def held_by_day(
    *, site: Site, kind: str, start: dt.date, end: dt.date, period: str
) -> tuple[int, dict[dt.date, int]]:
    """How many active resources of a kind the site has, and on each day from start to end
    how many of them hold a slot of the period (two short statements; none when the site
    has no such resource)."""
    ((count,),) = sql.fetch_all(_resource_count_statement(), {"site_id": site.pk, "kind": kind})
    if not count:
        return 0, {}
    slots = HALF_DAY_SLOTS[period]
    rows = sql.fetch_all(
        _held_by_day_statement(),
        {
            "network_id": site.network_id,
            "site_id": site.pk,
            "kind": kind,
            "first": sql.param(BookingSlot, "day", start),
            "last": sql.param(BookingSlot, "day", end),
            "held_first": slots[0],
            "held_last": slots[-1],
        },
    )
    return count, {sql.read(BookingSlot, "day", day): held for day, held in rows}


# --- Whole-table checks of the booking invariants (a restored backup, say) -----------------
# They read through any DB-API cursor (a Django connection's or a plain sqlite3 / psycopg
# one), so they can check a restored copy that no Django connection points at: only names
# and values from the code, never input, and no parameters (placeholder styles differ).

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
    names = {
        "booking": Booking._meta.db_table,
        "slot": BookingSlot._meta.db_table,
        "active": f"'{BookingStatus.ACTIVE.value}'",
    }
    problems: list[str] = []

    def count(label: str, template: str, **more: str) -> None:
        cursor.execute(sql.compose(template, **names, **more))
        found = int(cursor.fetchone()[0])
        if found:
            problems.append(f"{label}: {found}")

    # Only names and values from the code below, never input: no parameters, so the same
    # text runs on any DB-API cursor whatever its placeholder style.
    count(
        "slots held twice",
        """SELECT count(*) FROM (SELECT 1 FROM {slot} WHERE is_active
            GROUP BY network_id, resource_id, day, slot HAVING count(*) > 1) AS twice""",
    )
    count(
        "overlapping active bookings",
        """SELECT count(*) FROM (
              SELECT start, max("end") OVER (
                PARTITION BY resource_id ORDER BY start, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end
              FROM {booking} WHERE status = {active}) AS ordered
            WHERE latest_end > start""",
    )
    count(
        "slots on another resource or network than their booking",
        """SELECT count(*) FROM {slot} s JOIN {booking} b ON b.id = s.booking_id
            WHERE s.resource_id <> b.resource_id OR s.network_id <> b.network_id""",
    )
    count(
        "active slots of cancelled bookings",
        """SELECT count(*) FROM {slot} s JOIN {booking} b ON b.id = s.booking_id
            WHERE s.is_active AND b.status <> {active}""",
    )
    cases = " ".join(
        f"WHEN '{period.value}' THEN {n}" for period, n in HALF_DAY_SLOT_COUNTS.items()
    )
    count(
        "active bookings whose active slots do not match their period",
        """SELECT count(*) FROM {booking} b
            LEFT JOIN (SELECT booking_id, count(*) AS n FROM {slot} WHERE is_active
                       GROUP BY booking_id) s ON s.booking_id = b.id
            WHERE b.status = {active} AND COALESCE(s.n, 0) <>
              CASE b.period {cases} ELSE {hours} END""",
        cases=cases,
        hours=_hours_expression(vendor),
    )
    return problems
