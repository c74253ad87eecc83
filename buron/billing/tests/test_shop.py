"""Buying online: sale → invoice → payment through the adapter (the fake card provider, or
offline), rights granted when paid or at once, refusals, invoices of desk sales and
renewals, and refunds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from buron.accounts.tests.factories import StaffRoleFactory
from buron.billing import shop
from buron.billing.fakecard import CALLBACK_SALT, FakeCardPayments, checkout_read, provider_notice
from buron.billing.models import Invoice, Kind, Payment, Status
from buron.billing.payments import OfflinePayments, payment_confirm
from buron.billing.services import InvoiceRefused, payment_record
from buron.offers import selectors, services
from buron.offers.models import Proof, Right, Sale
from buron.offers.tests.factories import OfferFactory, carnet, subscription
from buron.places.tests.factories import SiteFactory

from .helpers import pdf_bytes, xml_of

pytestmark = pytest.mark.django_db

FAKE = "buron.billing.fakecard.FakeCardPayments"


@pytest.fixture
def site(network, seller):
    return SiteFactory(network=network, slug="murat")


@pytest.fixture
def offer(network):
    return carnet(network, credits=10, days=180)  # 75.00 excl. VAT, 90.00 incl. VAT


@pytest.fixture
def fake(settings):
    settings.BURON_PAYMENT_ADAPTER = FAKE
    return FakeCardPayments()


def _balance(member) -> int:
    return sum(v.balance for v in selectors.member_rights(member=member, day=timezone.localdate()))


def _pay(purchase: shop.Purchase, *, paid: bool = True) -> Payment:
    token = parse_qs(urlparse(purchase.pay_url).query)["c"][0]
    notice = provider_notice(checkout=checkout_read(token), paid=paid)
    return payment_confirm(adapter=FakeCardPayments(), payload=notice, today=timezone.localdate())


def test_a_card_purchase_is_invoiced_at_once_and_gives_the_right_when_paid(
    site, member, offer, fake
):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    invoice = purchase.invoice
    assert invoice is not None and invoice.sale_id == purchase.sale.pk
    assert (invoice.status, invoice.total_incl_vat) == (Status.DUE, Decimal("90.00"))
    assert invoice.number.startswith("CANTAL-")
    assert purchase.pay_url.startswith("/paiement/test/?c=")
    assert not Right.objects.exists()  # not before the card is accepted

    payment = _pay(purchase)
    assert (payment.method, payment.amount) == ("card", Decimal("90.00"))
    invoice.refresh_from_db()
    assert invoice.status == Status.PAID
    right = Right.objects.get()
    assert (right.kind, right.sale_id, right.member_id) == ("carnet", purchase.sale.pk, member.pk)
    assert _balance(member) == 10


def test_a_declined_card_gives_nothing_and_the_member_may_pay_again(site, member, offer, fake):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    with pytest.raises(InvoiceRefused) as info:
        _pay(purchase, paid=False)
    assert info.value.code == "declined"
    assert not Payment.objects.exists() and not Right.objects.exists()
    assert purchase.invoice is not None
    again = shop.purchase_pay_url(invoice=purchase.invoice)
    _pay(shop.Purchase(sale=purchase.sale, invoice=purchase.invoice, pay_url=again))
    assert _balance(member) == 10


def test_an_invoice_is_not_paid_twice_and_a_replayed_callback_records_nothing_more(
    site, member, offer, fake
):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    assert purchase.invoice is not None
    second_checkout = shop.purchase_pay_url(invoice=purchase.invoice)  # two tabs open
    first = _pay(purchase)
    assert _pay(purchase).pk == first.pk  # the same notice again: the same payment
    with pytest.raises(InvoiceRefused) as info:
        _pay(shop.Purchase(sale=purchase.sale, invoice=purchase.invoice, pay_url=second_checkout))
    assert info.value.code == "nothing_due"
    with pytest.raises(InvoiceRefused):
        shop.purchase_pay_url(invoice=purchase.invoice)
    assert Payment.objects.count() == 1
    assert Right.objects.count() == 1 and _balance(member) == 10


def test_a_forged_altered_or_stale_callback_is_refused_over_http(site, member, offer, fake):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    token = parse_qs(urlparse(purchase.pay_url).query)["c"][0]
    checkout = checkout_read(token)
    forged = signing.dumps(
        {**checkout, "status": "paid"}, key="not the provider's secret", salt=CALLBACK_SALT
    )
    assert Client().post("/paiement/retour/", {"data": forged}).status_code == 400
    genuine = provider_notice(checkout=checkout, paid=True)["data"]
    altered = genuine.replace(genuine.split(":")[0], genuine.split(":")[0][:-2] + "xx", 1)
    assert Client().post("/paiement/retour/", {"data": altered}).status_code == 400
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2)):
        stale = provider_notice(checkout=checkout, paid=True)["data"]
    assert Client().post("/paiement/retour/", {"data": stale}).status_code == 400
    assert not Payment.objects.exists() and not Right.objects.exists()
    response = Client().post("/paiement/retour/", {"data": genuine})
    assert response.status_code == 200
    replay = Client().post("/paiement/retour/", {"data": genuine})
    assert replay.status_code == 200 and replay.content == response.content
    assert Payment.objects.count() == 1 and _balance(member) == 10


def test_an_offline_purchase_gives_the_right_at_once_with_the_invoice_due(
    site, member, offer, seller, network
):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="transfer")
    assert purchase.pay_url == "" and purchase.invoice is not None
    assert purchase.invoice.status == Status.DUE
    assert _balance(member) == 10
    admin = StaffRoleFactory(role="network_admin", network=network, site=None).user
    OfflinePayments().record(
        invoice=purchase.invoice,
        amount=Decimal("90.00"),
        method="transfer",
        paid_on=timezone.localdate(),
        by=admin,
    )
    purchase.invoice.refresh_from_db()
    assert purchase.invoice.status == Status.PAID
    assert Right.objects.count() == 1  # granted once, not again when paid


def test_a_network_may_wait_for_the_payment_before_giving_the_right(site, member, offer, seller):
    seller.rights_before_payment = False
    seller.save()
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="cheque")
    assert not Right.objects.exists()
    assert purchase.invoice is not None
    payment_record(
        invoice=purchase.invoice,
        amount=Decimal("50.00"),
        method="cheque",
        paid_on=timezone.localdate(),
    )
    assert not Right.objects.exists()  # partly paid
    payment_record(
        invoice=purchase.invoice,
        amount=Decimal("40.00"),
        method="cheque",
        paid_on=timezone.localdate(),
    )
    assert _balance(member) == 10


def test_card_is_refused_without_an_online_provider(site, member, offer):
    with pytest.raises(InvoiceRefused) as info:
        shop.purchase_start(member=member, site=site, offer=offer, method="card")
    assert info.value.code == "method"
    assert not Sale.objects.exists() and not Invoice.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"is_active": False},
        {"valid_until": dt.date(2020, 1, 1)},
        {"valid_from": dt.date(2099, 1, 1)},
        {"category": "job_seeker"},  # no validated proof
    ],
)
def test_an_offer_not_for_sale_to_this_member_is_refused_and_nothing_is_written(
    site, member, offer, fake, changes
):
    for name, value in changes.items():
        setattr(offer, name, value)
    offer.save()
    with pytest.raises(services.OfferRefused):
        shop.purchase_start(member=member, site=site, offer=offer, method="card")
    assert not Sale.objects.exists() and not Invoice.objects.exists()
    assert not Right.objects.exists()


def test_a_reduced_price_is_sold_once_a_host_validated_the_proof(site, member, network, fake):
    reduced = OfferFactory(
        network=network,
        kind="carnet",
        credits=4,
        validity_days=30,
        net_price=Decimal("20.00"),
        category="student",
    )
    proof = services.proof_submit(member=member, site=site, category="student")
    host = StaffRoleFactory(site=site).user
    services.proof_decide(proof=proof, by=host, validated=True)
    assert Proof.objects.get().status == "validated"
    purchase = shop.purchase_start(member=member, site=site, offer=reduced, method="card")
    assert purchase.invoice is not None and purchase.invoice.total_incl_vat == Decimal("24.00")


def test_a_network_without_a_seller_does_not_sell_online(network, member):
    lonely = SiteFactory()  # another network, without a seller
    with pytest.raises(InvoiceRefused) as info:
        shop.purchase_start(
            member=member, site=lonely, offer=carnet(lonely.network), method="transfer"
        )
    assert info.value.code == "no_seller"


def test_a_manager_buys_for_their_organisation_invoiced_excl_vat_to_it(
    site, member, offer, organisation
):
    organisation.managers.add(member)
    purchase = shop.purchase_start(
        member=member, site=site, offer=offer, method="transfer", organisation=organisation
    )
    invoice = purchase.invoice
    assert invoice is not None
    assert invoice.customer_organisation_id == organisation.pk and invoice.customer_is_business
    assert invoice.customer_siren == organisation.siren.replace(" ", "")


def test_only_a_manager_buys_for_an_organisation(site, member, offer, organisation):
    with pytest.raises(InvoiceRefused):
        shop.purchase_start(
            member=member, site=site, offer=offer, method="transfer", organisation=organisation
        )
    assert not Sale.objects.exists()


def test_a_desk_sale_is_invoiced_and_paid_at_the_desk_or_left_due(site, member, offer):
    host = StaffRoleFactory(site=site).user
    at_desk = services.sale_record(
        site=site, member=member, offers=[(offer, 1)], payment_method="desk", sold_by=host
    )
    by_transfer = services.sale_record(
        site=site, member=member, offers=[(offer, 1)], payment_method="transfer", sold_by=host
    )
    assert Invoice.objects.get(sale=at_desk).status == Status.PAID
    assert Payment.objects.get().method == "desk"
    assert Invoice.objects.get(sale=by_transfer).status == Status.DUE


def test_an_invoice_of_a_sale_is_a_valid_factur_x_with_the_right_s_service_dates(
    site, member, offer
):
    host = StaffRoleFactory(site=site).user
    sale = services.sale_record(
        site=site, member=member, offers=[(offer, 1)], payment_method="desk", sold_by=host
    )
    invoice = Invoice.objects.get(sale=sale)
    right = Right.objects.get(sale=sale)
    line = invoice.lines.get()
    assert (line.service_start, line.service_end) == (right.starts_on, right.expires_on)
    from buron.billing.services import invoice_pdf_render

    root = xml_of(pdf_bytes(invoice_pdf_render(invoice=invoice)))
    assert root is not None


def test_a_renewed_subscription_is_invoiced_for_its_new_month(site, member, network):
    monthly = subscription(network)  # 83.33 excl. VAT
    host = StaffRoleFactory(site=site).user
    first = services.sale_record(
        site=site, member=member, offers=[(monthly, 1)], payment_method="desk", sold_by=host
    )
    right = Right.objects.get(sale=first)
    assert services.subscriptions_renew(today=right.expires_on + dt.timedelta(days=1)) == 1
    renewal = Sale.objects.exclude(pk=first.pk).get()
    invoice = Invoice.objects.get(sale=renewal)
    new_right = Right.objects.get(renews=right)
    assert invoice.status == Status.DUE and invoice.total_excl_vat == Decimal("83.33")
    line = invoice.lines.get()
    assert (line.service_start, line.service_end) == (new_right.starts_on, new_right.expires_on)
    assert line.service_start == right.expires_on + dt.timedelta(days=1)
    # Renewed once: running the task again invoices nothing more.
    assert services.subscriptions_renew(today=right.expires_on + dt.timedelta(days=2)) == 0
    assert Invoice.objects.filter(kind=Kind.INVOICE).count() == 2


def test_an_unused_purchase_is_refunded_by_a_credit_note_and_its_credits_leave(site, member, offer):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="transfer")
    note = shop.purchase_refund(sale=purchase.sale)
    assert note is not None and note.kind == Kind.CREDIT_NOTE
    assert note.credited_invoice_id == purchase.invoice.pk if purchase.invoice else False
    assert note.total_incl_vat == Decimal("90.00")
    assert Invoice.objects.get(pk=note.credited_invoice_id).status == Status.CANCELLED
    assert _balance(member) == 0
    assert Right.objects.get().revoked_at is not None


def test_a_used_purchase_is_not_refunded(site, member, offer):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="transfer")
    right = Right.objects.get()
    services.coverage_for_booking(
        member=member,
        network_id=site.network_id,
        site_id=site.pk,
        booking_id=99,
        day=timezone.localdate(),
        period="am",
        resource_kind="desk",
    )
    with pytest.raises(services.OfferRefused):
        shop.purchase_refund(sale=purchase.sale)
    assert selectors.right_balance(right=right) == 9
    assert not Invoice.objects.filter(kind=Kind.CREDIT_NOTE).exists()


# --- the pages ----------------------------------------------------------------------------------


def _member_client(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_the_member_buys_on_the_pages_and_pays_on_the_fake_provider_s_page(
    site, member, offer, fake
):
    client = _member_client(member)
    page = client.get(f"/acheter/?site={site.slug}")
    assert page.status_code == 200 and "90,00" in page.content.decode()
    business = client.get(f"/acheter/?site={site.slug}&pro=1")
    assert "75,00" in business.content.decode()
    url = f"/acheter/{site.slug}/{offer.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"quantity": "1", "method": "card"})
    assert response.status_code == 302
    provider = response["Location"]
    assert provider.startswith("/paiement/test/")
    assert client.get(provider).status_code == 200
    back = client.post(provider, {"decision": "pay"})
    sale = Sale.objects.get()
    assert back.status_code == 302 and back["Location"] == f"/acheter/achats/{sale.pk}/"
    done = client.get(back["Location"])
    assert done.status_code == 200
    invoice = Invoice.objects.get(sale=sale)
    assert invoice.status == Status.PAID and invoice.number in done.content.decode()
    assert _balance(member) == 10
    download = client.get(f"/compte/factures/{invoice.pk}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "data", [{"quantity": "0", "method": "card"}, {"quantity": "1", "method": "bitcoin"}]
)
def test_a_refused_purchase_form_writes_nothing(site, member, offer, fake, data):
    response = _member_client(member).post(f"/acheter/{site.slug}/{offer.pk}/", data)
    assert response.status_code == 422
    assert not Sale.objects.exists() and not Invoice.objects.exists()


def test_an_offer_off_sale_or_of_another_site_is_not_found(site, member, offer, network):
    other = SiteFactory(network=network, slug="ydes")
    offer.sites.add(other)
    client = _member_client(member)
    assert client.get(f"/acheter/{site.slug}/{offer.pk}/").status_code == 404
    offer.is_active = False
    offer.save()
    assert client.get(f"/acheter/{other.slug}/{offer.pk}/").status_code == 404


def test_someone_else_s_purchase_is_not_found(site, member, offer, fake):
    from buron.accounts.tests.factories import UserFactory

    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    stranger = _member_client(UserFactory(email="other@example.org"))
    assert stranger.get(f"/acheter/achats/{purchase.sale.pk}/").status_code == 404
    assert _member_client(member).get(f"/acheter/achats/{purchase.sale.pk}/").status_code == 200


def test_the_fake_provider_s_page_is_closed_with_a_real_adapter(
    site, member, offer, fake, settings
):
    purchase = shop.purchase_start(member=member, site=site, offer=offer, method="card")
    settings.BURON_PAYMENT_ADAPTER = "buron.billing.payments.OfflinePayments"
    assert Client().get(purchase.pay_url).status_code == 404


# --- VAT at 0 %: the offer's exemption code gives the invoice's VAT category ------------------


def test_an_offer_at_zero_vat_needs_its_reason_and_code(network):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from buron.offers.models import Offer

    offer = Offer(network=network, kind="day_pass", name_fr="x", net_price=1, vat_rate=0)
    with pytest.raises(ValidationError) as info:
        offer.full_clean()
    assert {"vat_exemption_reason", "vat_exemption_code"} <= set(info.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            network=network,
            kind="day_pass",
            name_fr="x",
            net_price=1,
            vat_rate=0,
            vat_exemption_reason="Formation",
        )
    taxed = Offer(
        network=network,
        kind="day_pass",
        name_fr="x",
        net_price=1,
        vat_rate=20,
        vat_exemption_code="VATEX-EU-O",
    )
    with pytest.raises(ValidationError) as info:
        taxed.full_clean()
    assert "vat_exemption_code" in info.value.message_dict


@pytest.mark.parametrize(
    ("code", "reason", "category"),
    [
        ("VATEX-EU-132-1I", "Exonération de TVA, article 261-4-4° a du CGI", "E"),
        ("VATEX-EU-O", "Hors champ de la TVA", "O"),
    ],
)
def test_a_sale_at_zero_vat_is_invoiced_with_its_category_and_reason(
    site, member, network, code, reason, category
):
    from buron.billing.services import invoice_pdf_render

    from .helpers import one

    workshop = OfferFactory(
        network=network,
        kind="service_pack",
        service="meeting_room_hours",
        quantity=3,
        validity_months=1,
        net_price=Decimal("40.00"),
        vat_rate=Decimal("0"),
        vat_exemption_reason=reason,
        vat_exemption_code=code,
    )
    purchase = shop.purchase_start(member=member, site=site, offer=workshop, method="transfer")
    assert purchase.invoice is not None
    assert purchase.invoice.total_incl_vat == Decimal("40.00")
    root = xml_of(pdf_bytes(invoice_pdf_render(invoice=purchase.invoice)))
    trade = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert one(root, f"{trade}/ram:CategoryCode") == category
    assert one(root, f"{trade}/ram:ExemptionReasonCode") == code
    assert one(root, f"{trade}/ram:ExemptionReason") == reason


def test_the_welcome_pack_is_taken_once_per_person_online(site, member, network, fake):
    from buron.offers.tests.factories import welcome_pack

    pack = welcome_pack(network)
    first = shop.purchase_start(member=member, site=site, offer=pack, method="card")
    assert first.invoice is None and first.pay_url == ""  # free: nothing to invoice or pay
    assert Right.objects.get().kind == "welcome_pack"
    with pytest.raises(services.OfferRefused) as info:
        shop.purchase_start(member=member, site=site, offer=pack, method="transfer")
    assert info.value.code == "welcome_once"
    assert Sale.objects.count() == 1 and Right.objects.count() == 1
