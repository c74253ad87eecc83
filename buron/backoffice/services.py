"""Writes of the operator's home: a host books at the desk for a walk-in without an account,
creating their light member record (accounts.light) and the booking in one step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from buron.accounts.models import User
from buron.accounts.services import member_invite, member_light_create
from buron.booking import services as booking_services
from buron.booking.models import Booking
from buron.places.models import Commune, Resource, Site


@dataclass(frozen=True)
class Person:
    """Who the walk-in is: their name, status and commune; an email if they gave one, and
    the language of their emails (else the default)."""

    first_name: str
    last_name: str
    status: str
    commune: Commune | None
    email: str = ""
    employer_name: str = ""
    language: str = ""


@dataclass(frozen=True)
class Slot:
    """What to book: a desk or office for a half-day or a day (a free one unless given), or
    a room from `start` to `end`."""

    day: dt.date
    period: str = ""
    kind: str = ""
    resource: Resource | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class WalkInBooking:
    """The light member made and their booking; invited: whether an invitation goes out."""

    member: User
    booking: Booking
    invited: bool


def _book(*, member: User, site: Site, slot: Slot, by: User) -> Booking:
    if slot.start is not None and slot.end is not None and slot.resource is not None:
        return booking_services.booking_create_hours(
            member=member, resource=slot.resource, start=slot.start, end=slot.end, booked_by=by
        )
    return booking_services.booking_create_half_day(
        member=member,
        site=site,
        day=slot.day,
        period=slot.period,
        kind=slot.kind,
        resource=slot.resource,
        booked_by=by,
    )


@transaction.atomic
def walk_in_book(*, site: Site, person: Person, slot: Slot, by: User) -> WalkInBooking:
    """Create the walk-in's light member record and book for them, in one transaction:
    a refused booking (closed, taken, past the horizon…) or a refused person (no name, no
    commune, unknown status, an email a member already uses) writes nothing. With an email,
    the person is invited to claim their account once the booking is committed. Give the
    site with its network; the caller checks that `by` manages it."""
    member = member_light_create(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        status=person.status,
        employer_name=person.employer_name,
        commune=person.commune,
        language=person.language,
    )
    booking = _book(member=member, site=site, slot=slot, by=by)
    return WalkInBooking(member=member, booking=booking, invited=member_invite(user=member))


def book_for_member(*, site: Site, member: User, slot: Slot, by: User) -> Booking:
    """Book for a member who already has an account (the walk-in whose email a member
    uses, once the host chose to book for that member)."""
    return _book(member=member, site=site, slot=slot, by=by)
