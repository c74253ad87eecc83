"""Public pages: parse the request, call the selectors, render."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from buron.offers.selectors import offers_for_site_page
from buron.places import selectors
from buron.places.models import Site
from buron.places.selectors import site_for_page, site_schedules, upcoming_closures, weekly_hours

from . import presenters
from .statement import ACCESSIBILITY_ASSESSED_ON, RGAA_VERSION


def home(request: HttpRequest) -> HttpResponse:
    sites = selectors.published_sites_with_counts()
    return render(
        request,
        "public/home.html",
        {
            "sites": sites,
            "networks": presenters.networks_of(sites),
            "map_points": presenters.map_points(sites),
            "tile_url": settings.BURON_TILE_URL,
            "tile_attribution": settings.BURON_TILE_ATTRIBUTION,
        },
    )


def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        site = site_for_page(slug)
    except Site.DoesNotExist:
        raise Http404("No published site with this address.") from None
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(site.network.time_zone))
    offer = presenters.offer_summary(site.resources.all())
    return render(
        request,
        "public/site.html",
        {
            "site": site,
            "today": site_schedules([site], today, today)[site.pk][today],
            "hours": weekly_hours(site),
            "closures": upcoming_closures(site, today),
            "holidays": presenters.next_public_holidays(today),
            "offer": offer,
            # What the "Book" button searches: the first kind of space the site has.
            "book_kind": offer[0].kind if offer else None,
            "amenities": list(site.amenities.all()),
            "annexes": list(site.annexes.all()),
            "prices": offers_for_site_page(site=site, day=today),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/accessibility.html",
        {
            "operators": selectors.networks(),
            "assessed_on": ACCESSIBILITY_ASSESSED_ON,
            "rgaa_version": RGAA_VERSION,
        },
    )


def legal(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/legal.html",
        {
            "operators": selectors.networks(),
            "hosting": getattr(settings, "BURON_HOSTING", ""),
        },
    )
