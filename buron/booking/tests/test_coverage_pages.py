"""What covers a booking, shown to the member; "My rights"; a site's sales for its staff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import services
from buron.offers import services as offers
from buron.offers.models import Right, Sale
from buron.offers.tests.factories import OfferFactory, carnet

from .conftest import DAY, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def test_the_confirmation_page_says_the_carnet_covers_it(client, site, member):
    offers.right_grant(member=member, offer=carnet(site.network, credits=5), starts_on=NOW.date())
    client.force_login(member)
    response = client.post(
        reverse("booking:book"),
        {"site": "murat", "date": DAY.isoformat(), "period": "day", "kind": "desk"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    with translation.override("en"):
        page = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "your carnet (2 credits)" in page
    with translation.override("en"):
        listing = client.get(reverse("booking:mine")).content.decode()
    assert "your carnet (2 credits)" in listing


def test_the_confirmation_page_gives_the_pay_as_you_go_price(client, site, member):
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    client.force_login(member)
    with translation.override("en"):
        page = client.get(reverse("booking:detail", kwargs={"pk": booking.pk})).content.decode()
    assert "at the published price (€10 incl. VAT)" in page


def test_my_rights_shows_balances_and_ledger_of_mine_only(client, site, member):
    offers.right_grant(member=member, offer=carnet(site.network, credits=7), starts_on=NOW.date())
    other = UserFactory()
    offers.right_grant(member=other, offer=carnet(site.network, credits=3), starts_on=NOW.date())
    client.force_login(member)
    with translation.override("en"):
        page = client.get(reverse("offers:my_rights")).content.decode()
        account = client.get(reverse("accounts:overview")).content.decode()
    assert "Credits left</dt><dd>7</dd>" in page
    assert "Credits left</dt><dd>3</dd>" not in page
    assert reverse("offers:my_rights") in account


def test_my_rights_needs_a_login(client):
    response = client.get(reverse("offers:my_rights"))
    assert response.status_code == 302


def test_a_host_sells_a_carnet_at_the_desk(client, site, member):
    host = StaffRoleFactory(site=site).user
    offer = carnet(site.network, credits=10)
    client.force_login(host)
    url = reverse("offers:site_sales", kwargs={"slug": site.slug})
    response = client.post(
        url,
        {"email": member.email, "offer": offer.pk, "quantity": 1, "payment_method": "transfer"},
    )
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert (sale.member, sale.sold_by, sale.payment_method) == (member, host, "transfer")
    assert Right.objects.get().member == member
    assert member.email in client.get(url).content.decode()


def test_a_rejected_sale_changes_nothing(client, site, member):
    host = StaffRoleFactory(site=site).user
    reduced = carnet(site.network, category="student")
    client.force_login(host)
    url = reverse("offers:site_sales", kwargs={"slug": site.slug})
    with translation.override("en"):
        unknown = client.post(
            url,
            {
                "email": "nobody@example.org",
                "offer": reduced.pk,
                "quantity": 1,
                "payment_method": "desk",
            },
        )
        no_proof = client.post(
            url,
            {"email": member.email, "offer": reduced.pk, "quantity": 1, "payment_method": "desk"},
        )
    assert "No member has this email address." in unknown.content.decode()
    assert "needs a proof validated by a host" in no_proof.content.decode()
    assert not Sale.objects.exists() and not Right.objects.exists()


def test_a_host_of_another_site_cannot_read_or_sell_here(client, site, other_site, member):
    host = StaffRoleFactory(site=site).user
    offers.sale_record(
        site=site,
        member=member,
        offers=[(carnet(site.network), 1)],
        payment_method="desk",
        sold_by=host,
    )
    client.force_login(StaffRoleFactory(site=other_site).user)
    url = reverse("offers:site_sales", kwargs={"slug": site.slug})
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": member.email}).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert Sale.objects.count() == 1


def test_a_member_asks_and_a_host_of_the_site_validates_the_proof(client, site, other_site, member):
    client.force_login(member)
    response = client.post(
        reverse("offers:my_rights"),
        {"category": "job_seeker", "site": site.pk, "description": "attestation"},
    )
    assert response.status_code == 302
    from buron.offers.models import Proof

    proof = Proof.objects.get()
    assert (proof.status, proof.site) == ("pending", site)
    # A host of another site neither sees nor decides it.
    client.force_login(StaffRoleFactory(site=other_site).user)
    elsewhere = reverse("offers:site_proofs", kwargs={"slug": other_site.slug})
    assert member.email not in client.get(elsewhere).content.decode()
    client.post(elsewhere, {"proof": proof.pk, "decision": "validate"})
    mine = reverse("offers:site_proofs", kwargs={"slug": site.slug})
    assert client.post(mine, {"proof": proof.pk, "decision": "validate"}).status_code == 404
    proof.refresh_from_db()
    assert proof.status == "pending"
    client.force_login(StaffRoleFactory(site=site).user)
    assert member.email in client.get(mine).content.decode()
    client.post(mine, {"proof": proof.pk, "decision": "validate"})
    proof.refresh_from_db()
    assert proof.status == "validated"


def test_a_proof_request_with_a_bad_category_changes_nothing(client, site, member):
    from buron.offers.models import Proof

    client.force_login(member)
    response = client.post(reverse("offers:my_rights"), {"category": "king", "site": site.pk})
    assert response.status_code == 200
    assert not Proof.objects.exists()


def test_a_member_stops_their_subscription_and_nobody_elses(client, site, member):
    from buron.offers.tests.factories import subscription

    offer = subscription(site.network)
    mine = offers.right_grant(member=member, offer=offer, starts_on=NOW.date())
    theirs = offers.right_grant(member=UserFactory(), offer=offer, starts_on=NOW.date())
    client.force_login(member)
    stop = "offers:subscription_stop"
    assert client.get(reverse(stop, kwargs={"pk": mine.pk})).status_code == 405
    assert client.post(reverse(stop, kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse(stop, kwargs={"pk": mine.pk})).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.auto_renew, theirs.auto_renew) == (False, True)
