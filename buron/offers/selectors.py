from __future__ import annotations

from collections.abc import Iterable

from buron.places.models import Site

from .models import Price


def prices_by_site(sites: Iterable[Site]) -> dict[int, list[Price]]:
    """The prices that apply at each site, in one query: a site's own prices replace the
    network's for the same kind of resource."""
    sites = list(sites)
    network_ids = {s.network_id for s in sites}
    rows = list(Price.objects.filter(network_id__in=network_ids).order_by("position", "amount"))
    result: dict[int, list[Price]] = {}
    for site in sites:
        own = [p for p in rows if p.site_id == site.pk]
        own_kinds = {p.resource_kind for p in own}
        shared = [
            p
            for p in rows
            if p.site_id is None
            and p.network_id == site.network_id
            and p.resource_kind not in own_kinds
        ]
        result[site.pk] = sorted(own + shared, key=lambda p: (p.position, p.amount))
    return result


def prices_for_site(site: Site) -> list[Price]:
    """The prices shown for one site (prices_by_site for that site alone)."""
    return prices_by_site([site])[site.pk]
