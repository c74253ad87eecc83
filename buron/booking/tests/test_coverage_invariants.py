"""Credits are never lost or created: concurrent bookings and purchases with real
connections in threads, and random sequences of buy / book / cancel (in time and late) /
expire / adjust, with balance = ledger sum >= 0 checked after every step."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from buron.accounts.models import User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import services
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingSlot
from buron.offers import selectors as offer_selectors
from buron.offers import services as offers
from buron.offers.models import EntryKind, LedgerEntry, Offer, PayAsYouGo, Right, Sale
from buron.offers.tests.factories import OfferFactory, carnet
from buron.places.models import Site
from buron.places.tests.factories import ResourceFactory

from .conftest import DAY, NOW
from .test_concurrency import race


def ledger_sum(right_id: int) -> int:
    return LedgerEntry.objects.filter(right_id=right_id).aggregate(t=Sum("credits"))["t"] or 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_and_purchases_never_lose_or_create_a_credit(site):
    """One member books eight half-days at once while two carnets are sold to them: every
    booking is covered once (by a credit or pay-as-you-go), and each carnet's balance is
    its grant minus what the bookings it covers spent."""
    for n in (3, 4, 5, 6):
        ResourceFactory(site=site, name=f"Poste {n}")
    OfferFactory(network=site.network, kind="half_day_pass")
    member = UserFactory(email="racer@example.org")
    host = StaffRoleFactory(site=site).user
    offer = carnet(site.network, credits=3)
    first = offers.right_grant(member=member, offer=offer, starts_on=NOW.date())
    days = [DAY + dt.timedelta(days=n) for n in range(4)]
    bookings = [
        lambda d=d, p=p: services.booking_create_half_day(
            member=member, site=site, day=d, period=p, now=NOW, notify=False
        )
        for d in days
        for p in ("am", "pm")
    ]
    sales = [
        lambda: offers.sale_record(
            site=site,
            member=member,
            offers=[(offer, 1)],
            payment_method="desk",
            sold_by=host,
            now=NOW,
        )
        for _ in range(2)
    ]
    _wins, failures = race([*bookings, *sales])
    assert not failures, [repr(f) for f in failures]
    made = list(Booking.objects.filter(member=member, status="active").values_list("pk", flat=True))
    assert len(made) == 8 and Sale.objects.count() == 2
    spends = LedgerEntry.objects.filter(kind=EntryKind.SPEND)
    covered = set(spends.values_list("booking_id", flat=True))
    paid = set(PayAsYouGo.objects.values_list("booking_id", flat=True))
    assert covered | paid == set(made) and not covered & paid
    rights = list(Right.objects.filter(member=member))
    assert len(rights) == 3
    for right in rights:
        balance = offer_selectors.right_balance(right=right)
        spent = -sum(spends.filter(right=right).values_list("credits", flat=True))
        assert balance == 3 - spent >= 0
    # The first carnet existed before the race: all of its credits were used.
    assert offer_selectors.right_balance(right=first) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_spends_of_one_last_credit_cover_one_booking_only(site):
    OfferFactory(network=site.network, kind="half_day_pass")
    member = UserFactory(email="last@example.org")
    right = offers.right_grant(
        member=member, offer=carnet(site.network, credits=1), starts_on=NOW.date()
    )
    days = [DAY + dt.timedelta(days=n) for n in range(4)]  # Tuesday to Friday
    wins, failures = race(
        [
            lambda d=d, p=p: services.booking_create_half_day(
                member=member, site=site, day=d, period=p, now=NOW, notify=False
            )
            for d in days
            for p in ("am", "pm")
        ]
    )
    assert not failures and len(wins) == 8
    assert [w.outcome["covered_by"] for w in wins].count("carnet") == 1
    assert offer_selectors.right_balance(right=right) == 0
    assert PayAsYouGo.objects.count() == 7


DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]


class CreditMachine(RuleBasedStateMachine):
    """buy / book / cancel in time / cancel late / expire / adjust, one member and a host."""

    def __init__(self) -> None:
        super().__init__()
        BookingSlot.objects.all().delete()
        Booking.objects.all().delete()
        LedgerEntry.objects.all().delete()
        Right.objects.all().delete()
        PayAsYouGo.objects.all().delete()
        self.site = Site.objects.get(slug="murat")
        self.member = User.objects.get(email="credits@example.org")
        self.admin = User.objects.get(email="admin@example.org")
        self.offers = list(Offer.objects.filter(kind="carnet").order_by("credits"))
        self.today = NOW.date()

    @rule(o=st.integers(0, 1), back=st.integers(0, 40))
    def buy(self, o: int, back: int) -> None:
        offers.right_grant(
            member=self.member,
            offer=self.offers[o],
            starts_on=self.today - dt.timedelta(days=back),
        )

    @rule(d=st.integers(0, 2), period=st.sampled_from(["am", "pm", "day"]))
    def book(self, d: int, period: str) -> None:
        with contextlib.suppress(BookingRefused, SlotTaken):
            services.booking_create_half_day(
                member=self.member,
                site=self.site,
                day=DAYS[d],
                period=period,
                now=NOW,
                notify=False,
            )

    @rule(data=st.data(), late=st.booleans())
    def cancel(self, data: st.DataObject, late: bool) -> None:
        active = list(Booking.objects.filter(status="active").order_by("pk"))
        if not active:
            return
        booking = data.draw(st.sampled_from(active))
        now = booking.start - dt.timedelta(minutes=30) if late else NOW
        services.booking_cancel(booking=booking, by=self.member, now=now)

    @rule(days=st.integers(0, 60))
    def expire(self, days: int) -> None:
        offers.rights_expire(today=self.today + dt.timedelta(days=days))

    @rule(data=st.data(), credits=st.integers(-5, 5))
    def adjust(self, data: st.DataObject, credits: int) -> None:
        rights = list(Right.objects.order_by("pk"))
        if not rights:
            return
        right = data.draw(st.sampled_from(rights))
        with contextlib.suppress(offers.OfferRefused):
            offers.right_adjust(right=right, credits=credits, by=self.admin, note="test")

    @invariant()
    def balances_are_the_ledger_and_never_negative(self) -> None:
        for right in Right.objects.all():
            total = ledger_sum(right.pk)
            assert total == offer_selectors.right_balance(right=right) >= 0

    @invariant()
    def every_active_booking_is_covered_once(self) -> None:
        found = offer_selectors.coverage_for_bookings(
            booking_ids=Booking.objects.filter(status="active").values_list("pk", flat=True)
        )
        for pk in Booking.objects.filter(status="active").values_list("pk", flat=True):
            assert pk in found and not found[pk].given_back

    @invariant()
    def cancelled_in_time_spends_nothing(self) -> None:
        for booking in Booking.objects.filter(status="cancelled"):
            entries = LedgerEntry.objects.filter(booking_id=booking.pk)
            total = sum(entries.values_list("credits", flat=True))
            late = (
                booking.cancelled_at is not None
                and booking.cancelled_at > booking.start - dt.timedelta(hours=2)
            )
            assert total == 0 or late


@pytest.mark.django_db
def test_credit_state_machine(site):
    member = UserFactory(email="credits@example.org")
    StaffRoleFactory(site=site, user=member)  # may cancel late, and is then told late
    StaffRoleFactory(
        role="network_admin",
        network=site.network,
        site=None,
        user=UserFactory(email="admin@example.org"),
    )
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    carnet(site.network, credits=2, days=30)
    carnet(site.network, credits=5, days=30)
    run_state_machine_as_test(
        CreditMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
