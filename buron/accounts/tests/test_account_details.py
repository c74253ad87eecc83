"""The everyday account details: phone numbers, status dates, email choices, the header's
links for staff, and the host of a telecentre managing its annexes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from buron.accounts import services
from buron.accounts.forms import status_date_bounds
from buron.accounts.models import MemberProfile, StatusPeriod
from buron.accounts.phones import phone_normalized
from buron.accounts.selectors import email_sender_name, staff_scope
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.places.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 2, 23, 9, 0, tzinfo=PARIS)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def member(db):
    user = UserFactory(email="camille@example.org", first_name="Camille", last_name="Roux")
    user.date_joined = NOW - dt.timedelta(days=30)
    user.save(update_fields=["date_joined"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0471000000", "04 71 00 00 00"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("0033612345678", "06 12 34 56 78"),
        ("+32 470 12 34 56", "+32 470 12 34 56"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("", ""),
    ],
)
def test_it_accepts_french_and_international_numbers(typed, stored):
    assert phone_normalized(typed) == stored


@pytest.mark.parametrize("typed", ["call me", "04 71 00", "12345", "+33 1", "06 12 34 56 78 90 12"])
def test_it_refuses_what_is_not_a_phone_number(typed):
    with pytest.raises(ValidationError):
        phone_normalized(typed)


def test_a_wrong_phone_is_refused_on_its_field_and_nothing_changes(signed_in, member):
    with translation.override("en"):
        response = signed_in.post(
            reverse("accounts:profile"),
            {"first_name": "Camille", "last_name": "Vernet", "commune": "", "phone": "call me"},
        )
    assert response.status_code == 200
    assert "Enter a valid phone number" in response.content.decode()
    member.refresh_from_db()
    assert member.last_name == "Roux"
    assert MemberProfile.objects.get(user=member).phone == ""


def test_the_service_refuses_a_wrong_phone_too(member):
    with pytest.raises(ValidationError) as refused:
        services.member_profile_update(
            user=member, first_name="C", last_name="R", commune=None, phone="abc"
        )
    assert "phone" in refused.value.message_dict


def test_status_dates_are_bounded_by_the_account_and_a_year_each_way():
    joined = TODAY - dt.timedelta(days=30)
    assert status_date_bounds(today=TODAY, joined=joined) == (
        joined,
        TODAY + dt.timedelta(days=366),
    )
    long_ago = dt.date(2020, 1, 1)
    assert status_date_bounds(today=TODAY, joined=long_ago)[0] == TODAY - dt.timedelta(days=366)


@pytest.mark.parametrize("day", ["2020-01-01", "2099-01-01", "2028-02-25"])
def test_a_status_date_out_of_bounds_is_refused(signed_in, member, day):
    before = list(StatusPeriod.objects.filter(user=member).values_list("valid_from", "status"))
    with translation.override("en"):
        response = signed_in.post(
            reverse("accounts:status"), {"status": "student", "valid_from": day}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A change can start on" in html
    assert 'min="2027-01-24"' in html and 'max="2028-02-24"' in html
    after = list(StatusPeriod.objects.filter(user=member).values_list("valid_from", "status"))
    assert after == before


def test_a_member_removes_a_wrong_change_to_come(signed_in, member):
    future = TODAY + dt.timedelta(days=10)
    services.member_status_change(user=member, status="student", valid_from=future)
    page = signed_in.get(reverse("accounts:status")).content.decode()
    assert reverse("accounts:status_remove") in page
    response = signed_in.post(reverse("accounts:status_remove"), {"valid_from": future.isoformat()})
    assert response.status_code == 302
    assert not StatusPeriod.objects.filter(user=member, valid_from=future).exists()
    assert StatusPeriod.objects.filter(user=member).count() == 1


def test_a_change_already_started_cannot_be_removed(signed_in, member):
    services.member_status_change(user=member, status="student", valid_from=TODAY)
    response = signed_in.post(
        reverse("accounts:status_remove"), {"valid_from": TODAY.isoformat()}, follow=True
    )
    assert StatusPeriod.objects.filter(user=member, valid_from=TODAY).exists()
    assert response.status_code == 200


def test_the_only_status_cannot_be_removed(member):
    StatusPeriod.objects.filter(user=member).update(valid_from=TODAY + dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        services.member_status_remove(user=member, valid_from=TODAY + dt.timedelta(days=3))
    assert StatusPeriod.objects.filter(user=member).count() == 1


def test_someone_else_s_change_is_not_removed(signed_in, member):
    other = UserFactory()
    future = TODAY + dt.timedelta(days=10)
    services.member_status_change(user=other, status="student", valid_from=future)
    signed_in.post(reverse("accounts:status_remove"), {"valid_from": future.isoformat()})
    assert StatusPeriod.objects.filter(user=other, valid_from=future).exists()


def test_removing_needs_a_post(signed_in):
    assert signed_in.get(reverse("accounts:status_remove")).status_code == 405


def test_a_member_chooses_the_emails_they_get(signed_in, member):
    page = signed_in.get(reverse("accounts:emails"))
    assert page.status_code == 200
    response = signed_in.post(reverse("accounts:emails"), {"language": "en", "confirmations": "on"})
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member)
    assert (profile.language, profile.email_confirmations, profile.email_reminders) == (
        "en",
        True,
        False,
    )


def test_an_unknown_email_language_is_refused(signed_in, member):
    response = signed_in.post(reverse("accounts:emails"), {"language": "de", "reminders": "on"})
    assert response.status_code == 200
    assert MemberProfile.objects.get(user=member).language == "fr"


def test_the_emails_page_needs_an_account(client):
    response = client.get(reverse("accounts:emails"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_header_offers_sign_out_to_everyone_signed_in_and_management_to_staff(client, member):
    client.force_login(member)
    header = client.get(reverse("booking:mine")).content.decode().split("</header>")[0]
    assert f'action="{reverse("account_logout")}"' in header
    assert f'href="{reverse("booking:manage")}"' not in header
    site = SiteFactory()
    StaffRoleFactory(user=member, site=site)
    header = client.get(reverse("booking:mine")).content.decode().split("</header>")[0]
    assert f'href="{reverse("booking:manage")}"' in header
    client.logout()
    header = client.get(reverse("public:home")).content.decode().split("</header>")[0]
    assert reverse("account_logout") not in header


def test_the_host_of_a_telecentre_manages_its_annexes_not_other_sites(db):
    murat = SiteFactory(slug="murat")
    extension = SiteFactory(
        slug="murat-extension", network=murat.network, kind="annex", parent=murat
    )
    elsewhere = SiteFactory(slug="ydes", network=murat.network)
    host = StaffRoleFactory(site=murat).user
    scope = staff_scope(user=host)
    assert scope.covers_site(murat) and scope.covers_site(extension)
    assert not scope.covers_site(elsewhere)
    annex_host = StaffRoleFactory(site=extension).user
    annex_scope = staff_scope(user=annex_host)
    assert annex_scope.covers_site(extension) and not annex_scope.covers_site(murat)


def test_the_host_of_murat_opens_its_annex_s_day_plan(client, db):
    murat = SiteFactory(slug="murat")
    extension = SiteFactory(
        slug="murat-extension", network=murat.network, kind="annex", parent=murat
    )
    other = SiteFactory(slug="ydes", network=murat.network)
    host = StaffRoleFactory(site=murat).user
    client.force_login(host)
    assert client.get(reverse("booking:manage_site", args=[extension.slug])).status_code == 200
    assert client.get(reverse("booking:manage_site", args=[other.slug])).status_code == 404


def test_account_emails_go_in_the_network_s_name_when_there_is_one(db):
    assert email_sender_name() == "Buron"
    site = SiteFactory()
    assert email_sender_name() == site.network.name
    SiteFactory()
    assert email_sender_name() == "Buron"
