"""Member pages of the booking engine: search, book, recurring bookings, my bookings, the
calendar feed. Each view parses its form, calls one service or selector, and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buron.accounts.models import MemberProfile, User
from buron.accounts.requests import signed_in_user
from buron.accounts.services import calendar_token_rotate
from buron.core.dates import format_moment
from buron.employers.selectors import payer_options, payers_for_bookings
from buron.offers.selectors import coverage_for_bookings
from buron.places.models import Commune, ResourceKind, Site, Weekday

from . import ical, selectors, services
from .errors import BookingRefused, SlotTaken
from .forms import BookForm, SearchForm, SeriesForm, add_refusal
from .models import Booking, BookingKind, BookingSeries, Period
from .payer import payer_choices

CALENDAR_PAST_DAYS = 90
PAST_BOOKINGS_SHOWN = 30


def _commune(user: User) -> Commune | None:
    try:
        profile = user.profile
    except MemberProfile.DoesNotExist:
        return None
    return profile.commune


@login_required
def search(request: HttpRequest) -> HttpResponse:
    member = signed_in_user(request)
    commune = _commune(member)
    form = SearchForm(
        request.GET or None,
        has_commune=commune is not None,
        initial={"date": timezone.localdate()},
    )
    context: dict[str, Any] = {"form": form, "commune": commune, "results": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        sites = Site.objects.filter(pk=data["site"].pk) if data["site"] else Site.objects.all()
        near = (
            (float(commune.latitude), float(commune.longitude))
            if data["near"] and commune
            else None
        )
        results = selectors.availability(
            day=data["date"], period=data["period"], kind=data["kind"], sites=sites, near=near
        )
        week = selectors.availability_week(
            start=data["date"],
            days=form.days(),
            period=data["period"],
            kind=data["kind"],
            sites=sites,
        )
        selectors.with_prices(
            results, member=member, day=data["date"], period=data["period"], kind=data["kind"]
        )
        order = {r.site.pk: i for i, r in enumerate(results)}
        week.sort(key=lambda row: order.get(row[0].pk, len(order)))
        context.update(
            {
                "day": data["date"],
                "period": data["period"],
                "period_label": str(Period(data["period"]).label),
                # The schedules' words for a weekday without hours (shown shorter here).
                "weekday_closed": _("Closed on this weekday"),
                "kind": data["kind"],
                "kind_label": str(ResourceKind(data["kind"]).label),
                "assigned": data["kind"] in services.HALF_DAY_KINDS,
                "results": results,
                "week": week,
                "week_days": [cell.day for cell in week[0][1]] if week else [],
            }
        )
    return render(request, "booking/search.html", context)


def _alternatives(exc: SlotTaken) -> list[dict[str, Any]]:
    """The alternatives of a "just taken" answer, ready to show as buttons."""
    shown = []
    for alternative in exc.alternatives:
        hour = None
        if ":" in alternative.period:
            hour = int(alternative.period.split(":")[0])
        shown.append(
            {
                "site_slug": alternative.site_slug,
                "site_name": alternative.site_name,
                "day": dt.date.fromisoformat(alternative.day),
                "period": alternative.period,
                "period_label": "" if hour is not None else Period(alternative.period).label,
                "hour": hour,
                "free": alternative.free,
            }
        )
    return shown


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """Book what the search page offered; on a refusal the form comes back with the reason
    on its field; when it was just taken, the alternatives are offered instead."""
    member = signed_in_user(request)
    payers = payer_options(member=member, today=timezone.localdate())
    if request.method != "POST":
        form = BookForm(initial=request.GET, payers=payers)
        return render(request, "booking/book.html", {"form": form})
    form = BookForm(request.POST, payers=payers)
    if form.is_valid():
        data = form.cleaned_data
        choices = payer_choices(data.get("payer"))
        try:
            if form.is_hourly:
                start, end = form.times()
                booking = services.booking_create_hours(
                    member=member, resource=data["resource"], start=start, end=end, choices=choices
                )
            else:
                booking = services.booking_create_half_day(
                    member=member,
                    site=form.chosen_site(),
                    day=data["date"],
                    period=data["period"],
                    kind=data["kind"],
                    resource=data["resource"],
                    choices=choices,
                )
        except BookingRefused as exc:
            add_refusal(form, exc)
        except SlotTaken as exc:
            return render(
                request,
                "booking/taken.html",
                {
                    "message": exc.message,
                    "alternatives": _alternatives(exc),
                    "kind": data["kind"],
                    "room": data["resource"] if form.is_hourly else None,
                },
            )
        else:
            messages.success(
                request,
                _("Your booking on %(moment)s is confirmed.")
                % {"moment": format_moment(booking.start, zone=booking.network.time_zone)},
            )
            return redirect("booking:detail", pk=booking.pk)
    return render(request, "booking/book.html", {"form": form})


def _own_booking(request: HttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("site", "resource", "network"),
        pk=pk,
        member=signed_in_user(request),
        kind=BookingKind.BOOKING,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    now = timezone.now()
    can_cancel, deadline = selectors.booking_cancellable(
        booking=booking, by=signed_in_user(request), now=now
    )
    # Times read on the site's clock (its network's time zone).
    with timezone.override(booking.network.time_zone):
        return render(
            request,
            "booking/detail.html",
            {
                "booking": booking,
                "coverage": _paid_by([booking]).get(booking.pk),
                "deadline": deadline,
                "can_cancel": can_cancel,
                "is_over": booking.end <= now,
            },
        )


def _paid_by(bookings: list[Booking]) -> dict[int, Any]:
    """What pays for each booking: a right or pay-as-you-go (offers), or an employer (read
    only for bookings whose member's status named an employer)."""
    found: dict[int, Any] = dict(coverage_for_bookings(booking_ids=[b.pk for b in bookings]))
    employer_paid = payers_for_bookings(booking_ids=[b.pk for b in bookings if b.employer_name])
    for pk, outcome in employer_paid.items():
        found[pk] = {**outcome, "given_back": "given_back" in outcome}
    return found


@login_required
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the member's bookings as a calendar file with one event, to add it to their
    calendar (the same event, same UID, as in their calendar feed)."""
    booking = _own_booking(request, pk)
    body = ical.bookings_calendar([booking], name=_("My Buron bookings"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reservation-{booking.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return _mine_page(request, feed_url=None)


def _mine_page(request: HttpRequest, *, feed_url: str | None) -> HttpResponse:
    """The member's bookings; with the calendar address only right after it is made (only
    its digest is kept, so it cannot be shown again)."""
    member = signed_in_user(request)
    now = timezone.now()
    upcoming = list(selectors.member_bookings(user=member, upcoming=True, now=now))
    past = list(
        selectors.member_bookings(user=member, upcoming=False, now=now).select_related(
            "moved_to__resource"
        )[:PAST_BOOKINGS_SHOWN]
    )
    cancellable = selectors.cancellation_deadlines(bookings=upcoming, by=member, now=now)
    covered = _paid_by(upcoming)
    return render(
        request,
        "booking/mine.html",
        {
            # (booking, its member's deadline, whether it can be cancelled now, what pays)
            "upcoming": [
                (b, cancellable[b.pk][1], cancellable[b.pk][0], covered.get(b.pk)) for b in upcoming
            ],
            "past": past,
            "past_limit": PAST_BOOKINGS_SHOWN,
            "feed_url": feed_url,
        },
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then cancel one of the member's bookings (until the deadline)."""
    member = signed_in_user(request)
    booking = _own_booking(request, pk)
    refusal: list[str] = []
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, by=member)
        except BookingRefused as exc:
            refusal = exc.messages
        else:
            messages.success(request, _("Your booking is cancelled."))
            return redirect("booking:mine")
    can_cancel, deadline = selectors.booking_cancellable(
        booking=booking, by=member, now=timezone.now()
    )
    with timezone.override(booking.network.time_zone):
        return render(
            request,
            "booking/cancel.html",
            {
                "booking": booking,
                "coverage": _paid_by([booking]).get(booking.pk),
                "deadline": deadline,
                "can_cancel": can_cancel and not refusal,
                "refusal": refusal,
            },
        )


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    token = calendar_token_rotate(user=signed_in_user(request))
    messages.success(
        request,
        _(
            "Your calendar has a new address: copy it into your calendar application now, "
            "it is shown only once. The old address no longer works."
        ),
    )
    return _mine_page(
        request,
        feed_url=request.build_absolute_uri(reverse("booking:ical", kwargs={"token": token})),
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's bookings as an iCalendar feed; the secret address is the only key."""
    member = selectors.member_for_calendar(token=token)
    if member is None:
        raise Http404("Unknown calendar address.")
    since = timezone.now() - dt.timedelta(days=CALENDAR_PAST_DAYS)
    body = ical.bookings_calendar(
        selectors.member_calendar(user=member, since=since), name=_("My Buron bookings")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="buron.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def series(request: HttpRequest) -> HttpResponse:
    """Book the same half-day on some weekdays between two dates."""
    member = signed_in_user(request)
    today = timezone.localdate()
    form = SeriesForm(
        request.POST or None,
        initial={"start_date": today, "end_date": today + dt.timedelta(days=27)},
        payers=payer_options(member=member, today=today),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.series_create(
                member=member,
                site=data["site"],
                weekdays=data["weekdays"],
                period=data["period"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                kind=data["kind"],
                choices=payer_choices(data.get("payer")),
            )
        except BookingRefused as exc:
            add_refusal(form, exc)
        else:
            # Why some days could not be booked is said once, on the page that follows.
            request.session[f"series-{result.series.pk}"] = [
                [o.day.isoformat(), o.reason] for o in result.missed
            ]
            return redirect("booking:series_detail", pk=result.series.pk)
    return render(request, "booking/series_form.html", {"form": form})


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(
        BookingSeries.objects.select_related("site__network"),
        pk=pk,
        member=signed_in_user(request),
    )
    reasons = dict(request.session.get(f"series-{series.pk}", []))
    occurrences = selectors.series_occurrences(series=series)
    return render(
        request,
        "booking/series_detail.html",
        {
            "series": series,
            "weekdays": ", ".join(
                str(Weekday(int(w)).label) for w in series.weekdays.split(",") if w
            ),
            "rows": [
                {
                    "day": o.day,
                    "bookings": o.bookings,
                    "cancelled": o.cancelled,
                    "reason": reasons.get(o.day.isoformat(), ""),
                }
                for o in occurrences
            ],
            # Only confirmed bookings count as booked; cancelled (or moved) ones are apart.
            "booked": sum(1 for o in occurrences if o.bookings),
            "cancelled_days": sum(1 for o in occurrences if o.cancelled and not o.bookings),
            "missed": sum(1 for o in occurrences if not o.bookings and not o.cancelled),
            "cancelled": [b for o in occurrences for b in o.cancelled],
        },
    )
