"""Each refusal of the booking services, by its code, and that a refusal writes nothing:
no booking, no slot, no recurring booking, no change to those already there."""

from __future__ import annotations

import datetime as dt

import pytest

from buron.booking import services
from buron.booking.errors import BookingRefused
from buron.booking.models import Booking, BookingSeries, BookingSlot
from buron.places.models import Resource, Site
from buron.places.tests.factories import (
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

from .conftest import DAY, NOW, at, desks

pytestmark = pytest.mark.django_db


def codes(refusal: BookingRefused) -> list[str | None]:
    """The codes of a refusal, whichever fields its messages are on."""
    if hasattr(refusal, "error_dict"):
        return [e.code for errors in refusal.error_dict.values() for e in errors]
    return [e.code for e in refusal.error_list]


def snapshot() -> tuple[list[tuple[object, ...]], ...]:
    """Everything a booking service could write."""
    return (
        list(
            Booking.objects.order_by("pk").values_list(
                "pk", "kind", "status", "resource_id", "member_id", "start", "end", "cancelled_at"
            )
        ),
        list(
            BookingSlot.objects.order_by("pk").values_list(
                "pk", "booking_id", "resource_id", "day", "slot", "is_active"
            )
        ),
        list(BookingSeries.objects.order_by("pk").values_list("pk", "member_id", "end_date")),
    )


def refused(call, **kwargs) -> list[str | None]:
    """Call a service that must refuse; return the refusal's codes, having checked that
    nothing was written."""
    before = snapshot()
    with pytest.raises(BookingRefused) as caught:
        call(**kwargs)
    assert snapshot() == before
    return codes(caught.value)


@pytest.fixture
def aurillac(site: Site) -> Site:
    """Another site of the same network (coordinates from buron/places/data/communes.csv)."""
    other = SiteFactory(
        network=site.network,
        slug="aurillac",
        name="Télécentre d'Aurillac",
        commune_name="Aurillac",
        insee_code="15014",
        postal_code="15000",
        latitude="44.930317",
        longitude="2.444953",
    )
    open_all_week(other)
    for n in (1, 2):
        ResourceFactory(site=other, name=f"Aurillac {n}")
    return other


# --- Making a booking -----------------------------------------------------------------------


def test_a_morning_is_refused_on_a_day_the_site_opens_only_in_the_afternoon(site, member):
    cassaniouze = SiteFactory(
        network=site.network,
        slug="cassaniouze",
        name="Télécentre de Cassaniouze",
        commune_name="Cassaniouze",
        insee_code="15029",
        postal_code="15340",
        latitude="44.690061",
        longitude="2.382631",
    )
    OpeningPeriodFactory(
        site=cassaniouze,
        weekday=DAY.weekday(),
        half_day="pm",
        opens=dt.time(14),
        closes=dt.time(18),
    )
    ResourceFactory(site=cassaniouze, name="Poste C")
    for period in ("am", "day"):
        assert refused(
            services.booking_create_half_day,
            member=member,
            site=cassaniouze,
            day=DAY,
            period=period,
            now=NOW,
        ) == ["period_closed"]
    # The afternoon is open.
    assert services.booking_create_half_day(
        member=member, site=cassaniouze, day=DAY, period="pm", now=NOW
    ).start == at(DAY, 14)


def test_an_unpublished_site_takes_no_booking(site, member):
    site.is_published = False
    site.save()
    assert refused(
        services.booking_create_half_day, member=member, site=site, day=DAY, period="am", now=NOW
    ) == ["site_unpublished"]
    assert refused(
        services.booking_create_hours,
        member=member,
        resource=Resource.objects.get(site=site, kind="meeting_room"),
        start=at(DAY, 9),
        end=at(DAY, 10),
        now=NOW,
    ) == ["site_unpublished"]


def test_a_closed_account_cannot_book(site, member):
    member.is_active = False
    member.save()
    assert refused(
        services.booking_create_half_day, member=member, site=site, day=DAY, period="am", now=NOW
    ) == ["member_inactive"]


def test_times_without_their_offset_are_refused(site, member):
    assert refused(
        services.booking_create_hours,
        member=member,
        resource=Resource.objects.get(site=site, kind="meeting_room"),
        start=at(DAY, 9).replace(tzinfo=None),
        end=at(DAY, 10).replace(tzinfo=None),
        now=NOW,
    ) == ["naive_time"]


def test_a_desk_given_times_that_are_not_one_of_its_half_days_is_refused(site, member):
    assert refused(
        services.booking_create_hours,
        member=member,
        resource=desks(site)[0],
        start=at(DAY, 9),
        end=at(DAY, 11),
        now=NOW,
    ) == ["not_half_day"]


def test_a_desk_of_another_site_or_kind_is_refused(site, aurillac, member):
    for resource, kind in (
        (desks(aurillac)[0], "desk"),
        (Resource.objects.get(site=site, kind="meeting_room"), "desk"),
    ):
        assert refused(
            services.booking_create_half_day,
            member=member,
            site=site,
            day=DAY,
            period="am",
            kind=kind,
            resource=resource,
            now=NOW,
        ) == ["wrong_resource"]


def test_a_site_without_a_desk_says_so(site, member):
    rooms_only = SiteFactory(network=site.network, slug="salles", name="Salles seulement")
    open_all_week(rooms_only)
    ResourceFactory(site=rooms_only, kind="meeting_room", name="Salle", booking_unit="hour")
    ResourceFactory(site=rooms_only, name="Poste retiré", is_active=False)
    assert refused(
        services.booking_create_half_day,
        member=member,
        site=rooms_only,
        day=DAY,
        period="am",
        now=NOW,
    ) == ["no_resource"]


def test_an_unknown_period_is_refused(site, member):
    assert refused(
        services.booking_create_half_day, member=member, site=site, day=DAY, period="night", now=NOW
    ) == ["invalid_period"]


def test_a_room_is_not_booked_by_the_half_day(site, member):
    assert refused(
        services.booking_create_half_day,
        member=member,
        site=site,
        day=DAY,
        period="am",
        kind="meeting_room",
        now=NOW,
    ) == ["invalid_kind"]


# --- Cancelling and moving --------------------------------------------------------------------


@pytest.fixture
def booking(site, member):
    return services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=desks(site)[0], now=NOW
    )


def test_a_cancelled_booking_cannot_be_cancelled_again(booking, member, host):
    services.booking_cancel(booking=booking, by=member, now=NOW)
    for by in (member, host):
        assert refused(services.booking_cancel, booking=booking, by=by, now=NOW) == [
            "already_cancelled"
        ]


def test_a_member_cannot_cancel_another_members_booking(booking, member2):
    assert refused(services.booking_cancel, booking=booking, by=member2, now=NOW) == ["not_owner"]


def test_a_booking_moves_only_to_a_resource_of_its_kind(site, booking, host):
    assert refused(
        services.booking_move,
        booking=booking,
        to=Resource.objects.get(site=site, kind="meeting_room"),
        by=host,
    ) == ["wrong_resource"]
    assert refused(services.booking_move, booking=booking, to=booking.resource, by=host) == [
        "wrong_resource"
    ]


def test_only_a_confirmed_booking_moves(site, booking, host, member):
    services.booking_cancel(booking=booking, by=member, now=NOW)
    assert refused(services.booking_move, booking=booking, to=desks(site)[1], by=host) == [
        "not_active"
    ]


def test_a_member_cannot_block_or_move(site, booking, member):
    assert refused(
        services.resource_block, resource=desks(site)[1], start_date=DAY, end_date=DAY, by=member
    ) == ["not_staff"]
    assert refused(services.booking_move, booking=booking, to=desks(site)[1], by=member) == [
        "not_staff"
    ]


# --- Recurring bookings and blocks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekdays", "period", "days", "code"),
    [
        pytest.param([], "am", 7, "invalid_weekdays", id="no-weekday"),
        pytest.param([7], "am", 7, "invalid_weekdays", id="weekday-7"),
        pytest.param([1, -1], "am", 7, "invalid_weekdays", id="weekday-minus-1"),
        pytest.param([1], "am", 367, "too_long", id="more-than-a-year"),
        pytest.param([1], "evening", 0, "invalid_period", id="unknown-period"),
    ],
)
def test_a_recurring_booking_refuses(site, member, weekdays, period, days, code):
    assert refused(
        services.series_create,
        member=member,
        site=site,
        weekdays=weekdays,
        period=period,
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=days),
        now=NOW,
    ) == [code]


def test_a_block_lasts_a_year_at_most(site, host):
    assert refused(
        services.resource_block,
        resource=desks(site)[0],
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=367),
        by=host,
    ) == ["too_long"]


def test_a_block_ends_after_it_starts(site, host):
    assert refused(
        services.resource_block,
        resource=desks(site)[0],
        start_date=DAY,
        end_date=DAY - dt.timedelta(days=1),
        by=host,
    ) == ["end_before_start"]


# --- Tenancy: a Murat host and an Aurillac booking ------------------------------------------------


@pytest.fixture
def aurillac_booking(aurillac, member2):
    return services.booking_create_half_day(
        member=member2, site=aurillac, day=DAY, period="am", resource=desks(aurillac)[0], now=NOW
    )


def test_a_host_cannot_block_a_resource_of_a_site_they_do_not_manage(host, aurillac):
    assert refused(
        services.resource_block,
        resource=desks(aurillac)[1],
        start_date=DAY,
        end_date=DAY,
        by=host,
    ) == ["not_staff"]


def test_a_host_cannot_move_a_booking_of_a_site_they_do_not_manage(
    host, aurillac, aurillac_booking
):
    assert refused(
        services.booking_move, booking=aurillac_booking, to=desks(aurillac)[1], by=host
    ) == ["not_staff"]


def test_a_booking_does_not_move_to_another_site(host, booking, aurillac):
    # Refused whoever manages the other site: a move stays at the booking's own site.
    assert refused(services.booking_move, booking=booking, to=desks(aurillac)[1], by=host) == [
        "wrong_resource"
    ]


def test_a_host_cannot_cancel_a_booking_of_a_site_they_do_not_manage(host, aurillac_booking):
    assert refused(services.booking_cancel, booking=aurillac_booking, by=host, now=NOW) == [
        "not_owner"
    ]
    aurillac_booking.refresh_from_db()
    assert aurillac_booking.status == "active"
