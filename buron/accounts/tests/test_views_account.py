"""A member's own account pages: profile, status, their data, closing the account."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import MemberProfile, StaffRole, StatusPeriod, User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import services
from buron.booking.models import Booking
from buron.places.communes import search_name
from buron.places.models import Commune
from buron.places.tests.factories import ResourceFactory, SiteFactory, open_all_week

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)
DAY = dt.date(2027, 3, 2)
PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def member(db):
    user = UserFactory(email="camille@example.org", first_name="Camille", last_name="Roux")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def murat(db):
    return Commune.objects.create(
        insee_code="15138",
        name="Murat",
        search_name=search_name("Murat"),
        postal_code="15300",
        department="15",
        latitude=Decimal("45.110573"),
        longitude=Decimal("2.869290"),
    )


@pytest.fixture
def site(db):
    site = SiteFactory(slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    ResourceFactory(site=site, name="Poste 1")
    return site


@pytest.mark.parametrize("name", ["overview", "profile", "status", "export", "close"])
def test_the_account_pages_need_a_login(client, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_overview_links_to_every_account_page(signed_in):
    html = signed_in.get(reverse("accounts:overview")).content.decode()
    for name in ("accounts:profile", "accounts:status", "accounts:export", "accounts:close"):
        assert f'href="{reverse(name)}"' in html
    assert "camille@example.org" in html and "Freelancer" in html


def test_the_profile_saves_names_commune_and_phone(signed_in, member, murat):
    response = signed_in.post(
        reverse("accounts:profile"),
        {"first_name": "Camille", "last_name": "Vernet", "commune": "15300", "phone": "0471000000"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    profile = MemberProfile.objects.get(user=member)
    assert (member.last_name, profile.commune, profile.phone) == ("Vernet", murat, "04 71 00 00 00")
    page = signed_in.get(reverse("accounts:profile"))
    assert 'value="Murat (15300)"' in page.content.decode()
    assert "Your profile is saved." in page.content.decode()


def test_an_unknown_commune_in_the_profile_is_refused_on_its_field(signed_in, member, murat):
    response = signed_in.post(
        reverse("accounts:profile"),
        {"first_name": "Camille", "last_name": "Vernet", "commune": "Nowhere", "phone": ""},
    )
    assert response.status_code == 200
    assert 'id="id_commune_error"' in response.content.decode()
    member.refresh_from_db()
    assert member.last_name == "Roux"


def test_a_status_change_is_recorded_and_bookings_from_that_day_take_it(signed_in, member, site):
    page = signed_in.get(reverse("accounts:status"))
    assert "those already made included" in page.content.decode()
    before = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    response = signed_in.post(
        reverse("accounts:status"),
        {"status": "salaried_remote", "employer_name": "Acme SA", "valid_from": "2027-03-01"},
    )
    assert response.status_code == 302
    assert StatusPeriod.objects.filter(
        user=member,
        status="salaried_remote",
        employer_name="Acme SA",
        valid_from=DAY.replace(day=1),
    ).exists()
    after = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="pm", now=NOW
    )
    before.refresh_from_db()
    assert (before.visitor_status, before.employer_name) == ("salaried_remote", "Acme SA")
    assert (after.visitor_status, after.employer_name) == ("salaried_remote", "Acme SA")


def test_a_status_change_without_employer_is_refused(signed_in, member):
    response = signed_in.post(
        reverse("accounts:status"),
        {"status": "salaried_remote", "employer_name": "", "valid_from": "2027-03-01"},
    )
    assert response.status_code == 200
    assert "employer_name" in response.context["form"].errors
    assert not StatusPeriod.objects.filter(user=member, status="salaried_remote").exists()


def test_the_data_export_is_a_json_file_with_the_members_bookings(signed_in, member, site):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    other = UserFactory()
    services.booking_create_half_day(member=other, site=site, day=DAY, period="pm", now=NOW)
    response = signed_in.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille@example.org"
    assert [b["id"] for b in data["bookings"]] == [booking.pk]
    assert data["bookings"][0]["site"] == "murat"
    assert data["statuses"][0]["status"] == "freelancer"


def test_closing_needs_the_password(signed_in, member):
    response = signed_in.post(reverse("accounts:close"), {"password": "not it"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["password"]] == [
        "wrong_password"
    ]
    member.refresh_from_db()
    assert member.is_active and member.email == "camille@example.org"


def test_closing_erases_identity_signs_out_and_keeps_anonymous_bookings(
    client, signed_in, member, site
):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    StaffRoleFactory(user=member, site=site)
    page = signed_in.get(reverse("accounts:close"))
    assert "Close my account for good" in page.content.decode()
    response = signed_in.post(reverse("accounts:close"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:closed")
    assert "Your account is closed" in signed_in.get(response["Location"]).content.decode()
    assert "_auth_user_id" not in signed_in.session

    member.refresh_from_db()
    assert not member.is_active
    assert member.email.endswith("@erased.invalid")
    assert (member.first_name, member.last_name) == ("", "")
    assert not member.has_usable_password()
    assert not MemberProfile.objects.filter(user=member).exists()
    assert not StaffRole.objects.filter(user=member).exists()
    # The booking stays for statistics: its status, no identity.
    booking.refresh_from_db()
    assert booking.member_id == member.pk
    assert booking.visitor_status == "freelancer"
    assert Booking.objects.filter(member__email="camille@example.org").count() == 0

    # Nobody can sign in as the closed account any more.
    response = client.post(
        reverse("account_login"), {"login": "camille@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="camille@example.org").exists()
    assert signed_in.get(reverse("booking:mine")).status_code == 302  # to the login page


def test_the_closed_page_is_only_shown_right_after_closing(client):
    response = client.get(reverse("accounts:closed"))
    assert response.status_code == 302


def test_every_account_page_renders_in_french(signed_in):
    with translation.override("fr"):
        pages = [reverse(f"accounts:{name}") for name in ("overview", "profile", "status", "close")]
    for address in pages:
        response = signed_in.get(address)
        assert response.status_code == 200, address
        assert '<html lang="fr">' in response.content.decode(), address
