"""Who pays when a host books for a member (one booking, or the same days every week): the
options the member page offers, checked on the server; the contract's refusals shown on the
form with nothing written; each day of a series booked with the choice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking.models import Booking, BookingSeries
from buron.employers.models import EmployerUse, Employment
from buron.offers.models import PayAsYouGo

from .conftest import DAY, NOW, make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "passes")]

BOOK = "/gestion/murat/reserver/"
SERIES = "/gestion/murat/recurrente/"


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


@pytest.fixture
def as_host(client, host):
    client.force_login(host)
    return client


def booking_form(email: str, payer: str, period: str = "am", day: dt.date = DAY) -> dict:
    return {
        "email": email,
        "date": str(day),
        "kind": "desk",
        "period": period,
        "payer": payer,
    }


def series_form(email: str, payer: str, **extra: object) -> dict:
    return {
        "email": email,
        "kind": "desk",
        "weekdays": ["1"],
        "period": "day",
        "start_date": str(DAY),
        "end_date": str(DAY + dt.timedelta(days=21)),
        "payer": payer,
        **extra,
    }


def errors_of(response, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- one booking --------------------------------------------------------------------------


def test_the_host_books_for_an_employee_and_the_employer_pays(
    as_host, host, site, employer, contract, employee
):
    response = as_host.post(BOOK, booking_form(employee.email, f"employer:{employer.pk}"))
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get(member=employee)
    assert booking.booked_by == host
    use = EmployerUse.objects.get(booking_id=booking.pk)
    assert (use.contract, use.units, use.site, use.day) == (contract, Decimal("0.5"), site, DAY)
    assert not PayAsYouGo.objects.filter(booking_id=booking.pk).exists()


def test_the_host_chooses_the_member_and_no_employer_day_is_used(as_host, site, contract, employee):
    response = as_host.post(BOOK, booking_form(employee.email, "member"))
    assert response.status_code == 302
    booking = Booking.objects.get(member=employee)
    assert not EmployerUse.objects.exists()
    assert PayAsYouGo.objects.filter(booking_id=booking.pk).exists()


def test_a_hosts_choice_leaves_the_members_usual_payer_alone(
    as_host, site, employer, contract, employee
):
    usual = Employment.objects.get(member=employee, organisation=employer)
    assert usual.pays_by_default  # the member lets their employer pay, as by default

    assert as_host.post(BOOK, booking_form(employee.email, "member")).status_code == 302
    usual.refresh_from_db()
    assert usual.pays_by_default
    # Their next booking with no choice: the employer pays, as the member had it.
    response = as_host.post(BOOK, booking_form(employee.email, "", period="pm"))
    assert response.status_code == 302
    assert EmployerUse.objects.filter(member=employee, period="pm").exists()


def test_the_members_own_choice_is_remembered(site, employer, contract, employee):
    from buron.booking import services

    services.booking_create_half_day(
        member=employee, site=site, day=DAY, period="am", now=NOW, choices={"payer": "member"}
    )
    assert not Employment.objects.get(member=employee, organisation=employer).pays_by_default


def test_the_form_offers_the_members_employers_by_name(as_host, site, contract, employee):
    page = as_host.get(BOOK).content.decode()
    assert 'name="payer"' in page and "Laiterie des Estives" not in page
    # Shown again for that member (here: a period missing), it names their employer.
    response = as_host.post(BOOK, booking_form(employee.email, "member", period=""))
    assert response.status_code == 200
    assert "Laiterie des Estives (son employeur)" in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.parametrize("value", ["boss", "employer:abc", "employer:999999", "x" * 41])
def test_a_payer_not_offered_is_refused_in_the_users_language(
    as_host, site, contract, employee, value
):
    french = as_host.post(BOOK, booking_form(employee.email, value))
    assert french.status_code == 200
    assert errors_of(french, "payer") in (
        ["Choisissez qui paie parmi les choix proposés."],
        ["Assurez-vous que cette valeur comporte au plus 40 caractères (actuellement 41)."],
    )
    english = as_host.post(f"/en{BOOK}", booking_form(employee.email, value))
    assert errors_of(english, "payer") in (
        ["Choose who pays among the options offered."],
        ["Ensure this value has at most 40 characters (it has 41)."],
    )
    assert not Booking.objects.exists() and not EmployerUse.objects.exists()


def test_an_employer_for_a_member_without_one_is_refused(as_host, site, contract):
    member = UserFactory(email="jean@example.org")
    response = as_host.post(BOOK, booking_form(member.email, "employer"))
    assert response.status_code == 200
    assert errors_of(response, "payer") == [
        "Aucun employeur ne paie pour ce membre sous contrat : choisissez le membre."
    ]
    assert not Booking.objects.exists()


def test_beyond_the_quota_the_refusal_shows_on_the_form_and_nothing_is_written(
    as_host, site, employer, employee
):
    make_contract(employer, days_per_month=Decimal("0.5"))
    assert as_host.post(BOOK, booking_form(employee.email, "employer")).status_code == 302
    before = list(Booking.objects.values_list("pk", flat=True))
    response = as_host.post(BOOK, booking_form(employee.email, "employer", period="pm"))
    assert response.status_code == 200
    (message,) = errors_of(response, "payer")
    assert "Laiterie des Estives" in message and "0,5" in message and "mars 2027" in message
    assert list(Booking.objects.values_list("pk", flat=True)) == before
    assert EmployerUse.objects.count() == 1
    # Choosing the member then books it.
    assert as_host.post(BOOK, booking_form(employee.email, "member", period="pm")).status_code == (
        302
    )


def test_a_site_outside_the_contract_is_refused_on_the_form(
    as_host, site, other_site, employer, employee
):
    make_contract(employer, sites=[other_site])
    response = as_host.post(BOOK, booking_form(employee.email, "employer"))
    assert response.status_code == 200
    assert "ne couvre pas Télécentre de Murat" in errors_of(response, "payer")[0]
    assert not Booking.objects.exists()


# --- the same days every week -------------------------------------------------------------


def test_a_host_series_books_each_day_with_the_employer_until_the_quota(
    as_host, host, site, employer, employee
):
    # Four Tuesdays of March, a full day each; the contract pays two days a month.
    make_contract(employer, sites=[site], days_per_month=Decimal("2"))
    response = as_host.post(SERIES, series_form(employee.email, f"employer:{employer.pk}"))
    assert response.status_code == 302, response.content.decode()[:3000]
    series = BookingSeries.objects.get(member=employee)
    booked = list(series.bookings.order_by("start"))
    assert len(booked) == 2 and all(b.booked_by == host for b in booked)
    uses = EmployerUse.objects.order_by("day")
    assert [u.day for u in uses] == [DAY, DAY + dt.timedelta(days=7)]
    assert {u.booking_id for u in uses} == {b.pk for b in booked}
    # The days refused are said with the contract's reason, as a series does for any day.
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown[0] == "2 jours réservés sur 4 pour salome@example.org."
    assert len(shown) == 3 and all("au-delà" in m or "Laiterie" in m for m in shown[1:])


def test_a_host_series_paid_by_the_member_uses_no_employer_day(as_host, site, contract, employee):
    response = as_host.post(SERIES, series_form(employee.email, "member"))
    assert response.status_code == 302
    assert BookingSeries.objects.get(member=employee).bookings.count() == 4
    assert not EmployerUse.objects.exists()


def test_a_host_series_refuses_a_bad_payer_and_writes_nothing(as_host, site, contract, employee):
    response = as_host.post(SERIES, series_form(employee.email, "boss"))
    assert response.status_code == 200
    assert errors_of(response, "payer") == ["Choisissez qui paie parmi les choix proposés."]
    assert not BookingSeries.objects.exists() and not Booking.objects.exists()


def test_a_host_of_another_site_does_not_open_the_series_page(client, other_site, employee):
    client.force_login(StaffRoleFactory(site=other_site).user)
    assert client.get(SERIES).status_code == 404
    assert client.post(SERIES, series_form(employee.email, "member")).status_code == 404
    assert not Booking.objects.exists()


def test_the_members_own_series_page_takes_the_payer(client, site, employer, employee):
    make_contract(employer, sites=[site], days_per_month=Decimal("8"))
    client.force_login(employee)
    assert "Laiterie des Estives" in client.get("/reserver/recurrente/").content.decode()
    form = series_form("", "member", site="murat")
    del form["email"]
    assert client.post("/reserver/recurrente/", form).status_code == 302
    assert Booking.objects.filter(member=employee).count() == 4
    assert not EmployerUse.objects.exists()
    form["payer"] = f"employer:{employer.pk}"
    form["start_date"] = form["end_date"] = str(DAY + dt.timedelta(days=28))
    assert client.post("/reserver/recurrente/", form).status_code == 302
    assert EmployerUse.objects.count() == 1


@pytest.mark.parametrize("email", ["\x00", "camille\x00@example.org", "x" * 300, "not an address"])
def test_an_address_no_member_can_have_is_refused_on_the_form(as_host, site, email):
    response = as_host.post(BOOK, booking_form(email, ""))
    assert response.status_code in (200, 422)
    assert response.context["form"].errors["email"]
    assert not Booking.objects.exists()
