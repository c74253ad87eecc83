"""Writes of the observatory: its rollups, recomputed from the raw rows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from buron.places.models import Site

from .models import SiteDay, SiteDayMember
from .raw import DayFigures, day_figures, range_figures


@transaction.atomic
def rollup_site_day_refresh(*, site: Site, day: dt.date) -> SiteDay:
    """Recompute the figures of one site on one day from the raw rows and store them
    (idempotent: running it twice leaves the same row). Give the site
    with its network."""
    figures = day_figures(site=site, day=day)
    values = {"network_id": site.network_id, **_values(figures)}
    row, _created = SiteDay.objects.update_or_create(site=site, day=day, defaults=values)
    kept = set(SiteDayMember.objects.filter(site=site, day=day).values_list("member_id", flat=True))
    gone = kept - figures.members
    if gone:
        SiteDayMember.objects.filter(site=site, day=day, member_id__in=gone).delete()
    SiteDayMember.objects.bulk_create(
        [SiteDayMember(site=site, day=day, member_id=m) for m in sorted(figures.members - kept)],
        ignore_conflicts=True,
    )
    return row


def _values(figures: DayFigures) -> dict[str, object]:
    return {
        "open_half_days": figures.open_half_days,
        "occupied_am": figures.occupied_am,
        "occupied_pm": figures.occupied_pm,
        "visits": figures.visits,
        "anonymous_visits": figures.anonymous_visits,
        "booked_visits": figures.booked_visits,
        "walk_ins": figures.walk_ins,
        "visits_by_status": figures.visits_by_status,
        "bookings": figures.bookings,
        "no_shows": figures.no_shows,
        "km_avoided": figures.km_avoided,
        "co2_kg_avoided": figures.co2_kg_avoided,
    }


@transaction.atomic
def rollups_refresh(*, sites: list[Site], start: dt.date, end: dt.date) -> int:
    """Recompute every site-day of the sites from `start` to `end` (days included) in
    bulk: the range's rows are replaced in one transaction; returns how many site-days
    were written. Give the sites with their network."""
    figures = range_figures(sites=sites, start=start, end=end)
    networks = {s.pk: s.network_id for s in sites}
    site_ids = list(networks)
    SiteDay.objects.filter(site_id__in=site_ids, day__gte=start, day__lte=end).delete()
    SiteDayMember.objects.filter(site_id__in=site_ids, day__gte=start, day__lte=end).delete()
    SiteDay.objects.bulk_create(
        [
            SiteDay(site_id=site_id, day=day, network_id=networks[site_id], **_values(f))
            for (site_id, day), f in sorted(figures.items())
        ],
        batch_size=1000,
    )
    SiteDayMember.objects.bulk_create(
        [
            SiteDayMember(site_id=site_id, day=day, member_id=m)
            for (site_id, day), f in sorted(figures.items())
            for m in sorted(f.members)
        ],
        batch_size=1000,
    )
    return len(figures)
