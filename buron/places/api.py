"""Read-only API of the network's places (mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from . import selectors
from .models import Site

router = Router(tags=["sites"])


class SiteOut(Schema):
    slug: str
    name: str
    kind: str
    commune: str
    insee_code: str
    postal_code: str
    address: str
    latitude: Decimal
    longitude: Decimal
    has_fibre: bool
    download_mbps: int | None
    upload_mbps: int | None
    step_free_access: bool


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    capacity: int
    booking_unit: str


class OpeningOut(Schema):
    weekday: int
    half_day: str
    opens: dt.time
    closes: dt.time


class ClosureOut(Schema):
    start_date: dt.date
    end_date: dt.date
    reason: str
    note: str


class SiteDetailOut(SiteOut):
    resources: list[ResourceOut]
    opening_hours: list[OpeningOut]
    closures: list[ClosureOut]


def _site_out(site: Site) -> dict[str, object]:
    return {
        "slug": site.slug,
        "name": site.name,
        "kind": site.kind,
        "commune": site.commune_name,
        "insee_code": site.insee_code,
        "postal_code": site.postal_code,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "has_fibre": site.has_fibre,
        "download_mbps": site.download_mbps,
        "upload_mbps": site.upload_mbps,
        "step_free_access": site.step_free_access,
    }


@router.get("/sites", response=list[SiteOut], summary="The published sites of every network")
def site_list(request: HttpRequest) -> list[dict[str, object]]:
    return [_site_out(site) for site in selectors.published_sites()]


@router.get("/sites/{slug}", response=SiteDetailOut, summary="One site, its resources and hours")
def site_detail(request: HttpRequest, slug: str) -> dict[str, object]:
    try:
        site = selectors.site_for_page(slug)
    except Site.DoesNotExist as exc:
        raise Http404 from exc
    from django.utils import timezone

    closures = selectors.upcoming_closures(site, timezone.localdate(), days=366)
    return {
        **_site_out(site),
        "resources": [
            {"id": r.pk, "name": r.name, "kind": r.kind, "capacity": r.capacity,
             "booking_unit": r.booking_unit}
            for r in site.resources.all()
        ],
        "opening_hours": [
            {"weekday": p.weekday, "half_day": p.half_day, "opens": p.opens, "closes": p.closes}
            for p in site.opening_periods.all()
        ],
        "closures": [
            {"start_date": c.start_date, "end_date": c.end_date, "reason": c.reason,
             "note": c.note}
            for c in closures
        ],
    }
