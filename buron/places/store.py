"""Statements written by hand on places' tables, for the booking's hot path.

Only where a benchmark showed the ORM was the cost (`make bench`, README "Performance"):
every booking by site name reads its site and that day's rules; a "just taken" answer reads
one site's next days. Other apps never name these tables: they call the functions here, or
put the fragments here into their own statement (one read instead of several). Table and
column names come from the models' _meta; values go as named parameters.

What a fragment selects follows the one definition of each rule in places.selectors: the
rows are handed to it (site_day, _days_of), and a test compares every fast path with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from buron.core import sql

from .models import Closure, HalfDay, Network, OpeningPeriod, Resource, Site

SITE_ROW = sql.Selected(Site, "s")
NETWORK_ROW = sql.Selected(Network, "n")
CLOSURE_ROW = sql.Selected(Closure, "c")


def _tables() -> dict[str, str]:
    return {
        "site": sql.table(Site),
        "network": sql.table(Network),
        "period": sql.table(OpeningPeriod),
        "closure": sql.table(Closure),
        "resource": sql.table(Resource),
    }


@cache
def _published_site_statement() -> str:
    return sql.select(
        SITE_ROW,
        NETWORK_ROW,
        rest=sql.compose(
            "FROM {site} s JOIN {network} n ON n.id = s.network_id"
            " WHERE s.slug = %(slug)s AND s.is_published",
            **_tables(),
        ),
    )


def site_from_row(row: Sequence[Any]) -> Site:
    """A site and its network from a row that begins with SITE_ROW then NETWORK_ROW."""
    site: Site = SITE_ROW.load(row)
    site.network = NETWORK_ROW.load(row, SITE_ROW.width)
    return site


def published_site_row(*, slug: str) -> Site | None:
    """The published site with that short name, its network loaded (one statement)."""
    rows = sql.fetch_all(_published_site_statement(), {"slug": slug})
    return site_from_row(rows[0]) if rows else None


@dataclass(frozen=True)
class PeriodRow:
    """One opening period as read by hand."""

    weekday: int
    half_day: str
    opens: dt.time
    closes: dt.time


@cache
def _periods_statement() -> str:
    return sql.compose(
        "SELECT weekday, half_day, opens, closes FROM {period}"
        " WHERE site_id = %(site_id)s ORDER BY half_day",
        **_tables(),
    )


@cache
def _closures_statement() -> str:
    return sql.select(
        CLOSURE_ROW,
        rest=sql.compose(
            "FROM {closure} c WHERE c.site_id = %(site_id)s"
            " AND c.start_date <= %(last)s AND c.end_date >= %(first)s"
            " ORDER BY c.start_date, c.id",
            **_tables(),
        ),
    )


def site_rows(
    *, site_id: int, start: dt.date, end: dt.date
) -> tuple[list[PeriodRow], list[Closure]]:
    """A site's opening periods (every weekday, morning first) and its closures touching
    the days from start to end (in the order they began): two short statements."""
    periods = [
        PeriodRow(
            weekday,
            half_day,
            sql.read(OpeningPeriod, "opens", opens),
            sql.read(OpeningPeriod, "closes", closes),
        )
        for weekday, half_day, opens, closes in sql.fetch_all(
            _periods_statement(), {"site_id": site_id}
        )
    ]
    closures = [
        CLOSURE_ROW.load(row)
        for row in sql.fetch_all(
            _closures_statement(),
            {
                "site_id": site_id,
                "first": sql.param(Closure, "end_date", start),
                "last": sql.param(Closure, "start_date", end),
            },
        )
    ]
    return periods, closures


# --- Fragments for another app's one-statement reads ---------------------------------------

# The columns site_day_source() adds after SITE_ROW and NETWORK_ROW.
SITE_DAY_COLUMNS: tuple[str | sql.Selected, ...] = (
    "o.id",
    "o.half_day",
    "o.opens",
    "o.closes",
    CLOSURE_ROW,
)
SITE_DAY_WIDTH = 4 + CLOSURE_ROW.width


@cache
def site_day_source() -> str:
    """`FROM` text for a site (alias s), its network (n), its opening periods on a weekday
    (o) and its closures covering a day (c), one row per combination: the caller may add
    joins and must add `WHERE s.slug = …` or `s.id = …`. Parameters: site_day_params."""
    return sql.compose(
        "{site} s JOIN {network} n ON n.id = s.network_id"
        " LEFT JOIN {period} o ON o.site_id = s.id AND o.weekday = %(sd_weekday)s"
        " LEFT JOIN {closure} c ON c.site_id = s.id"
        " AND c.start_date <= %(sd_day_start)s AND c.end_date >= %(sd_day_end)s",
        **_tables(),
    )


def site_day_params(day: dt.date) -> dict[str, Any]:
    return {
        "sd_weekday": day.weekday(),
        "sd_day_start": sql.param(Closure, "start_date", day),
        "sd_day_end": sql.param(Closure, "end_date", day),
    }


@dataclass(frozen=True)
class SiteDayRows:
    """What site_day_source's rows said: the site, that weekday's periods (morning first)
    and the closures covering the day."""

    site: Site
    periods: list[PeriodRow]
    closures: list[Closure]


def site_day_from_rows(rows: Sequence[Sequence[Any]], day: dt.date) -> SiteDayRows:
    """The site and its day from rows of SITE_ROW, NETWORK_ROW, SITE_DAY_COLUMNS."""
    site = site_from_row(rows[0])
    at = SITE_ROW.width + NETWORK_ROW.width
    periods: dict[int, PeriodRow] = {}
    closures: dict[int, Closure] = {}
    for row in rows:
        period_id, half_day, opens, closes = row[at : at + 4]
        if period_id is not None and period_id not in periods:
            periods[period_id] = PeriodRow(
                day.weekday(),
                half_day,
                sql.read(OpeningPeriod, "opens", opens),
                sql.read(OpeningPeriod, "closes", closes),
            )
        closure_id = CLOSURE_ROW.pk(row, at + 4)
        if closure_id is not None and closure_id not in closures:
            closures[closure_id] = CLOSURE_ROW.load(row, at + 4)
    return SiteDayRows(
        site,
        sorted(periods.values(), key=lambda p: p.half_day),
        sorted(closures.values(), key=lambda c: (c.start_date, c.pk)),
    )


@cache
def open_for_half_days() -> str:
    """A condition on a site (alias s): open on a day for some half-days (no closure that
    day, and opening hours on its weekday for each of them). Parameters:
    open_for_half_days_params. Public holidays are the caller's to rule out first (they
    close every site and are not in the database)."""
    return sql.compose(
        "NOT EXISTS (SELECT 1 FROM {closure} oc WHERE oc.site_id = s.id"
        " AND oc.start_date <= %(ofh_day)s AND oc.end_date >= %(ofh_day)s)"
        " AND (SELECT COUNT(DISTINCT oo.half_day) FROM {period} oo WHERE oo.site_id = s.id"
        " AND oo.weekday = %(ofh_weekday)s AND oo.half_day IN (%(ofh_first)s, %(ofh_last)s))"
        " = %(ofh_count)s",
        **_tables(),
    )


def open_for_half_days_params(day: dt.date, half_days: Sequence[str]) -> dict[str, Any]:
    return {
        "ofh_day": sql.param(Closure, "start_date", day),
        "ofh_weekday": day.weekday(),
        "ofh_first": half_days[0],
        "ofh_last": half_days[-1],
        "ofh_count": len(set(half_days)),
    }


@cache
def sites_of_network() -> str:
    """`FROM` text for the published sites (alias s) of a network other than one site;
    parameters `network_id` and `except_site_id`."""
    return sql.compose(
        "{site} s WHERE s.network_id = %(network_id)s AND s.is_published"
        " AND s.id <> %(except_site_id)s",
        **_tables(),
    )


@cache
def active_resources() -> str:
    """`FROM` text for the active resources (alias r) of a kind at one site (the site is
    `s.id` when the caller reads sites, else give `%(site_id)s`); parameter `kind`."""
    return sql.compose("{resource} r WHERE r.kind = %(kind)s AND r.is_active", **_tables())


@cache
def site_lock_parts() -> tuple[str, str]:
    """A site's row, to be locked with other apps' rows in one statement: `FROM` text
    (alias ls) and its condition (parameter `site_id`)."""
    return f"{sql.table(Site)} ls", "ls.id = %(site_id)s"


@cache
def resource_still_bookable() -> str:
    """A condition: the resource `%(rb_resource_id)s` is active, its site published and not
    closed on `%(rb_day)s` (a closure). What a withdrawal, an unpublication or a closure
    takes away, read as a booking's claim runs: the claim's last word against departures
    (buron.booking.services.departures), whose locks it waits on. Parameters:
    resource_still_bookable_params."""
    return sql.compose(
        "EXISTS (SELECT 1 FROM {resource} rb JOIN {site} sb ON sb.id = rb.site_id"
        " WHERE rb.id = %(rb_resource_id)s AND rb.is_active AND sb.is_published"
        " AND NOT EXISTS (SELECT 1 FROM {closure} cb WHERE cb.site_id = sb.id"
        " AND cb.start_date <= %(rb_day)s AND cb.end_date >= %(rb_day)s))",
        **_tables(),
    )


def resource_still_bookable_params(resource_id: int, day: dt.date) -> dict[str, Any]:
    return {"rb_resource_id": resource_id, "rb_day": sql.param(Closure, "start_date", day)}


# --- Every published site on a day: the availability search across a network or a country ---


class PublishedSiteRow(NamedTuple):
    """A published site as a search lists it, whether it opens its morning and its
    afternoon on the day's weekday (its hours, not yet its closures) and whether it has an
    active resource of the kind searched (a tuple: a country's search reads thousands)."""

    pk: int
    network_id: int
    slug: str
    name: str
    commune_name: str
    time_zone: str
    latitude: Any
    longitude: Any
    opens_am: bool
    opens_pm: bool
    has_kind: bool


@cache
def _published_sites_source(located: bool) -> str:
    # The weekday's periods are read once for both half-days (one scan, not one a flag).
    return sql.compose(
        "SELECT s.id, s.network_id, s.slug, s.name, s.commune_name, n.time_zone, {located},"
        " COALESCE(o.am, 0), COALESCE(o.pm, 0),"
        " EXISTS (SELECT 1 FROM {resource} r WHERE r.site_id = s.id"
        " AND r.kind = %(kind)s AND r.is_active)"
        " FROM {site} s JOIN {network} n ON n.id = s.network_id"
        " LEFT JOIN (SELECT site_id, MAX(CASE WHEN half_day = %(am)s THEN 1 ELSE 0 END) am,"
        " MAX(CASE WHEN half_day = %(pm)s THEN 1 ELSE 0 END) pm FROM {period}"
        " WHERE weekday = %(weekday)s GROUP BY site_id) o ON o.site_id = s.id"
        " WHERE s.is_published",
        located="s.latitude, s.longitude" if located else "NULL, NULL",
        **_tables(),
    )


def published_sites_on(
    *, day: dt.date, kind: str, located: bool, site_ids: Collection[int] | None = None
) -> list[PublishedSiteRow]:
    """Every published site by name (or those of `site_ids`), with whether it opens its
    morning and its afternoon on the day's weekday (for selectors.day_openings, which adds
    the closures) and whether it has an active resource of that kind: one statement
    whatever the number of sites. Coordinates are read when `located`."""
    statement = _published_sites_source(located)
    params: dict[str, Any] = {
        "weekday": day.weekday(),
        "am": HalfDay.MORNING,
        "pm": HalfDay.AFTERNOON,
        "kind": kind,
    }
    if site_ids is not None:
        if not site_ids:
            return []
        among, among_params = sql.among("s.id", "site", site_ids)
        statement = sql.compose("{source} AND {among}", source=statement, among=among)
        params.update(among_params)
    rows = sql.fetch_all(sql.compose("{source} ORDER BY s.name, s.id", source=statement), params)
    return [
        PublishedSiteRow(
            pk=row[0],
            network_id=row[1],
            slug=row[2],
            name=row[3],
            commune_name=row[4],
            time_zone=row[5],
            latitude=sql.read(Site, "latitude", row[6]) if located else None,
            longitude=sql.read(Site, "longitude", row[7]) if located else None,
            opens_am=bool(row[8]),
            opens_pm=bool(row[9]),
            has_kind=bool(row[10]),
        )
        for row in rows
    ]
