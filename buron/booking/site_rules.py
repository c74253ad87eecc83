"""A booking's view of a site's rules for a day, kept in the cache under the rules'
versions (see buron.places.rules), and what raises the versions of booking policies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from buron.places.models import Site
from buron.places.rules import network_rules_changed
from buron.places.selectors import DaySchedule, site_day, site_schedule

from . import store
from .models import BookingPolicy
from .selectors import policy_among, policy_for


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
    in one statement (store.published_site_day): the same DayRules as day_rules."""
    found = store.published_site_day(slug=slug, day=day)
    if found is None:
        return None
    return SiteDay(
        found.found.site,
        DayRules(site_day(day, found.found), policy_among(found.policies)),
    )


def _policy_changed(sender: type[BookingPolicy], instance: BookingPolicy, **kwargs: Any) -> None:
    # A site's own policy or its network's: raising the network's version covers both, and
    # a policy moved from one site to another.
    network = instance.network if BookingPolicy.network.is_cached(instance) else None
    network_rules_changed(network_id=instance.network_id, network=network)


def connect() -> None:
    post_save.connect(_policy_changed, sender=BookingPolicy, dispatch_uid="rules-policy")
    post_delete.connect(_policy_changed, sender=BookingPolicy, dispatch_uid="rules-d-policy")
