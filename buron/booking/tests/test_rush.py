"""When a site fills up: a full site answers "just taken" without locking anything, the
losers of one rush share one look-up of the alternatives, and a desk taken between the
first look and the claim is replaced by another free one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.accounts.tests.factories import UserFactory
from buron.booking import services, store
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingSlot
from buron.booking.services import create
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def fill(site, period="am"):
    """Book every desk of the site (two in the fixture) for the period."""
    for _n in range(site.resources.filter(kind="desk").count()):
        services.booking_create_half_day(
            member=UserFactory(), site=site, day=DAY, period=period, now=NOW
        )


def taken(site, member):
    with pytest.raises(SlotTaken) as caught:
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    return caught.value


def test_a_full_site_answers_without_opening_a_transaction(site, other_site, member):
    fill(site)
    with CaptureQueriesContext(connection) as queries:
        taken(site, member)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert "BEGIN" not in statements and "SAVEPOINT" not in statements
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_the_losers_of_one_rush_share_one_look_up_of_the_alternatives(
    site, other_site, member, member2
):
    fill(site)
    with CaptureQueriesContext(connection) as first:
        first_answer = taken(site, member)
    with CaptureQueriesContext(connection) as second:
        second_answer = taken(site, member2)
    assert first_answer.alternatives and second_answer.alternatives == first_answer.alternatives
    assert len(second.captured_queries) < len(first.captured_queries)


def test_the_alternatives_are_looked_up_again_once_their_time_is_up(
    site, other_site, member, member2, settings
):
    settings.BOOKING_ALTERNATIVES_SECONDS = 0  # kept no time at all
    fill(site)
    before = taken(site, member).alternatives
    assert before[0].site_slug == "allanche" and before[0].free == 1
    ResourceFactory(site=other_site, name="Poste B")
    after = taken(site, member2).alternatives
    assert after[0].site_slug == "allanche" and after[0].free == 2


def test_a_member_who_already_holds_that_time_is_told_so_even_when_the_site_is_full(
    site, other_site, member
):
    services.booking_create_half_day(member=member, site=other_site, day=DAY, period="am", now=NOW)
    fill(site)
    with pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    assert caught.value.error_dict["date"][0].code == "member_overlap"


def test_a_desk_taken_after_the_first_look_is_replaced_by_another(
    site, member, member2, monkeypatch
):
    """The first look happens outside any lock: the desk it offers may be gone by the
    claim. The database refuses that claim and a second look, under the lock, finds the
    desk still free."""
    first = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="am", now=NOW
    )
    real_first_look, real_look = create._first_look, create._look
    looks = []

    def stale_first_look(**kwargs):
        looks.append("first")
        _look, day = real_first_look(**kwargs)
        # What a look made just before member2's booking would say.
        return store.Look(free=[first.resource], any_resource=True), day

    def look_again(**kwargs):
        looks.append("again")
        return real_look(**kwargs)

    monkeypatch.setattr(create, "_first_look", stale_first_look)
    monkeypatch.setattr(create, "_look", look_again)
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    assert booking.resource != first.resource
    assert looks == ["first", "again"]
    # The refused claim left nothing behind: two bookings, each holding its own slot.
    assert sorted(Booking.objects.values_list("pk", flat=True)) == sorted([first.pk, booking.pk])
    assert sorted(BookingSlot.objects.values_list("booking_id", "resource_id")) == sorted(
        [(first.pk, first.resource_id), (booking.pk, booking.resource_id)]
    )


def test_a_day_claim_refused_on_its_second_half_takes_back_its_first(
    site, member, member2, monkeypatch
):
    """A full day holds two slots: when the desk first tried is taken only in the
    afternoon, the morning row just written for it goes with the refused claim, and the
    next desk is booked."""
    taken, free = site.resources.filter(kind="desk").order_by("name")[:2]
    afternoon = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="pm", resource=taken, now=NOW
    )
    monkeypatch.setattr(
        create, "_look", lambda **kwargs: store.Look(free=[taken, free], any_resource=True)
    )
    day = services.booking_create_half_day(member=member, site=site, day=DAY, period="day", now=NOW)
    assert day.resource == free
    assert sorted(Booking.objects.values_list("pk", flat=True)) == sorted([afternoon.pk, day.pk])
    assert sorted(BookingSlot.objects.values_list("resource_id", "slot", "booking_id")) == sorted(
        [(taken.pk, 1, afternoon.pk), (free.pk, 0, day.pk), (free.pk, 1, day.pk)]
    )


def test_a_member_who_already_holds_that_time_is_refused_before_any_lock(site, other_site, member):
    """Desks are free, but the member holds that morning elsewhere: the first look's
    reading of their day refuses, without a transaction or a lock."""
    services.booking_create_half_day(member=member, site=other_site, day=DAY, period="am", now=NOW)
    with CaptureQueriesContext(connection) as queries, pytest.raises(BookingRefused) as caught:
        services.booking_create_half_day(member=member, site=site, day=DAY, period="day", now=NOW)
    assert caught.value.error_dict["date"][0].code == "member_overlap"
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert "BEGIN" not in statements and "SAVEPOINT" not in statements
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_the_first_look_reads_what_the_look_and_the_member_s_day_read_apart(site, member):
    """One statement joins the free desks to the member's day (one row per status period
    and desk): it must give what the two reads give, whatever their numbers of rows."""
    from buron.accounts.services import member_status_change
    from buron.booking.services.rules import member_day
    from buron.booking.site_rules import day_rules
    from buron.booking.slots import half_day_span
    from buron.places.models import BookingUnit

    def compare(period="am", kind="desk"):
        span = half_day_span(day_rules(site, DAY).schedule, period, site.network.time_zone)
        look, day = create._first_look(member=member, site=site, kind=kind, span=span)
        apart = create._look(site=site, kind=kind, span=span)
        assert [(r.pk, r.name) for r in look.free] == [(r.pk, r.name) for r in apart.free]
        assert look.any_resource == apart.any_resource
        assert day == member_day(member, BookingUnit.HALF_DAY, span)
        return look, day

    look, day = compare()
    assert len(look.free) == 2 and day.held == 0
    compare(kind="private_office")  # no such resource: the member's day still comes
    # More desks than a look hands over, some taken; status periods before and after DAY.
    for n in range(3, 12):
        ResourceFactory(site=site, name=f"Poste {n:02d}")
    services.booking_create_half_day(member=UserFactory(), site=site, day=DAY, period="am", now=NOW)
    for status, employer, valid_from in (
        ("freelancer", "", DAY.replace(day=1) - dt.timedelta(days=30)),
        ("salaried_remote", "Laiterie du Cantal", DAY.replace(day=1)),
        ("job_seeker", "", DAY + dt.timedelta(days=1)),
    ):
        member_status_change(
            user=member, status=status, employer_name=employer, valid_from=valid_from
        )
    services.booking_create_half_day(member=member, site=site, day=DAY, period="pm", now=NOW)
    look, day = compare()
    assert len(look.free) == create.CANDIDATES
    assert (day.held, day.overlapping) == (1, 0)
    assert (day.status, day.employer_name) == ("salaried_remote", "Laiterie du Cantal")
    look, day = compare(period="pm")
    assert day.overlapping == 1
