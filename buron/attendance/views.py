"""Check-in pages: a member's (opened by the QR code at the entrance) and the host's
arrivals of the day, walk-ins and the entrance poster.

Host pages deny by default: the site is first found among those the user manages (404 for
any other), then the booking among that site's bookings of the day (404 for any other).
The member's page works without JavaScript (a plain form post); with it, a check-in made
offline is kept on the phone and sent when the connection returns (static/attendance).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.booking.models import Booking, BookingKind, BookingStatus
from buron.booking.selectors import managed_sites
from buron.places.models import Site

from . import selectors, services
from .forms import HostCheckinForm, MemberCheckinForm, WalkInForm
from .models import VisitSource
from .poster import checkin_poster_pdf


def _managed_site(request: HttpRequest, slug: str) -> Site:
    """The site, if the user manages it; 404 otherwise (its existence is not revealed)."""
    sites = managed_sites(scope=staff_scope(user=signed_in_user(request)))
    return get_object_or_404(sites.select_related("network"), slug=slug)


def _arrivals_url(site: Site) -> str:
    return reverse("attendance:arrivals", kwargs={"slug": site.slug})


def _checkin_url(token: str) -> str:
    return settings.SITE_URL + reverse("attendance:checkin", kwargs={"token": token})


def _arrived_message(arrived_at: Any) -> str:
    return _("Checked in at %(time)s. Have a good day!") % {
        "time": time_format(timezone.localtime(arrived_at), "H:i")
    }


def _refusal_errors(exc: services.CheckinRefused) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@login_required
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """A member checks in at the site of this code: now, or when their phone recorded it.
    A script asking for JSON gets JSON; a plain form post is redirected back here."""
    point = selectors.checkin_point_by_token(token=token)
    if point is None:
        raise Http404
    site = point.site
    member = signed_in_user(request)
    wants_json = "application/json" in request.headers.get("Accept", "")
    with timezone.override(site.network.time_zone):
        form = MemberCheckinForm(request.POST or None)
        if request.method == "POST":
            errors: dict[str, list[str]] = {}
            if form.is_valid():
                try:
                    result = services.visit_checkin(
                        site=site,
                        member=member,
                        arrived_at=form.cleaned_data["arrived_at"] or timezone.now(),
                        client_uuid=form.cleaned_data["client_uuid"],
                        source=VisitSource.QR,
                    )
                except services.CheckinRefused as exc:
                    errors = _refusal_errors(exc)
                    for field, messages_ in errors.items():
                        for message in messages_:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    message = _arrived_message(result.visit.arrived_at)
                    if wants_json:
                        return JsonResponse(
                            {
                                "created": result.created,
                                "arrived_at": result.visit.arrived_at.isoformat(),
                                "message": message,
                            },
                            status=201 if result.created else 200,
                        )
                    messages.success(request, message)
                    return redirect(request.path)
            else:
                errors = {f: [str(m) for m in msgs] for f, msgs in form.errors.items()}
            if wants_json:
                first = next(iter(errors.values()))[0]
                return JsonResponse({"detail": first, "errors": errors}, status=422)
        visit = selectors.member_visit_on(member=member, site=site, day=timezone.localdate())
        return render(
            request,
            "attendance/checkin.html",
            {"site": site, "form": form, "visit": visit},
            status=422 if request.method == "POST" else 200,
        )


@login_required
def arrivals(request: HttpRequest, slug: str) -> HttpResponse:
    """Today's arrivals at a site the user manages: bookings to check in, walk-ins."""
    site = _managed_site(request, slug)
    with timezone.override(site.network.time_zone):
        day = timezone.localdate()
        return render(
            request,
            "attendance/arrivals.html",
            {
                "site": site,
                "day": day,
                "arrivals": selectors.arrivals_for_day(site=site, day=day),
                "walk_in_form": WalkInForm(),
                "new_uuid": uuid.uuid4,
            },
        )


@login_required
@require_POST
def host_checkin(request: HttpRequest, slug: str) -> HttpResponse:
    """The host checks in the member of one of today's bookings at their site."""
    site = _managed_site(request, slug)
    form = HostCheckinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This check-in could not be read: try again."))
        return redirect(_arrivals_url(site))
    with timezone.override(site.network.time_zone):
        booking = get_object_or_404(
            Booking.objects.select_related("member"),
            pk=form.cleaned_data["booking"],
            site=site,
            kind=BookingKind.BOOKING,
            status=BookingStatus.ACTIVE,
            member__isnull=False,
        )
        if timezone.localdate(booking.start) != timezone.localdate():
            raise Http404
        member = booking.member
        if member is None:
            raise Http404
        try:
            result = services.visit_checkin(
                site=site,
                member=member,
                arrived_at=timezone.now(),
                client_uuid=form.cleaned_data["client_uuid"],
                source=VisitSource.HOST,
                by=signed_in_user(request),
            )
        except services.CheckinRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s is checked in.") % {"name": member.get_full_name() or member.email}
                if result.created
                else _("%(name)s was already checked in.")
                % {"name": member.get_full_name() or member.email},
            )
    return redirect(_arrivals_url(site))


@login_required
def walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a visitor without a booking: their status and commune."""
    site = _managed_site(request, slug)
    with timezone.override(site.network.time_zone):
        form = WalkInForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.visit_walk_in(
                    site=site,
                    visitor_status=data["status"],
                    home_commune=data["commune"],
                    work_commune=data["work_commune"],
                    arrived_at=timezone.now(),
                    client_uuid=data["client_uuid"],
                    by=signed_in_user(request),
                )
            except services.CheckinRefused as exc:
                for field, msgs in _refusal_errors(exc).items():
                    for message in msgs:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("The walk-in is recorded.")
                    if result.created
                    else _("This walk-in was already recorded."),
                )
                return redirect(_arrivals_url(site))
        return render(
            request,
            "attendance/walk_in.html",
            {"site": site, "form": form},
            status=422 if request.method == "POST" else 200,
        )


@login_required
def poster(request: HttpRequest, slug: str) -> HttpResponse:
    """The site's entrance poster (PDF) with the QR code of its check-in page."""
    site = _managed_site(request, slug)
    point = services.checkin_point_ensure(site=site)
    pdf = checkin_poster_pdf(site=site, url=_checkin_url(point.token))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pointage-{site.slug}.pdf"'
    return response
