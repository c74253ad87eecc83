"""Site host pages under /gestion/: the plan of their sites, bookings made or cancelled for
members, blocks for maintenance and the bookings they displace.

Deny by default: every page first finds the site among those the user manages (404 for any
other), then the booking among that site's (404 for any other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.core.dates import format_date, format_moment
from buron.core.parsing import LATEST
from buron.places.models import Site

from . import selectors, services
from .errors import BookingRefused, SlotTaken
from .forms import (
    BlockForm,
    DayForm,
    HostBookForm,
    HostSeriesForm,
    MoveForm,
    add_refusal,
    shifted_day,
)
from .models import Booking, BookingKind
from .payer import payer_choices

WEEK_DAYS = 7


def _sites(request: HttpRequest) -> QuerySet[Site]:
    return selectors.managed_sites(scope=staff_scope(user=signed_in_user(request)))


def _site(request: HttpRequest, slug: str) -> Site:
    """The site, if the user manages it; 404 otherwise (its existence is not revealed)."""
    return get_object_or_404(_sites(request).select_related("network"), slug=slug)


SiteView = Callable[..., HttpResponse]


def site_page(view: SiteView) -> Callable[..., HttpResponse]:
    """A page about one managed site, given the site rather than its slug, and shown in the
    site's time zone (its network's): times, "today" and the days of blocks read as they do
    on the site's own clock."""

    @login_required
    @wraps(view)
    def page(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        site = _site(request, slug)
        with timezone.override(site.network.time_zone):
            return view(request, site, **kwargs)

    return page


def _booking(site: Site, pk: int, **filters: Any) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("site", "resource", "member"), pk=pk, site=site, **filters
    )


def _day(request: HttpRequest) -> tuple[dt.date, DayForm]:
    """The day asked for, or today when none is given or it is not a day the pages accept
    (the form then says why)."""
    form = DayForm(request.GET or None)
    day = form.cleaned_data.get("date") if form.is_bound and form.is_valid() else None
    return day or timezone.localdate(), form


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: a page of this site given by the form, else the default."""
    target = (request.POST if request.method == "POST" else request.GET).get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _last_day(block: Booking) -> dt.date:
    """A block ends at midnight after its last day."""
    return timezone.localdate(block.end) - dt.timedelta(days=1)


def _plan_url(site: Site, day: dt.date) -> str:
    return reverse("booking:manage_site", kwargs={"slug": site.slug}) + f"?date={day:%Y-%m-%d}"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    sites = list(_sites(request).select_related("network").order_by("network__name", "name"))
    if not sites:
        return render(request, "booking/manage/forbidden.html", status=403)
    return render(request, "booking/manage/index.html", {"sites": sites})


@site_page
def site_day(request: HttpRequest, site: Site) -> HttpResponse:
    day, form = _day(request)
    listed = selectors.site_plan(site=site, start=day, days=1)
    return render(
        request,
        "booking/manage/day.html",
        {
            "site": site,
            "form": form,
            "day": day,
            "plan": selectors.site_plan_day(site=site, day=day),
            "bookings": [b for b in listed if b.kind == BookingKind.BOOKING],
            "blocks": [(b, _last_day(b)) for b in listed if b.kind == BookingKind.BLOCK],
            # None past the days the pages accept: no link then.
            "previous": shifted_day(day, -1),
            "next": shifted_day(day, 1),
        },
    )


@site_page
def site_week(request: HttpRequest, site: Site) -> HttpResponse:
    day, form = _day(request)
    return render(
        request,
        "booking/manage/week.html",
        {
            "site": site,
            "form": form,
            "start": day,
            "plan": selectors.site_plan_week(site=site, start=day, days=WEEK_DAYS),
            # The schedules' words for a weekday without hours (shown shorter here).
            "weekday_closed": _("Closed on this weekday"),
            "previous": shifted_day(day, -WEEK_DAYS),
            "next": shifted_day(day, WEEK_DAYS),
            "last_day": LATEST,
        },
    )


@site_page
def book(request: HttpRequest, site: Site) -> HttpResponse:
    """Book for a member: a desk or office by the half-day, or a room by the hour."""
    host = signed_in_user(request)
    day, _form = _day(request)
    form = HostBookForm(request.POST or None, site=site, initial={"date": day})
    if request.method == "POST" and form.is_valid() and form.member is not None:
        data = form.cleaned_data
        member = form.member
        choices = payer_choices(data.get("payer"))
        try:
            if form.is_hourly:
                start, end = form.times()
                booking = services.booking_create_hours(
                    member=member,
                    resource=data["resource"],
                    start=start,
                    end=end,
                    booked_by=host,
                    choices=choices,
                )
            else:
                booking = services.booking_create_half_day(
                    member=member,
                    site=site,
                    day=data["date"],
                    period=data["period"],
                    kind=data["kind"],
                    resource=data["resource"],
                    booked_by=host,
                    choices=choices,
                )
        except BookingRefused as exc:
            add_refusal(form, exc)
        except SlotTaken as exc:
            form.add_error(None, exc.message)
        else:
            # The address the host typed, not the member's name: the form tells nobody
            # who holds an address.
            messages.success(
                request,
                _("Booked %(resource)s for %(email)s on %(moment)s.")
                % {
                    "resource": booking.resource.label,
                    "email": member.email,
                    "moment": format_moment(booking.start, zone=site.network.time_zone),
                },
            )
            return redirect(_plan_url(site, data["date"]))
    return render(request, "booking/manage/book.html", {"site": site, "form": form})


@site_page
def series(request: HttpRequest, site: Site) -> HttpResponse:
    """Book the same half-day on some weekdays for a member, each day with the payer chosen;
    the days that could not be booked come back with their reason."""
    day, _form = _day(request)
    form = HostSeriesForm(
        request.POST or None,
        initial={"start_date": day, "end_date": day + dt.timedelta(days=27)},
    )
    if request.method == "POST" and form.is_valid() and form.member is not None:
        data = form.cleaned_data
        try:
            result = services.series_create(
                member=form.member,
                site=site,
                weekdays=data["weekdays"],
                period=data["period"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                kind=data["kind"],
                booked_by=signed_in_user(request),
                choices=payer_choices(data.get("payer")),
            )
        except BookingRefused as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request,
                _("%(booked)d of %(total)d days booked for %(email)s.")
                % {
                    "booked": len(result.booked),
                    "total": len(result.occurrences),
                    "email": form.member.email,
                },
            )
            for missed in result.missed:
                messages.warning(
                    request,
                    _("%(day)s not booked: %(reason)s")
                    % {"day": format_date(missed.day), "reason": missed.reason},
                )
            return redirect(_plan_url(site, data["start_date"]))
    return render(request, "booking/manage/series.html", {"site": site, "form": form})


@site_page
def cancel(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Cancel a member's booking, or lift a block (the host has no deadline)."""
    booking = _booking(site, pk)
    back = _plan_url(site, timezone.localdate(booking.start))
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, by=signed_in_user(request))
        except BookingRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The block is lifted.")
                if booking.kind == BookingKind.BLOCK
                else _("The booking is cancelled."),
            )
        return redirect(_next(request, back))
    return render(
        request,
        "booking/manage/cancel.html",
        {
            "site": site,
            "booking": booking,
            "back": _next(request, back),
            "last_day": _last_day(booking),
        },
    )


@site_page
def block(request: HttpRequest, site: Site) -> HttpResponse:
    """Block a resource from one day to another; then show the bookings to move."""
    day, _form = _day(request)
    form = BlockForm(
        request.POST or None,
        site=site,
        initial={"start_date": day, "end_date": day, "resource": request.GET.get("resource")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.resource_block(
                resource=data["resource"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                by=signed_in_user(request),
                note=data["note"],
            )
        except BookingRefused as exc:
            add_refusal(form, exc)
        except SlotTaken as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The resource is blocked."))
            return redirect("booking:manage_block_detail", slug=site.slug, pk=result.block.pk)
    return render(request, "booking/manage/block_form.html", {"site": site, "form": form})


@site_page
def block_detail(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    blocked = _booking(site, pk, kind=BookingKind.BLOCK)
    to_move = selectors.block_bookings(block=blocked)
    options = selectors.move_options(bookings=to_move)
    return render(
        request,
        "booking/manage/block_detail.html",
        {
            "site": site,
            "blocked": blocked,
            "last_day": _last_day(blocked),
            "rows": [(b, options.get(b.pk, [])) for b in to_move],
        },
    )


@site_page
@require_POST
def move(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Move a booking to another free resource of the same kind at the same times."""
    booking = _booking(site, pk, kind=BookingKind.BOOKING)
    options = selectors.move_options(bookings=[booking]).get(booking.pk, [])
    form = MoveForm(request.POST, options=options)
    if not form.is_valid():
        messages.error(request, _("Choose one of the free resources listed."))
    else:
        try:
            moved = services.booking_move(
                booking=booking, to=form.cleaned_data["to"], by=signed_in_user(request)
            )
        except BookingRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
        except SlotTaken as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The booking is moved to %(resource)s.") % {"resource": moved.resource.label},
            )
    return redirect(_next(request, _plan_url(site, timezone.localdate(booking.start))))
