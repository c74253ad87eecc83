"""Departures: a member leaving, a resource withdrawn, a site unpublished or closed for some
days. Their bookings still to come are moved to an equivalent free resource when the
departure allows it, else cancelled; the members are emailed in their language; the slots
go back to everyone; the past stays as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from buron.accounts import services as accounts
from buron.accounts.models import MemberProfile
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import services
from buron.booking.models import Booking, BookingSlot, BookingStatus
from buron.places.models import Closure, Resource, Site
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The outcomes asserted here are the English source strings."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


def book(member, site, *, day=DAY, period="am", resource=None):
    return services.booking_create_half_day(
        member=member, site=site, day=day, period=period, now=NOW, resource=resource
    )


def status(booking):
    return Booking.objects.get(pk=booking.pk).status


def held(resource, day=DAY):
    return BookingSlot.objects.filter(resource=resource, day=day, is_active=True).count()


def test_closing_an_account_cancels_its_bookings_to_come_and_frees_their_places(
    site, member, member2
):
    kept = book(member2, site)
    future = book(member, site, period="pm")
    past = Booking.objects.create(
        network=site.network,
        site=site,
        resource=future.resource,
        member=member,
        start=dt.datetime(2020, 1, 7, 9, tzinfo=dt.UTC),
        end=dt.datetime(2020, 1, 7, 12, tzinfo=dt.UTC),
        period="am",
    )

    affected = accounts.member_close(user=member)

    assert status(future) == BookingStatus.CANCELLED
    assert not BookingSlot.objects.filter(booking=future, is_active=True).exists()
    assert status(past) == BookingStatus.ACTIVE  # what happened stays, for statistics
    assert status(kept) == BookingStatus.ACTIVE  # nobody else's
    assert [(a.booking_id, a.moved) for a in affected] == [(future.pk, False)]
    # The place is free again: someone else takes it.
    assert book(member2, site, period="pm", resource=future.resource).resource == future.resource


def test_a_withdrawn_resource_moves_its_bookings_to_an_equivalent_free_one_and_tells_them(
    site, member, host, django_capture_on_commit_callbacks
):
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    poste2 = Resource.objects.get(site=site, name="Poste 2")
    MemberProfile.objects.filter(user=member).update(language="en")
    booking = book(member, site, resource=poste1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        affected = services.resource_withdraw(resource=poste1, by=host)

    poste1.refresh_from_db()
    assert not poste1.is_active
    old = Booking.objects.get(pk=booking.pk)
    assert old.status == BookingStatus.CANCELLED
    assert old.moved_to is not None and old.moved_to.resource == poste2
    assert old.moved_to.status == BookingStatus.ACTIVE
    assert (held(poste1), held(poste2)) == (0, 1)
    assert [(a.booking_id, a.moved, a.outcome) for a in affected] == [
        (booking.pk, True, "moved to Poste 2")
    ]
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "Poste 2" in message.body
    assert "moved" in message.subject.lower()  # in the member's language


def test_a_withdrawn_resource_cancels_what_no_equivalent_resource_can_take(
    site, member, member2, host, django_capture_on_commit_callbacks
):
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    poste2 = Resource.objects.get(site=site, name="Poste 2")
    ResourceFactory(site=site, name="Poste 3", is_active=False)  # inactive: not a candidate
    office = ResourceFactory(site=site, kind="private_office", name="Bureau")
    booking = book(member, site, resource=poste1)
    book(member2, site, resource=poste2)  # the only equivalent desk is taken
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        affected = services.resource_withdraw(resource=poste1, by=host)

    assert status(booking) == BookingStatus.CANCELLED
    assert Booking.objects.get(pk=booking.pk).moved_to is None
    assert held(office) == 0  # another kind is not equivalent
    assert [(a.booking_id, a.moved) for a in affected] == [(booking.pk, False)]
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "annul" in message.subject.lower()  # French, the member's language


def test_a_withdrawn_resource_leaves_past_and_other_bookings_alone(site, member, host):
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    poste2 = Resource.objects.get(site=site, name="Poste 2")
    other = book(member, site, resource=poste2)
    past = Booking.objects.create(
        network=site.network,
        site=site,
        resource=poste1,
        member=member,
        start=dt.datetime(2020, 1, 7, 9, tzinfo=dt.UTC),
        end=dt.datetime(2020, 1, 7, 12, tzinfo=dt.UTC),
        period="am",
    )
    assert services.resource_withdraw(resource=poste1, by=host) == []
    assert (status(other), status(past)) == (BookingStatus.ACTIVE, BookingStatus.ACTIVE)


def test_an_unpublished_site_cancels_its_bookings_to_come(
    site, other_site, member, member2, host, django_capture_on_commit_callbacks
):
    here = [book(member, site), book(member2, site, period="pm")]
    elsewhere = book(member, other_site, period="pm")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        affected = services.site_withdraw(site=site, by=host)

    assert not Site.objects.get(pk=site.pk).is_published
    assert [status(b) for b in here] == [BookingStatus.CANCELLED] * 2
    assert status(elsewhere) == BookingStatus.ACTIVE
    assert sorted(a.booking_id for a in affected) == sorted(b.pk for b in here)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, member2.email])


def test_a_closure_cancels_the_bookings_of_its_days_only(site, member, host):
    inside = book(member, site)
    after = book(member, site, day=DAY + dt.timedelta(days=1))
    closure = Closure.objects.create(site=site, start_date=DAY, end_date=DAY, reason="holidays")

    affected = services.closure_apply(closure=closure, by=host)

    assert status(inside) == BookingStatus.CANCELLED
    assert status(after) == BookingStatus.ACTIVE
    assert [a.booking_id for a in affected] == [inside.pk]


def test_a_departure_lets_the_member_book_elsewhere_again(site, member, host):
    """The member's day is free again once their booking is cancelled by the departure
    (nothing counts the cancelled booking against their daily limit)."""
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    Resource.objects.filter(site=site, name="Poste 2").update(is_active=False)
    book(member, site, resource=poste1)
    services.resource_withdraw(resource=poste1, by=host)
    Resource.objects.filter(site=site, name="Poste 2").update(is_active=True)
    assert book(member, site).status == BookingStatus.ACTIVE


def test_a_second_departure_finds_nothing_left(site, member, host):
    book(member, site)
    assert len(services.site_withdraw(site=site, by=host)) == 1
    assert services.site_withdraw(site=site, by=host) == []


def test_an_anonymous_booking_is_listed_without_a_name(site, host):
    ghost = UserFactory()
    booking = book(ghost, site)
    Booking.objects.filter(pk=booking.pk).update(member=None)
    (affected,) = services.site_withdraw(site=site, by=host)
    assert affected.person == "anonymous"
