"""The catalogue, sales at the desk, proofs, grants, expiry and renewal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.offers import selectors, services, tasks
from buron.offers.models import EntryKind, LedgerEntry, Offer, Proof, Right, Sale
from buron.offers.tests.factories import OfferFactory, carnet, subscription, welcome_pack
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 2)
NOW = dt.datetime(2027, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def site():
    return SiteFactory(network=NetworkFactory(slug="cantal-r"), slug="murat")


@pytest.fixture
def other_site(site):
    return SiteFactory(network=site.network, slug="ydes")


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site).user


@pytest.fixture
def member():
    return UserFactory(email="buyer@example.org")


def sell(site, member, offer, host, quantity=1, method="desk"):
    return services.sale_record(
        site=site,
        member=member,
        offers=[(offer, quantity)],
        payment_method=method,
        sold_by=host,
        now=NOW,
    )


def test_a_price_is_given_excl_and_incl_vat_rounded_once(site):
    offer = OfferFactory(network=site.network, net_price=Decimal("16.67"))
    price = selectors.offer_price(offer=offer)
    assert (price.excl_vat, price.vat, price.incl_vat) == (
        Decimal("16.67"),
        Decimal("3.33"),
        Decimal("20.00"),
    )
    three = selectors.offer_price(offer=offer, quantity=3)
    assert three.incl_vat == three.excl_vat + three.vat == Decimal("60.01")


def test_a_zero_rate_needs_an_exemption_reason(site):
    offer = Offer(network=site.network, kind="day_pass", name_fr="x", net_price=1, vat_rate=0)
    with pytest.raises(ValidationError) as exc:
        offer.full_clean()
    assert "vat_exemption_reason" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        offer.save()


def test_a_carnet_needs_credits_and_a_validity(site):
    offer = Offer(network=site.network, kind="carnet", name_fr="x", net_price=1)
    with pytest.raises(ValidationError) as exc:
        offer.full_clean()
    assert {"credits", "validity_days"} <= set(exc.value.message_dict)


def test_a_desk_sale_records_lines_amounts_and_grants_the_right(site, member, host):
    offer = carnet(site.network, credits=10, days=365)
    sale = sell(site, member, offer, host, method="cheque")
    assert (sale.total_excl_vat, sale.total_vat, sale.total_incl_vat) == (
        Decimal("75.00"),
        Decimal("15.00"),
        Decimal("90.00"),
    )
    assert sale.payment_method == "cheque" and sale.sold_by == host
    [line] = sale.lines.all()
    assert (line.quantity, line.amount_incl_vat) == (1, Decimal("90.00"))
    [right] = Right.objects.filter(sale=sale)
    assert (right.starts_on, right.expires_on) == (TODAY, TODAY + dt.timedelta(days=364))
    assert selectors.right_balance(right=right) == 10


def test_a_subscription_lasts_a_month_and_renews(site, member, host):
    offer = subscription(site.network)
    sell(site, member, offer, host)
    right = Right.objects.get()
    assert right.expires_on == dt.date(2027, 4, 1) and right.auto_renew
    assert tasks.subscription_renew.call(today="2027-04-01") == 0
    assert tasks.subscription_renew.call(today="2027-04-02") == 1
    assert tasks.subscription_renew.call(today="2027-04-02") == 0  # once
    renewal = Right.objects.get(renews=right)
    assert (renewal.starts_on, renewal.expires_on) == (dt.date(2027, 4, 2), dt.date(2027, 5, 1))
    assert renewal.sale is not None and renewal.sale.payment_method == "renewal"


def test_a_stopped_subscription_lapses(site, member, host):
    sell(site, member, subscription(site.network), host)
    right = Right.objects.get()
    services.subscription_stop(right=right, by=member)
    assert services.subscriptions_renew(today=dt.date(2027, 5, 1)) == 0
    assert Right.objects.count() == 1


def test_someone_else_cannot_stop_a_subscription(site, member, host):
    sell(site, member, subscription(site.network), host)
    with pytest.raises(services.OfferRefused):
        services.subscription_stop(right=Right.objects.get(), by=UserFactory())


def test_a_subscription_whose_offer_ended_lapses(site, member, host):
    offer = subscription(site.network)
    sell(site, member, offer, host)
    Offer.objects.filter(pk=offer.pk).update(is_active=False)
    assert services.subscriptions_renew(today=dt.date(2027, 4, 2)) == 0


def test_an_inactive_offer_is_refused_and_nothing_is_written(site, member, host):
    offer = carnet(site.network, is_active=False)
    with pytest.raises(services.OfferRefused) as exc:
        sell(site, member, offer, host)
    assert exc.value.code == "offer_not_on_sale"
    assert not Sale.objects.exists() and not Right.objects.exists()


def test_an_offer_past_its_validity_is_refused(site, member, host):
    offer = carnet(site.network, valid_until=TODAY - dt.timedelta(days=1))
    with pytest.raises(services.OfferRefused):
        sell(site, member, offer, host)
    future = carnet(site.network, valid_from=TODAY + dt.timedelta(days=1))
    with pytest.raises(services.OfferRefused):
        sell(site, member, future, host)


def test_an_offer_narrowed_to_other_sites_is_not_sold_here(site, other_site, member, host):
    offer = carnet(site.network)
    offer.sites.set([other_site])
    with pytest.raises(services.OfferRefused):
        sell(site, member, offer, host)


def test_a_host_of_another_site_cannot_sell_here(site, other_site, member):
    other_host = StaffRoleFactory(site=other_site).user
    with pytest.raises(services.OfferRefused):
        sell(site, member, carnet(site.network), other_host)


def test_a_reduced_price_needs_a_validated_proof(site, member, host):
    reduced = carnet(site.network, category="job_seeker", net_price=Decimal("40"))
    with pytest.raises(services.OfferRefused) as exc:
        sell(site, member, reduced, host)
    assert exc.value.code == "proof_required"
    proof = services.proof_submit(member=member, site=site, category="job_seeker")
    with pytest.raises(services.OfferRefused):
        sell(site, member, reduced, host)  # pending
    services.proof_decide(proof=proof, by=host, validated=False)
    with pytest.raises(services.OfferRefused):
        sell(site, member, reduced, host)  # refused
    services.proof_decide(proof=proof, by=host, validated=True)
    assert sell(site, member, reduced, host).total_excl_vat == Decimal("40.00")


def test_a_proof_of_another_category_does_not_count(site, member, host):
    reduced = carnet(site.network, category="job_seeker")
    proof = services.proof_submit(member=member, site=site, category="student")
    services.proof_decide(proof=proof, by=host, validated=True)
    with pytest.raises(services.OfferRefused):
        sell(site, member, reduced, host)


def test_only_a_host_of_the_site_or_the_network_admin_decides_a_proof(site, other_site, member):
    proof = services.proof_submit(member=member, site=site, category="student")
    for outsider in (StaffRoleFactory(site=other_site).user, member, UserFactory()):
        with pytest.raises(services.OfferRefused):
            services.proof_decide(proof=proof, by=outsider, validated=True)
    admin = StaffRoleFactory(role="network_admin", network=site.network, site=None).user
    assert services.proof_decide(proof=proof, by=admin, validated=True).status == "validated"


def test_the_welcome_pack_is_given_once_per_person(site, member):
    offer = welcome_pack(site.network)
    services.right_grant(member=member, offer=offer, starts_on=TODAY)
    with pytest.raises(services.OfferRefused):
        services.right_grant(member=member, offer=offer, starts_on=TODAY)
    assert Right.objects.count() == 1


def test_an_expired_carnet_loses_what_is_left_once(site, member):
    right = services.right_grant(
        member=member, offer=carnet(site.network, days=10), starts_on=TODAY
    )
    assert right.expires_on == TODAY + dt.timedelta(days=9)
    assert tasks.right_expire.call(today=str(TODAY + dt.timedelta(days=9))) == 0
    assert tasks.right_expire.call(today=str(TODAY + dt.timedelta(days=10))) == 1
    assert tasks.right_expire.call(today=str(TODAY + dt.timedelta(days=11))) == 0
    assert selectors.right_balance(right=right) == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).get().credits == -10


def test_an_adjustment_never_takes_a_balance_below_zero(site, member):
    admin = StaffRoleFactory(role="network_admin", network=site.network, site=None).user
    right = services.right_grant(
        member=member, offer=carnet(site.network, credits=2), starts_on=TODAY
    )
    with pytest.raises(services.OfferRefused):
        services.right_adjust(right=right, credits=-3, by=admin, note="x")
    services.right_adjust(right=right, credits=-2, by=admin, note="x")
    assert selectors.right_balance(right=right) == 0
    with pytest.raises(services.OfferRefused):
        services.right_adjust(right=right, credits=5, by=member, note="x")


def test_a_host_reads_only_their_own_sites_sales(site, other_site, member, host):
    sell(site, member, carnet(site.network), host)
    other_host = StaffRoleFactory(site=other_site).user
    assert selectors.sales_for_site(user=other_host, site=site) == []
    assert selectors.sales_for_site(user=member, site=site) == []
    assert len(selectors.sales_for_site(user=host, site=site)) == 1


def test_the_catalogue_holds_what_is_on_sale_of_the_networks_asked(site, other_site):
    on_sale = carnet(site.network)
    carnet(site.network, is_active=False)
    narrowed = carnet(site.network)
    narrowed.sites.set([other_site])
    carnet(NetworkFactory(slug="elsewhere"))
    assert set(selectors.catalogue(network_ids=[site.network_id], day=TODAY)) == {
        on_sale,
        narrowed,
    }
    assert selectors.catalogue(network_ids=[site.network_id], day=TODAY, site=site) == [on_sale]


def test_the_data_export_holds_rights_purchases_and_proofs_and_closing_erases_the_proof(
    site, member, host
):
    from buron.accounts.services import member_close, member_data_export

    sell(site, member, carnet(site.network, credits=3), host)
    services.proof_submit(member=member, site=site, category="student", description="card 42")
    data = member_data_export(user=member)["offers"]
    assert [r["balance"] for r in data["rights"]] == [3]
    assert [p["total_incl_vat"] for p in data["purchases"]] == ["90.00"]
    assert [p["category"] for p in data["proofs"]] == ["student"]
    member_close(user=member)
    assert not Proof.objects.filter(description="card 42").exists()
    assert Sale.objects.count() == 1 and Right.objects.count() == 1
