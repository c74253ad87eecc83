"""Shape what the selectors return into what the public pages show. Reads only, no rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse

from buron.places.models import Network, Resource, ResourceKind, Site
from buron.places.selectors import public_holidays

# How many public holidays a site page lists ahead, and how far it looks for them.
HOLIDAYS_SHOWN = 5
HOLIDAYS_HORIZON = dt.timedelta(days=400)


def networks_of(sites: Iterable[Site]) -> list[Network]:
    """The networks the sites belong to, in order of appearance (already loaded, no query)."""
    seen: dict[int, Network] = {}
    for site in sites:
        seen.setdefault(site.network_id, site.network)
    return list(seen.values())


@dataclass
class MapPoint:
    """One place on the map; sites sharing the same coordinates share one marker."""

    lat: float
    lon: float
    sites: list[dict[str, str]] = field(default_factory=list)


def map_points(sites: Iterable[Site]) -> list[dict[str, object]]:
    """The map's markers as plain data for a json_script element."""
    points: dict[tuple[str, str], MapPoint] = {}
    for site in sites:
        key = (str(site.latitude), str(site.longitude))
        point = points.setdefault(key, MapPoint(float(site.latitude), float(site.longitude)))
        point.sites.append(
            {
                "name": site.name,
                "commune": site.commune_name,
                "url": reverse("public:site", kwargs={"slug": site.slug}),
            }
        )
    return [{"lat": p.lat, "lon": p.lon, "sites": p.sites} for p in points.values()]


@dataclass(frozen=True)
class OfferLine:
    kind: str
    label: str
    count: int
    capacity: int
    # Rooms and offices are listed by name with their capacity; desks are only counted.
    rooms: tuple[tuple[str, int], ...]


def offer_summary(resources: Iterable[Resource]) -> list[OfferLine]:
    """Resources counted per kind (desks, meeting rooms…), in the kinds' usual order."""
    by_kind: dict[str, list[Resource]] = {}
    for resource in resources:
        by_kind.setdefault(resource.kind, []).append(resource)
    lines = []
    for kind, label in ResourceKind.choices:
        found = by_kind.get(kind, [])
        if found:
            lines.append(
                OfferLine(
                    kind=kind,
                    label=str(label),
                    count=len(found),
                    capacity=sum(r.capacity for r in found),
                    rooms=(
                        tuple((r.label, r.capacity) for r in found)
                        if kind != ResourceKind.DESK
                        else ()
                    ),
                )
            )
    return lines


def next_public_holidays(today: dt.date, count: int = HOLIDAYS_SHOWN) -> list[tuple[dt.date, str]]:
    """The next public holidays from today (included), named in the active language."""
    found = public_holidays(today, today + HOLIDAYS_HORIZON)
    return sorted(found.items())[:count]
