"""Credits bought online are never lost or created: random sequences of buy (card or
offline) / pay / book / cancel / expire / refund keep every balance equal to its ledger
and never negative, every sale invoiced once; concurrent purchases and bookings of one
member (threads, real connections) on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from buron.accounts.models import User
from buron.accounts.tests.factories import UserFactory
from buron.billing import shop
from buron.billing.fakecard import FakeCardPayments, checkout_read, provider_notice
from buron.billing.models import Invoice, Kind, NumberCounter, Payment, Status
from buron.billing.payments import payment_confirm
from buron.billing.services import InvoiceRefused
from buron.booking import services as booking
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.models import Booking, BookingSlot
from buron.core.testing.race import race
from buron.offers import selectors as offer_selectors
from buron.offers import services as offers
from buron.offers.models import EntryKind, LedgerEntry, Offer, PayAsYouGo, Right, Sale
from buron.offers.tests.factories import OfferFactory, carnet
from buron.places.models import Site
from buron.places.tests.factories import ResourceFactory, SiteFactory, open_all_week

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY = dt.date(2027, 3, 2)  # a plain Tuesday
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)
DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(network, seller) -> Site:
    site = SiteFactory(network=network, slug="murat")
    open_all_week(site)
    for n in range(1, 5):
        ResourceFactory(site=site, name=f"Poste {n}")
    OfferFactory(network=network, kind="half_day_pass", net_price=Decimal("8.33"))
    return site


def ledger_sum(right_id: int) -> int:
    return LedgerEntry.objects.filter(right_id=right_id).aggregate(t=Sum("credits"))["t"] or 0


def pay_by_card(purchase: shop.Purchase) -> None:
    token = parse_qs(urlparse(purchase.pay_url).query)["c"][0]
    notice = provider_notice(checkout=checkout_read(token), paid=True)
    payment_confirm(adapter=FakeCardPayments(), payload=notice, today=NOW.date())


@pytest.mark.django_db(transaction=True)
def test_concurrent_online_purchases_and_bookings_never_lose_or_create_a_credit(site, settings):
    """One member books six half-days at once while buying three carnets online (two paid
    by card as they go, one by transfer): each booking is covered once, by a credit or
    pay-as-you-go, and each carnet's balance is its grant less what it covered."""
    settings.BURON_PAYMENT_ADAPTER = "buron.billing.fakecard.FakeCardPayments"
    member = UserFactory(email="racer@example.org")
    offer = carnet(site.network, credits=2)

    def buy(method: str) -> shop.Purchase:
        purchase = shop.purchase_start(member=member, site=site, offer=offer, method=method)
        if purchase.pay_url:
            pay_by_card(purchase)
        return purchase

    bookings = [
        lambda d=d, p=p: booking.booking_create_half_day(
            member=member, site=site, day=d, period=p, now=NOW, notify=False
        )
        for d in DAYS
        for p in ("am", "pm")
    ]
    purchases = [lambda m=m: buy(m) for m in ("card", "card", "transfer")]
    _wins, failures = race([*bookings, *purchases])
    assert not failures, [repr(f) for f in failures]
    made = set(Booking.objects.filter(status="active").values_list("pk", flat=True))
    assert len(made) == 6
    assert Sale.objects.count() == 3 and Invoice.objects.filter(kind=Kind.INVOICE).count() == 3
    assert Payment.objects.count() == 2
    spends = LedgerEntry.objects.filter(kind=EntryKind.SPEND)
    covered = set(spends.values_list("booking_id", flat=True))
    paid = set(PayAsYouGo.objects.values_list("booking_id", flat=True))
    assert covered | paid == made and not covered & paid
    rights = list(Right.objects.filter(member=member))
    assert len(rights) == 3
    for right in rights:
        spent = -sum(spends.filter(right=right).values_list("credits", flat=True))
        assert offer_selectors.right_balance(right=right) == 2 - spent >= 0
    numbers = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # no gap, no duplicate


class PurchaseMachine(RuleBasedStateMachine):
    """buy (card or offline) / pay by card / book / cancel / expire / refund."""

    def __init__(self) -> None:
        super().__init__()
        BookingSlot.objects.all().delete()
        Booking.objects.all().delete()
        PayAsYouGo.objects.all().delete()
        # Each example starts from no sale (deleted here only: never by the services).
        Payment.objects.all().delete()
        Invoice.objects.filter(kind=Kind.CREDIT_NOTE).delete()
        Invoice.objects.all().delete()
        NumberCounter.objects.all().delete()
        LedgerEntry.objects.all().delete()
        Right.objects.all().delete()
        Sale.objects.all().delete()
        self.site = Site.objects.get(slug="murat")
        self.member = User.objects.get(email="buyer@example.org")
        self.offers = list(Offer.objects.filter(kind="carnet").order_by("credits"))
        self.waiting: list[shop.Purchase] = []

    @rule(o=st.integers(0, 1), method=st.sampled_from(["card", "transfer", "cheque"]))
    def buy(self, o: int, method: str) -> None:
        purchase = shop.purchase_start(
            member=self.member, site=self.site, offer=self.offers[o], method=method
        )
        if purchase.pay_url:
            self.waiting.append(purchase)

    @rule(data=st.data())
    def pay(self, data: st.DataObject) -> None:
        if not self.waiting:
            return
        purchase = data.draw(st.sampled_from(self.waiting))
        with contextlib.suppress(InvoiceRefused):  # refunded meanwhile: nothing left to pay
            pay_by_card(purchase)

    @rule(d=st.integers(0, 2), period=st.sampled_from(["am", "pm", "day"]))
    def book(self, d: int, period: str) -> None:
        with contextlib.suppress(BookingRefused, SlotTaken):
            booking.booking_create_half_day(
                member=self.member,
                site=self.site,
                day=DAYS[d],
                period=period,
                now=NOW,
                notify=False,
            )

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        active = list(Booking.objects.filter(status="active").order_by("pk"))
        if active:
            chosen = data.draw(st.sampled_from(active))
            booking.booking_cancel(booking=chosen, by=self.member, now=NOW)

    @rule(days=st.integers(0, 200))
    def expire(self, days: int) -> None:
        offers.rights_expire(today=NOW.date() + dt.timedelta(days=days))

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        sales = list(Sale.objects.order_by("pk"))
        if sales:
            chosen = data.draw(st.sampled_from(sales))
            with contextlib.suppress(offers.OfferRefused):
                shop.purchase_refund(sale=chosen)

    @invariant()
    def balances_are_the_ledger_and_never_negative(self) -> None:
        for right in Right.objects.all():
            assert ledger_sum(right.pk) == offer_selectors.right_balance(right=right) >= 0

    @invariant()
    def every_sale_is_invoiced_once_for_its_total(self) -> None:
        for sale in Sale.objects.all():
            invoice = Invoice.objects.get(sale=sale)
            assert invoice.total_incl_vat == sale.total_incl_vat

    @invariant()
    def a_card_purchase_gives_its_right_only_once_paid(self) -> None:
        for sale in Sale.objects.filter(payment_method="card"):
            invoice = Invoice.objects.get(sale=sale)
            has_rights = Right.objects.filter(sale=sale).exists()
            paid = Payment.objects.filter(invoice=invoice).exists()
            assert has_rights == paid

    @invariant()
    def a_refunded_purchase_holds_nothing_and_is_credited(self) -> None:
        for right in Right.objects.filter(revoked_at__isnull=False):
            assert ledger_sum(right.pk) == 0
            assert Invoice.objects.get(sale_id=right.sale_id).status == Status.CANCELLED

    @invariant()
    def every_active_booking_is_covered_once(self) -> None:
        active = list(Booking.objects.filter(status="active").values_list("pk", flat=True))
        found = offer_selectors.coverage_for_bookings(booking_ids=active)
        for pk in active:
            assert pk in found and not found[pk].given_back


@pytest.mark.django_db
def test_purchase_state_machine(site, settings):
    settings.BURON_PAYMENT_ADAPTER = "buron.billing.fakecard.FakeCardPayments"
    UserFactory(email="buyer@example.org")
    carnet(site.network, credits=2, days=30)
    carnet(site.network, credits=5, days=60)
    run_state_machine_as_test(
        PurchaseMachine,
        settings=settings_for_machine(),
    )


def settings_for_machine() -> settings:
    return settings(
        max_examples=10,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
