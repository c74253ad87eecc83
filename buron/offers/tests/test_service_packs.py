"""Service packs on top of desk time: quotas kept in the ledger and used by hosts at the
desk (never below zero), a business address with its mail recorded by hosts and seen by
the member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.offers import selectors, services
from buron.offers.models import LedgerEntry, MailItem, Right
from buron.offers.tests.factories import OfferFactory
from buron.places.tests.factories import NetworkFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(network=NetworkFactory(slug="cantal-s"), slug="murat")


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site).user


@pytest.fixture
def member():
    return UserFactory(email="packs@example.org")


def pack(site, service: str, quantity: int | None = None):
    return OfferFactory(
        network=site.network,
        kind="service_pack",
        service=service,
        quantity=quantity,
        validity_months=1,
        net_price=Decimal("25.00"),
    )


def buy(site, member, host, offer) -> Right:
    sale = services.sale_record(
        site=site, member=member, offers=[(offer, 1)], payment_method="desk", sold_by=host
    )
    return Right.objects.get(sale=sale)


def test_a_printing_pack_holds_its_quota_and_hosts_spend_it_never_below_zero(site, member, host):
    right = buy(site, member, host, pack(site, "printing", 100))
    assert (right.kind, right.service) == ("service_pack", "printing")
    assert selectors.right_balance(right=right) == 100
    services.service_use(right=right, site=site, quantity=30, by=host, note="A4 couleur")
    assert selectors.right_balance(right=right) == 70
    with pytest.raises(services.OfferRefused) as info:
        services.service_use(right=right, site=site, quantity=71, by=host)
    assert info.value.code == "negative_balance"
    with pytest.raises(services.OfferRefused):
        services.service_use(right=right, site=site, quantity=0, by=host)
    assert selectors.right_balance(right=right) == 70
    assert LedgerEntry.objects.filter(right=right).count() == 2


def test_only_a_host_of_the_site_records_a_use(site, member, host):
    right = buy(site, member, host, pack(site, "printing", 10))
    other_host = StaffRoleFactory(site=SiteFactory(network=site.network)).user
    for by in (other_host, member):
        with pytest.raises(services.OfferRefused):
            services.service_use(right=right, site=site, quantity=1, by=by)
    assert selectors.right_balance(right=right) == 10


def test_a_pack_without_quota_or_out_of_its_dates_is_not_counted(site, member, host):
    locker = buy(site, member, host, pack(site, "locker"))
    with pytest.raises(services.OfferRefused) as info:
        services.service_use(right=locker, site=site, quantity=1, by=host)
    assert info.value.code == "no_quota"
    printing = buy(site, member, host, pack(site, "printing", 10))
    with pytest.raises(services.OfferRefused) as info:
        services.service_use(
            right=printing,
            site=site,
            quantity=1,
            by=host,
            day=printing.expires_on + dt.timedelta(days=1),
        )
    assert info.value.code == "not_valid"


def test_mail_is_recorded_for_a_domiciled_member_only_and_handed_over_once(site, member, host):
    address = buy(site, member, host, pack(site, "domiciliation"))
    today = timezone.localdate()
    item = services.mail_record(
        right=address, site=site, by=host, received_on=today, kind="registered", sender="URSSAF"
    )
    assert [m.pk for m in selectors.member_mail(member=member)] == [item.pk]
    assert [m.pk for m in selectors.mail_waiting(user=host, site=site)] == [item.pk]
    assert selectors.mail_waiting(user=member, site=site) == []
    services.mail_hand_over(item=item, by=host, day=today)
    services.mail_hand_over(item=item, by=host, day=today + dt.timedelta(days=3))
    item.refresh_from_db()
    assert item.handed_over_on == today
    printing = buy(site, member, host, pack(site, "printing", 10))
    with pytest.raises(services.OfferRefused):
        services.mail_record(right=printing, site=site, by=host, received_on=today)
    assert MailItem.objects.count() == 1


def _host_client(host) -> Client:
    from buron.accounts.tests.factories import totp_enrol

    totp_enrol(host)
    client = Client()
    client.force_login(host)
    return client


def test_the_host_s_page_records_uses_and_mail_and_the_member_sees_them(site, member, host):
    printing = buy(site, member, host, pack(site, "printing", 50))
    buy(site, member, host, pack(site, "domiciliation"))
    client = _host_client(host)
    url = f"/gestion/{site.slug}/services/"
    assert client.get(url).status_code == 200
    used = client.post(
        url,
        {"action": "use", "email": member.email, "service": "printing", "quantity": "12"},
    )
    assert used.status_code == 302
    assert selectors.right_balance(right=printing) == 38
    mailed = client.post(
        url,
        {
            "action": "mail",
            "email": member.email,
            "kind": "letter",
            "sender": "Impôts",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert mailed.status_code == 302
    page = client.get(url).content.decode()
    assert member.email in page and "38" in page
    mine = Client()
    mine.force_login(member)
    rights = mine.get("/mes-droits/").content.decode()
    assert "Impôts" in rights and "38" in rights


@pytest.mark.parametrize(
    "data",
    [
        {"action": "use", "email": "packs@example.org", "service": "printing", "quantity": "51"},
        {"action": "use", "email": "nobody@example.org", "service": "printing", "quantity": "1"},
        {"action": "use", "email": "packs@example.org", "service": "locker", "quantity": "1"},
        {"action": "mail", "email": "packs@example.org", "kind": "letter", "received_on": "x"},
        {
            "action": "mail",
            "email": "packs@example.org",
            "kind": "letter",
            "received_on": "2001-01-01",
        },
    ],
)
def test_a_refused_desk_entry_changes_nothing(site, member, host, data):
    printing = buy(site, member, host, pack(site, "printing", 50))
    buy(site, member, host, pack(site, "domiciliation"))
    before = LedgerEntry.objects.count()
    response = _host_client(host).post(f"/gestion/{site.slug}/services/", data)
    assert response.status_code == 422
    assert LedgerEntry.objects.count() == before and not MailItem.objects.exists()
    assert selectors.right_balance(right=printing) == 50


def test_another_site_s_host_cannot_open_the_page(site, member, host):
    other_host = StaffRoleFactory(site=SiteFactory(network=site.network)).user
    assert _host_client(other_host).get(f"/gestion/{site.slug}/services/").status_code == 404
