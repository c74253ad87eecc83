"""Who pays for a booking: the employer under its contract (allowed sites, monthly quota per
employee), the member when they choose, their choice remembered; days given back when
cancelled in time; and the statements it adds to a booking."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buron.accounts.services import api_token_create, member_status_change
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import participants, payer, services
from buron.booking.errors import BookingRefused
from buron.booking.models import Booking
from buron.employers.models import EmployerUse, Employment, UseStatus
from buron.offers.models import PayAsYouGo

from .conftest import DAY, NOW, make_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "passes")]


def book(member, site, period="am", day=DAY, **kwargs) -> Booking:
    return services.booking_create_half_day(
        member=member, site=site, day=day, period=period, now=NOW, **kwargs
    )


def refusal_of(exc: pytest.ExceptionInfo[BookingRefused]) -> str:
    return exc.value.message_dict["payer"][0]


def test_the_employer_pays_under_its_contract_and_no_right_is_spent(site, contract, employee):
    booking = book(employee, site, "day")
    assert booking.outcome["payer"] == "employer"
    assert booking.outcome["covered_by"] == "employer_contract"
    assert booking.outcome["employer"] == "Laiterie des Estives"
    use = EmployerUse.objects.get(booking_id=booking.pk)
    assert (use.contract, use.units, use.site, use.day) == (contract, Decimal(1), site, DAY)
    assert use.employee_name == "Salomé Vidal"
    assert not PayAsYouGo.objects.exists()


def test_beyond_the_monthly_quota_the_employer_payer_is_refused(site, employer, employee):
    make_contract(employer, days_per_month=Decimal("1.5"))
    book(employee, site, "day", day=DAY)
    book(employee, site, "am", day=DAY + dt.timedelta(days=1))
    with pytest.raises(BookingRefused) as exc:
        book(employee, site, "pm", day=DAY + dt.timedelta(days=1))
    assert "1,5" in refusal_of(exc) and "mars 2027" in refusal_of(exc)
    assert Booking.objects.filter(member=employee).count() == 2
    # The next month has its own quota; paying oneself is always possible.
    assert book(employee, site, "day", day=dt.date(2027, 4, 6)).outcome["payer"] == "employer"
    mine = book(employee, site, "pm", day=DAY + dt.timedelta(days=1), choices={"payer": "member"})
    assert mine.outcome["payer"] == "member"
    assert PayAsYouGo.objects.filter(booking_id=mine.pk).exists()


def test_a_site_outside_the_contract_is_refused_for_the_employer(
    site, other_site, contract, employee
):
    with pytest.raises(BookingRefused) as exc:
        book(employee, other_site)
    assert "Allanche" in refusal_of(exc)
    assert not Booking.objects.exists() and not EmployerUse.objects.exists()


def test_a_contract_for_every_site_and_its_period_of_validity(site, other_site, employer, employee):
    make_contract(employer, ends_on=dt.date(2027, 3, 2))
    assert book(employee, other_site, "am").outcome["payer"] == "employer"
    # After its end the member pays (nobody else is remembered).
    later = book(employee, other_site, "am", day=dt.date(2027, 3, 3))
    assert later.outcome["payer"] == "member"


def test_the_member_chooses_and_the_choice_is_remembered(site, contract, employee):
    first = book(employee, site, "am", choices={"payer": "member"})
    assert first.outcome["payer"] == "member"
    assert not Employment.objects.get(member=employee).pays_by_default
    second = book(employee, site, "pm")
    assert second.outcome["payer"] == "member"
    third = book(
        employee, site, "am", day=DAY + dt.timedelta(days=1), choices={"payer": "employer"}
    )
    assert third.outcome["payer"] == "employer"
    fourth = book(employee, site, "pm", day=DAY + dt.timedelta(days=1))
    assert fourth.outcome["payer"] == "employer"


def test_a_member_of_two_employers_chooses_one(site, employer, other_employer, employee):
    make_contract(employer)
    make_contract(other_employer)
    Employment.objects.create(organisation=other_employer, member=employee)
    booking = book(employee, site, "am", choices={"payer": f"employer:{other_employer.pk}"})
    assert booking.outcome["employer"] == "Scierie du Lioran"
    # Remembered: the other employer is no longer the default.
    assert book(employee, site, "pm").outcome["employer"] == "Scierie du Lioran"
    with pytest.raises(BookingRefused) as exc:
        book(
            employee, site, "am", day=DAY + dt.timedelta(days=1), choices={"payer": "employer:999"}
        )
    assert "Aucun contrat" in refusal_of(exc)


def test_an_employer_payer_needs_an_employer_on_the_status(site, contract):
    member = UserFactory(email="free@example.org")
    with pytest.raises(BookingRefused) as exc:
        book(member, site, choices={"payer": "employer"})
    assert "employeur" in refusal_of(exc)
    assert not Booking.objects.exists()


def test_cancelled_in_time_the_day_goes_back_late_it_stays_due(site, employer, employee):
    make_contract(employer, days_per_month=Decimal("0.5"))
    booking = book(employee, site, "am")
    cancelled = services.booking_cancel(booking=booking, by=employee, now=NOW)
    assert cancelled.outcome["payer"] == "employer"
    assert EmployerUse.objects.get(booking_id=booking.pk).status == UseStatus.GIVEN_BACK
    again = book(employee, site, "pm")
    # A member who is also the site's staff may cancel after their own deadline: late.
    StaffRoleFactory(site=site, user=employee)
    late = dt.datetime(2027, 3, 2, 13, 0, tzinfo=NOW.tzinfo)
    services.booking_cancel(booking=again, by=employee, now=late)
    assert EmployerUse.objects.get(booking_id=again.pk).status == UseStatus.CONSUMED
    with pytest.raises(BookingRefused):
        book(employee, site, "am", day=DAY + dt.timedelta(days=1))


def test_a_status_naming_the_organisation_links_the_member(site, employer, contract):
    member = UserFactory(email="new@example.org")
    member_status_change(
        user=member,
        status="salaried_remote",
        employer_name="  laiterie DES estives ",
        valid_from=dt.date(2027, 2, 1),
    )
    link = Employment.objects.get(member=member)
    assert link.organisation == employer and link.from_status
    assert book(member, site).outcome["payer"] == "employer"


def _statements(member, site, day, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        book(member, site, "am", day=day, notify=False, **kwargs)
    return len(queries.captured_queries)


def test_statements_none_without_an_employer_at_most_two_with_one(site, contract, employee):
    plain, salaried_alone, baseline = (
        UserFactory(email="plain@example.org"),
        UserFactory(
            email="alone@example.org",
            profile__status="salaried_remote",
            profile__employer_name="Ailleurs",
        ),
        UserFactory(email="base@example.org"),
    )
    days = [DAY + dt.timedelta(days=n) for n in (0, 1, 2, 3, 7)]
    book(UserFactory(email="warm@example.org"), site, "am", day=days[0])
    participants.participant_unregister(name=payer.NAME)
    try:
        without = _statements(baseline, site, days[1])
    finally:
        payer.connect()
    assert _statements(plain, site, days[2]) == without
    assert _statements(salaried_alone, site, days[3]) <= without + 1
    # The employer's read and its row replace the offers' coverage write (pay-as-you-go).
    assert _statements(employee, site, days[4]) <= without + 1
    assert EmployerUse.objects.filter(member=employee).count() == 1


def api_post(client, member, body):
    return client.post(
        "/api/v1/bookings",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=member)}",
    )


def test_the_api_takes_and_answers_the_payer(client, site, contract, employee):
    created = api_post(client, employee, {"site": "murat", "date": str(DAY), "period": "am"})
    assert created.status_code == 201, created.content
    assert created.json()["payer"] == "employer"
    assert created.json()["covered_by"] == "employer_contract"
    mine = api_post(
        client, employee, {"site": "murat", "date": str(DAY), "period": "pm", "payer": "member"}
    )
    assert mine.json()["payer"] == "member"
    listed = client.get(
        "/api/v1/bookings", HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=employee)}"
    ).json()
    assert [b["payer"] for b in listed] == ["employer", "member"]


@pytest.mark.parametrize("value", ["boss", "employer:abc", "employer:", "x" * 40])
def test_the_api_refuses_a_payer_it_cannot_read_and_writes_nothing(
    client, site, contract, employee, value
):
    response = api_post(
        client, employee, {"site": "murat", "date": str(DAY), "period": "am", "payer": value}
    )
    assert response.status_code == 422
    assert "payer" in response.json()["errors"]
    assert not Booking.objects.exists()


def test_the_api_refuses_beyond_the_quota_with_the_reason(client, site, employer, employee):
    make_contract(employer, days_per_month=Decimal("0.5"))
    assert (
        api_post(client, employee, {"site": "murat", "date": str(DAY), "period": "am"}).status_code
        == 201
    )
    refused = api_post(client, employee, {"site": "murat", "date": str(DAY), "period": "pm"})
    assert refused.status_code == 422
    assert "0,5" in refused.json()["errors"]["payer"][0]
    assert Booking.objects.count() == 1


def test_the_member_page_offers_the_payer_and_books_with_it(client, site, contract, employee):
    client.force_login(employee)
    page = client.get("/reserver/confirmer/", {"site": "murat"})
    assert "Laiterie des Estives" in page.content.decode()
    response = client.post(
        "/reserver/confirmer/",
        {"site": "murat", "date": str(DAY), "kind": "desk", "period": "am", "payer": "member"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get(member=employee)
    assert not EmployerUse.objects.filter(booking_id=booking.pk).exists()
    assert not Employment.objects.get(member=employee).pays_by_default


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_employee_never_pass_the_quota(site, employer, employee):
    from buron.core.testing.race import race

    make_contract(employer, days_per_month=Decimal("0.5"))
    calls = [
        lambda period=period: book(employee, site, period, notify=False) for period in ("am", "pm")
    ]
    wins, failures = race(calls)
    assert len(wins) == 1, failures
    assert [type(f) for f in failures] == [BookingRefused]
    assert "payer" in failures[0].message_dict
    assert EmployerUse.objects.count() == 1
    assert Booking.objects.count() == 1
