"""A booking made at the very moment what it holds goes away: a resource withdrawn, a site
unpublished, a site closed that day. Whatever the order, no booking stays active on what
is gone: a booking that got there first is vacated by the departure; one that read the
resource or site before the departure committed, then writes, is refused.

The first tests play the interleaving one step after the other (what the booking read is
kept from before the departure); the others run the departure and the booking in two
threads, each with its own connection, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q

from buron.booking import participants, services
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingKind, BookingSlot, BookingStatus
from buron.booking.participants import BookingChange
from buron.booking.services.create import HalfDayAsk, half_day_book
from buron.booking.site_rules import day_rules
from buron.core.testing.race import race
from buron.places.models import Closure, Resource, Site

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 10  # seconds a thread waits for the other at most


def ghosts() -> list[Booking]:
    """Active bookings on a withdrawn resource, an unpublished site, or a closed day."""
    closed = Closure.objects.filter(start_date__lte=DAY, end_date__gte=DAY).values("site_id")
    return list(
        Booking.objects.filter(kind=BookingKind.BOOKING, status=BookingStatus.ACTIVE).filter(
            Q(resource__is_active=False) | Q(site__is_published=False) | Q(site_id__in=closed)
        )
    )


def poste(site: Site, n: int = 1) -> Resource:
    return Resource.objects.get(site=site, name=f"Poste {n}")


def book(member, site, *, resource=None, period="am"):
    return services.booking_create_half_day(
        member=member, site=site, day=DAY, period=period, now=NOW, resource=resource
    )


def close_day(site: Site, by) -> None:
    closure = Closure.objects.create(site=site, start_date=DAY, end_date=DAY, reason="works")
    services.closure_apply(closure=closure, by=by, now=NOW)


# --- One step after the other ------------------------------------------------------------


def test_a_desk_read_before_its_withdrawal_is_not_booked_after_it(site, member, host):
    seen = poste(site)  # what the booking read, before the withdrawal
    services.resource_withdraw(resource=poste(site), by=host, now=NOW)

    with pytest.raises(SlotTaken):
        book(member, site, resource=seen)

    assert not Booking.objects.filter(member=member).exists()
    assert not BookingSlot.objects.filter(resource=seen).exists()


def test_a_room_read_before_its_withdrawal_is_not_booked_after_it(site, member, host):
    seen = Resource.objects.select_related("site__network").get(site=site, kind="meeting_room")
    services.resource_withdraw(resource=Resource.objects.get(pk=seen.pk), by=host, now=NOW)

    with pytest.raises(SlotTaken):
        services.booking_create_hours(
            member=member, resource=seen, start=at(DAY, 10), end=at(DAY, 12), now=NOW
        )

    assert not Booking.objects.filter(member=member).exists()
    assert not BookingSlot.objects.filter(resource=seen).exists()


def test_a_site_read_before_it_was_unpublished_takes_no_booking(site, member, host):
    seen = Site.objects.select_related("network").get(pk=site.pk)
    services.site_withdraw(site=Site.objects.get(pk=site.pk), by=host, now=NOW)

    with pytest.raises(SlotTaken):
        book(member, seen)

    assert not Booking.objects.filter(member=member).exists()


def test_a_day_read_open_before_its_closure_takes_no_booking(site, member, host):
    rules = day_rules(site, DAY)  # read before the closure: the site opens that day
    close_day(site, host)

    with pytest.raises(SlotTaken):
        half_day_book(
            HalfDayAsk(member=member, site=site, day=DAY, period="am"), now=NOW, rules=rules
        )

    assert not Booking.objects.filter(member=member).exists()


def test_a_move_to_a_resource_withdrawn_meanwhile_keeps_the_booking_where_it_was(
    site, member, host
):
    booking = book(member, site, resource=poste(site, 1))
    seen = poste(site, 2)
    services.resource_withdraw(resource=poste(site, 2), by=host, now=NOW)

    with pytest.raises(SlotTaken):
        services.booking_move(booking=booking, to=seen, by=host)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE and booking.resource == poste(site, 1)
    assert BookingSlot.objects.filter(booking=booking, is_active=True).count() == 1
    assert not BookingSlot.objects.filter(resource=seen).exists()


def test_what_stays_bookable_is_still_booked(site, member, host):
    """The claim's condition refuses only what a departure took away."""
    other_day = DAY + dt.timedelta(days=1)
    Closure.objects.create(site=site, start_date=other_day, end_date=other_day, reason="works")
    services.resource_withdraw(resource=poste(site, 1), by=host, now=NOW)

    booking = book(member, site, resource=poste(site, 2))

    assert booking.status == BookingStatus.ACTIVE
    assert BookingSlot.objects.filter(booking=booking, is_active=True).count() == 1


# --- In two threads ------------------------------------------------------------------------


def departures(site: Site, host) -> dict[str, Callable[[], Any]]:
    return {
        "resource withdrawn": lambda: services.resource_withdraw(
            resource=poste(site, 1), by=host, now=NOW
        ),
        "site unpublished": lambda: services.site_withdraw(
            site=Site.objects.get(pk=site.pk), by=host, now=NOW
        ),
        "site closed that day": lambda: close_day(site, host),
    }


@pytest.mark.parametrize(
    "departure", ["resource withdrawn", "site unpublished", "site closed that day"]
)
def test_a_booking_made_while_a_departure_holds_its_lock_is_refused(departure, site, member, host):
    seen_site = Site.objects.select_related("network").get(pk=site.pk)
    seen_desk = poste(site, 1)
    go_on = departures(site, host)[departure]
    locked, release = threading.Event(), threading.Event()

    def depart() -> None:
        with transaction.atomic():
            go_on()
            locked.set()  # the departure holds its lock until it commits
            release.wait(WAIT)

    def booking() -> Booking:
        assert locked.wait(WAIT)
        # The departure commits while the booking waits for it.
        threading.Timer(0.5, release.set).start()
        return book(member, seen_site, resource=seen_desk)

    wins, failures = race([depart, booking])

    assert wins == [None], failures  # the departure only
    assert [type(f) for f in failures] in ([SlotTaken], [BookingRefused]), failures
    assert ghosts() == []
    assert not Booking.objects.filter(member=member, status=BookingStatus.ACTIVE).exists()


class Pause:
    """A participant that holds a booking's transaction open until told to go on."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()

    def booking_created(self, change: BookingChange) -> None:
        self.inside.set()
        self.release.wait(WAIT)

    def booking_cancelled(self, change: BookingChange) -> None:
        pass


@pytest.fixture
def pause():
    found = Pause()
    participants.participant_register(name="test-pause", participant=found)
    yield found
    participants.participant_unregister(name="test-pause")


@pytest.mark.parametrize(
    "departure", ["resource withdrawn", "site unpublished", "site closed that day"]
)
def test_a_booking_being_written_when_a_departure_comes_is_vacated_by_it(
    departure, site, member, host, pause
):
    go_on = departures(site, host)[departure]

    def booking() -> Booking:
        return book(member, site, resource=poste(site, 1))

    def depart() -> None:
        assert pause.inside.wait(WAIT)
        # The booking commits while the departure waits for it.
        threading.Timer(0.5, pause.release.set).start()
        go_on()

    wins, failures = race([booking, depart])

    assert failures == []
    made = next(w for w in wins if isinstance(w, Booking))
    assert ghosts() == []
    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED  # moved (to Poste 2) or cancelled
    if departure == "resource withdrawn":
        assert made.moved_to is not None and made.moved_to.resource == poste(site, 2)
