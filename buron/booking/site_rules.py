"""A booking's view of a site's rules for a day, kept in the cache under the rules'
versions (see buron.places.rules), and what raises the versions of booking policies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from buron.core import sql
from buron.places.models import Closure, OpeningPeriod, Site
from buron.places.rules import network_rules_changed
from buron.places.selectors import (
    CLOSURE_ROW,
    NETWORK_ROW,
    SITE_ROW,
    DaySchedule,
    OpenPeriod,
    site_day,
    site_schedule,
)

from .models import BookingPolicy
from .selectors import POLICY_ROW, policy_among, policy_for


@dataclass(frozen=True)
class DayRules:
    schedule: DaySchedule
    policy: BookingPolicy


def day_rules(site: Site, day: dt.date) -> DayRules:
    """The site's schedule that day and its booking policy. Give the site with its
    network: both versions are part of the key, so a change is seen at once everywhere."""
    key = ":".join(
        (
            "booking:rules",
            f"{site.pk}.{site.rules_version}",
            f"{site.network_id}.{site.network.rules_version}",
            day.isoformat(),
            get_language() or settings.LANGUAGE_CODE,
        )
    )
    local = caches["local"]  # this process's memory: no round trip on the booking's path
    found: DayRules | None = local.get(key)
    if found is None:
        found = DayRules(site_schedule(site, day), policy_for(site))
        local.set(key, found, settings.BOOKING_RULES_SECONDS)
    return found


@dataclass(frozen=True)
class SiteDay:
    site: Site
    rules: DayRules


def published_site_day(slug: str, day: dt.date) -> SiteDay | None:
    """The published site with that short name, its network loaded, and its rules that day,
    in one statement: a booking by site name needs them all, and among thousands of sites
    the one asked for is seldom in the cache. Its opening periods that weekday, the
    closures covering the day and the booking policies that may apply are joined to the
    site's row (a few rows at most); the same DayRules as day_rules."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.select(
                SITE_ROW,
                NETWORK_ROW,
                "o.id",
                "o.half_day",
                "o.opens",
                "o.closes",
                CLOSURE_ROW,
                POLICY_ROW,
                rest="FROM places_site s JOIN places_network n ON n.id = s.network_id"
                " LEFT JOIN places_openingperiod o ON o.site_id = s.id AND o.weekday = %s"
                " LEFT JOIN places_closure c ON c.site_id = s.id"
                " AND c.start_date <= %s AND c.end_date >= %s"
                " LEFT JOIN booking_bookingpolicy p ON p.site_id = s.id"
                " OR (p.network_id = s.network_id AND p.site_id IS NULL)"
                " WHERE s.slug = %s AND s.is_published",
            ),
            [
                day.weekday(),
                sql.param(Closure, "start_date", day),
                sql.param(Closure, "end_date", day),
                slug,
            ],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    site: Site = SITE_ROW.load(rows[0])
    site.network = NETWORK_ROW.load(rows[0], SITE_ROW.width)
    at = SITE_ROW.width + NETWORK_ROW.width
    periods: dict[int, OpenPeriod] = {}
    closures: dict[int, Closure] = {}
    policies: dict[int, BookingPolicy] = {}
    for row in rows:
        period_id, half_day, opens, closes = row[at : at + 4]
        if period_id is not None and period_id not in periods:
            periods[period_id] = OpenPeriod(
                half_day,
                sql.read(OpeningPeriod, "opens", opens),
                sql.read(OpeningPeriod, "closes", closes),
            )
        closure_id = CLOSURE_ROW.pk(row, at + 4)
        if closure_id is not None and closure_id not in closures:
            closures[closure_id] = CLOSURE_ROW.load(row, at + 4)
        policy_id = POLICY_ROW.pk(row, at + 4 + CLOSURE_ROW.width)
        if policy_id is not None and policy_id not in policies:
            policies[policy_id] = POLICY_ROW.load(row, at + 4 + CLOSURE_ROW.width)
    policy = policy_among(policies.values())
    schedule = site_day(
        day, sorted(periods.values(), key=lambda p: p.half_day), list(closures.values())
    )
    return SiteDay(site, DayRules(schedule, policy))


def _policy_changed(sender: type[BookingPolicy], instance: BookingPolicy, **kwargs: Any) -> None:
    # A site's own policy or its network's: raising the network's version covers both, and
    # a policy moved from one site to another.
    network = instance.network if BookingPolicy.network.is_cached(instance) else None
    network_rules_changed(network_id=instance.network_id, network=network)


def connect() -> None:
    post_save.connect(_policy_changed, sender=BookingPolicy, dispatch_uid="rules-policy")
    post_delete.connect(_policy_changed, sender=BookingPolicy, dispatch_uid="rules-d-policy")
