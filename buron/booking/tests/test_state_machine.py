"""Random sequences of book / book a room / recur / cancel / block / move, with the booking
invariants checked after every step."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from buron.accounts.models import User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import services
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingSeries, BookingSlot
from buron.places.models import Resource, Site

from .conftest import DAY, NOW, at

DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]  # Tuesday to Thursday


class BookingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        Booking.objects.all().update(series=None)
        BookingSeries.objects.all().delete()
        BookingSlot.objects.all().delete()
        Booking.objects.all().delete()
        self.site = Site.objects.get(slug="murat")
        self.members = list(User.objects.filter(email__startswith="sm").order_by("email"))
        self.host = User.objects.get(email="host@example.org")
        self.desks = list(Resource.objects.filter(site=self.site, kind="desk").order_by("name"))
        self.room = Resource.objects.get(site=self.site, kind="meeting_room")

    @rule(
        m=st.integers(0, 3),
        d=st.integers(0, 2),
        period=st.sampled_from(["am", "pm", "day"]),
        desk=st.one_of(st.none(), st.integers(0, 1)),
    )
    def book_desk(self, m: int, d: int, period: str, desk: int | None) -> None:
        with contextlib.suppress(BookingRefused, SlotTaken):
            services.booking_create_half_day(
                member=self.members[m],
                site=self.site,
                day=DAYS[d],
                period=period,
                resource=None if desk is None else self.desks[desk],
                now=NOW,
            )

    @rule(
        m=st.integers(0, 3), d=st.integers(0, 2), start=st.integers(8, 17), length=st.integers(1, 3)
    )
    def book_room(self, m: int, d: int, start: int, length: int) -> None:
        with contextlib.suppress(BookingRefused, SlotTaken):
            services.booking_create_hours(
                member=self.members[m],
                resource=self.room,
                start=at(DAYS[d], start),
                end=at(DAYS[d], min(start + length, 23)),
                now=NOW,
            )

    @rule(
        m=st.integers(0, 3),
        weekdays=st.sets(st.integers(1, 3), min_size=1),
        period=st.sampled_from(["am", "pm", "day"]),
    )
    def recur(self, m: int, weekdays: set[int], period: str) -> None:
        services.series_create(
            member=self.members[m],
            site=self.site,
            weekdays=sorted(weekdays),
            period=period,
            start_date=DAYS[0],
            end_date=DAYS[-1],
            now=NOW,
        )

    @rule(data=st.data(), by_host=st.booleans())
    def cancel(self, data: st.DataObject, by_host: bool) -> None:
        active = list(Booking.objects.filter(status="active", kind="booking").order_by("pk"))
        if not active:
            return
        booking = data.draw(st.sampled_from(active))
        by = self.host if by_host else booking.member
        services.booking_cancel(booking=booking, by=by, now=NOW)

    @rule(r=st.integers(0, 2), d=st.integers(0, 2), length=st.integers(0, 1))
    def block(self, r: int, d: int, length: int) -> None:
        resource = ([*self.desks, self.room])[r]
        with contextlib.suppress(SlotTaken):
            services.resource_block(
                resource=resource,
                start_date=DAYS[d],
                end_date=DAYS[min(d + length, 2)],
                by=self.host,
            )

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        active = list(
            Booking.objects.filter(status="active", kind="booking", resource__kind="desk").order_by(
                "pk"
            )
        )
        if not active:
            return
        booking = data.draw(st.sampled_from(active))
        target = next(d for d in self.desks if d.pk != booking.resource_id)
        with contextlib.suppress(BookingRefused, SlotTaken):
            services.booking_move(booking=booking, to=target, by=self.host)

    @invariant()
    def no_two_active_bookings_overlap_on_a_resource(self) -> None:
        active = list(
            Booking.objects.filter(status="active", kind="booking").values_list(
                "resource_id", "start", "end"
            )
        )
        for i, (r1, s1, e1) in enumerate(active):
            for r2, s2, e2 in active[i + 1 :]:
                assert not (r1 == r2 and s1 < e2 and s2 < e1), (r1, s1, e1, s2, e2)

    @invariant()
    def every_active_booking_holds_exactly_its_slots(self) -> None:
        for booking in Booking.objects.filter(status="active", kind="booking"):
            slots = set(booking.slots.filter(is_active=True).values_list("day", "slot"))
            assert slots, booking
            assert {d for d, _s in slots} == {booking.start.astimezone(at(DAY, 0).tzinfo).date()}

    @invariant()
    def cancelled_bookings_hold_nothing(self) -> None:
        assert not BookingSlot.objects.filter(booking__status="cancelled", is_active=True).exists()

    @invariant()
    def a_slot_is_never_held_twice(self) -> None:
        rows = list(
            BookingSlot.objects.filter(is_active=True).values_list("resource_id", "day", "slot")
        )
        assert len(rows) == len(set(rows))


@pytest.mark.django_db
def test_booking_state_machine(site):
    for n in range(4):
        UserFactory(email=f"sm{n}@example.org")
    StaffRoleFactory(site=site, user=UserFactory(email="host@example.org"))
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
