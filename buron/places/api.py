"""Read-only API of the network's places (mounted by buron.api)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from . import selectors
from .models import Closure, OpeningPeriod, Resource, Site

router = Router(tags=["sites"])

# How far ahead a site's closures are listed.
CLOSURES_HORIZON_DAYS = 366


class SiteOut(Schema):
    slug: str
    name: str
    kind: str
    network: str
    parent: str | None
    commune: str
    insee_code: str
    postal_code: str
    address: str
    # Degrees (WGS 84) as JSON numbers; six decimals place a point within about 10 cm.
    latitude: float
    longitude: float
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
    # Both languages: an API client chooses, whatever the language of the request.
    note_fr: str
    note_en: str


class SiteDetailOut(SiteOut):
    resources: list[ResourceOut]
    opening_hours: list[OpeningOut]
    closures: list[ClosureOut]


class ErrorOut(Schema):
    detail: str


def _site_out(site: Site) -> SiteOut:
    """The fields every site answer carries; network and parent are already loaded."""
    return SiteOut(
        slug=site.slug,
        name=site.name,
        kind=site.kind,
        network=site.network.slug,
        parent=site.parent.slug if site.parent is not None else None,
        commune=site.commune_name,
        insee_code=site.insee_code,
        postal_code=site.postal_code,
        address=site.address,
        latitude=float(site.latitude),
        longitude=float(site.longitude),
        has_fibre=site.has_fibre,
        download_mbps=site.download_mbps,
        upload_mbps=site.upload_mbps,
        step_free_access=site.step_free_access,
    )


def _resource_out(resource: Resource) -> ResourceOut:
    return ResourceOut(
        id=resource.pk,
        name=resource.label,
        kind=resource.kind,
        capacity=resource.capacity,
        booking_unit=resource.booking_unit,
    )


def _opening_out(period: OpeningPeriod) -> OpeningOut:
    return OpeningOut(
        weekday=period.weekday, half_day=period.half_day, opens=period.opens, closes=period.closes
    )


def _closure_out(closure: Closure) -> ClosureOut:
    return ClosureOut(
        start_date=closure.start_date,
        end_date=closure.end_date,
        reason=closure.reason,
        note_fr=closure.note_fr,
        note_en=closure.note_en,
    )


@router.get("/sites", response=list[SiteOut], summary="The published sites of every network")
def site_list(request: HttpRequest) -> list[SiteOut]:
    return [_site_out(site) for site in selectors.published_sites()]


@router.get(
    "/sites/{slug}",
    response={200: SiteDetailOut, 404: ErrorOut},
    summary="One published site, its active resources, opening hours and coming closures",
)
def site_detail(request: HttpRequest, slug: str) -> SiteDetailOut | Status[ErrorOut]:
    try:
        site = selectors.site_with_resources(slug)
    except Site.DoesNotExist:
        return Status(404, ErrorOut(detail=_("No published site has this short name.")))
    closures = selectors.upcoming_closures(site, timezone.localdate(), days=CLOSURES_HORIZON_DAYS)
    return SiteDetailOut(
        **_site_out(site).model_dump(),
        resources=[_resource_out(r) for r in site.resources.all()],
        opening_hours=[_opening_out(p) for p in site.opening_periods.all()],
        closures=[_closure_out(c) for c in closures],
    )
