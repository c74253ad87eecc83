"""The demo-size data set: the Cantal demo network plus some thousands of bookings.

Small enough for bulk_create; each booking follows the site's real opening hours, and each
(resource, day) cell gets one pattern, so no slot is ever held twice; a booking that would
meet a slot the demo itself holds (its employer's and training bookings) is left out.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from buron.accounts.models import User
from buron.booking.models import Booking, BookingSlot, BookingStatus, Period
from buron.booking.slots import half_day_span, local_datetime, open_hours
from buron.demo.services import demo_load
from buron.places.models import BookingUnit, Resource, Site
from buron.places.selectors import site_schedules

MEMBERS = 300
PAST_DAYS = 150
FUTURE_DAYS = 60
STATUSES = ("salaried_remote", "freelancer", "startup", "job_seeker", "student", "public_agent")


@transaction.atomic
def seed(today: dt.date) -> dict[str, Any]:
    result = demo_load(year=today.year)
    rng = random.Random(15014)  # a fixed seed: every run books the same cells
    members = User.objects.bulk_create(
        [
            User(email=f"member-{n}@demo.bench.invalid", first_name="Membre", last_name=str(n))
            for n in range(MEMBERS)
        ]
    )
    for member in members:
        member.set_unusable_password()
    User.objects.bulk_update(members, ["password"])

    start = today - dt.timedelta(days=PAST_DAYS)
    end = today + dt.timedelta(days=FUTURE_DAYS)
    sites = list(Site.objects.filter(network=result.network).select_related("network"))
    schedules = site_schedules(sites, start, end)
    bookings: list[Booking] = []
    held_slots: list[tuple[dt.date, tuple[int, ...]]] = []
    demo_held = set(
        BookingSlot.objects.filter(network_id=result.network.pk).values_list(
            "resource_id", "day", "slot"
        )
    )

    def free(resource: Resource, day: dt.date, slots: tuple[int, ...]) -> bool:
        return not any((resource.pk, day, slot) in demo_held for slot in slots)

    for resource in Resource.objects.filter(network=result.network, is_active=True):
        tz = result.network.time_zone
        day = start
        while day <= end:
            schedule = schedules[resource.site_id][day]
            day += dt.timedelta(days=1)
            if not schedule.is_open:
                continue
            member = rng.choice(members)
            status = STATUSES[member.pk % len(STATUSES)]
            common = {
                "network_id": resource.network_id,
                "site_id": resource.site_id,
                "resource": resource,
                "member": member,
                "visitor_status": status,
                "employer_name": "Employeur démo" if status == "salaried_remote" else "",
            }
            if resource.booking_unit == BookingUnit.HALF_DAY:
                roll = rng.random()
                periods = (
                    []
                    if roll < 0.4
                    else [Period.MORNING, Period.AFTERNOON]
                    if roll < 0.6
                    else [Period.DAY]
                    if roll < 0.75
                    else [rng.choice([Period.MORNING, Period.AFTERNOON])]
                )
                for period in periods:
                    span = half_day_span(schedule, period, tz)
                    if span is None or not free(resource, span.day, span.slots):
                        continue
                    bookings.append(
                        Booking(start=span.start, end=span.end, period=period, **common)
                    )
                    held_slots.append((span.day, span.slots))
            else:
                hours = open_hours(schedule)
                if len(hours) < 3 or rng.random() < 0.5:
                    continue
                first = rng.randrange(0, len(hours) - 2)
                held = tuple(hours[first : first + rng.choice([1, 2, 3])])
                if not free(resource, schedule.day, held):
                    continue
                bookings.append(
                    Booking(
                        start=local_datetime(schedule.day, dt.time(held[0]), tz),
                        end=local_datetime(schedule.day, dt.time(held[-1] + 1), tz),
                        period=Period.HOURS,
                        **common,
                    )
                )
                held_slots.append((schedule.day, held))
    for booking in bookings:
        if rng.random() < 0.04:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = booking.start - dt.timedelta(days=1)
    Booking.objects.bulk_create(bookings, batch_size=1000)
    slots = [
        BookingSlot(
            booking=booking,
            network_id=booking.network_id,
            resource=booking.resource,
            day=day,
            slot=slot,
            is_active=booking.status == BookingStatus.ACTIVE,
        )
        for booking, (day, held) in zip(bookings, held_slots, strict=True)
        for slot in held
    ]
    BookingSlot.objects.bulk_create(slots, batch_size=1000)
    return {
        "sites": result.sites,
        "resources": result.resources,
        "bookings": len(bookings),
        "slots": len(slots),
        "first_day": start.isoformat(),
        "last_day": end.isoformat(),
    }
