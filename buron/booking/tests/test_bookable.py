"""One definition of what can be booked: search, forms, site pages and the API offer only
what the booking services accept, with the price that would apply beside it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from buron.accounts.services import api_token_create
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking import selectors, services
from buron.booking.errors import BookingRefused
from buron.booking.models import Booking, BookingPolicy
from buron.offers import services as offers
from buron.offers.selectors import prices_ahead
from buron.offers.tests.factories import OfferFactory, carnet
from buron.places.models import Resource
from buron.places.tests.factories import ClosureFactory

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db

PAST_DAY = NOW.date() - dt.timedelta(days=1)
# The default policy opens bookings 90 days ahead.
TOO_FAR = NOW.date() + dt.timedelta(days=91)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def search_page(client, **params):
    query = {"date": DAY.isoformat(), "period": "am", "kind": "desk", **params}
    with translation.override("en"):
        return client.get(reverse("booking:search"), query)


def book_forms(response) -> int:
    """How many booking forms the (English) page offers."""
    with translation.override("en"):
        action = reverse("booking:book")
    return response.content.decode().count(f'action="{action}"')


def api(client, path, token=None, body=None, language="en"):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body is None:
        return client.get(path, **headers)
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


# --- Search offers only what can be booked ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [(PAST_DAY, "This time is already over."), (TOO_FAR, "Bookings open 90 days ahead")],
)
def test_search_for_a_past_day_or_beyond_the_horizon_offers_nothing_to_book(
    signed_in, site, other_site, day, reason
):
    response = search_page(signed_in, date=day.isoformat())
    assert response.status_code == 200
    assert book_forms(response) == 0
    page = response.content.decode()
    assert "Cannot be booked:" in page and reason in page
    assert all(not r.free for r in response.context["results"])
    # The week at a glance offers no day either.
    for _site, cells in response.context["week"]:
        assert cells[0].free == 0 and cells[0].not_bookable


def test_search_within_the_horizon_offers_each_site(signed_in, site, other_site):
    response = search_page(signed_in)
    assert book_forms(response) == 2


def test_search_for_rooms_lists_only_sites_that_have_rooms(signed_in, site, other_site):
    """Allanche has desks only: no room of Allanche is offered, in the results or the week."""
    response = search_page(signed_in, kind="meeting_room")
    assert [r.site.slug for r in response.context["results"]] == ["murat"]
    assert [s.slug for s, _cells in response.context["week"]] == ["murat"]
    only_allanche = search_page(signed_in, kind="meeting_room", site="allanche")
    assert only_allanche.context["results"] == []
    assert book_forms(only_allanche) == 0
    assert "none has this kind of space" in only_allanche.content.decode()


def test_today_s_passed_half_day_is_not_offered_and_the_next_one_is(signed_in, site):
    with time_machine.travel(at(DAY, 13), tick=False):
        morning = search_page(signed_in, period="am")
        afternoon = search_page(signed_in, period="pm")
        room = search_page(signed_in, period="day", kind="meeting_room")
    assert book_forms(morning) == 0
    assert "This time is already over." in morning.content.decode()
    assert book_forms(afternoon) == 1
    # The room's morning hours are over: only the afternoon's are offered, and lengths
    # that fit in them.
    (free,) = room.context["results"][0].free
    assert free.free_hours == [14, 15, 16, 17]
    assert list(free.lengths) == [1, 2, 3, 4]


def test_a_site_s_own_shorter_horizon_is_what_search_and_booking_say(member, site, other_site):
    BookingPolicy.objects.create(network=site.network, site=site, horizon_days=3)
    day = NOW.date() + dt.timedelta(days=6)  # a Monday
    with translation.override("en"):
        found = {
            r.site.slug: r
            for r in selectors.availability(day=day, period="am", kind="desk", now=NOW)
        }
    assert found["murat"].free == [] and "3 days ahead" in found["murat"].not_bookable_because
    assert len(found["allanche"].free) == 1
    with pytest.raises(BookingRefused) as refused:
        services.booking_create_half_day(member=member, site=site, day=day, period="am", now=NOW)
    assert refused.value.error_dict["date"][0].code == "too_far_ahead"


# --- The API answers and refuses the same --------------------------------------------------


@pytest.mark.parametrize(("day", "code"), [(PAST_DAY, "past"), (TOO_FAR, "too_far_ahead")])
def test_the_api_offers_nothing_and_refuses_a_past_day_or_beyond_the_horizon(
    client, site, member, day, code
):
    listed = api(client, f"/api/v1/availability?date={day}&period=am&site=murat").json()
    assert listed[0]["free"] == 0 and listed[0]["resources"] == []
    assert listed[0]["not_bookable_because"]
    token = api_token_create(user=member)
    response = api(
        client, "/api/v1/bookings", token, {"site": "murat", "date": str(day), "period": "am"}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["date"] == [listed[0]["not_bookable_because"]]
    assert Booking.objects.count() == 0
    del code


def test_the_api_lists_no_room_at_a_site_without_rooms_and_refuses_an_office_there(
    client, site, other_site, member
):
    rooms = api(client, f"/api/v1/availability?date={DAY}&period=am&kind=meeting_room").json()
    assert [r["site"] for r in rooms] == ["murat"]
    token = api_token_create(user=member)
    response = api(
        client,
        "/api/v1/bookings",
        token,
        {"site": "allanche", "date": str(DAY), "period": "am", "kind": "private_office"},
    )
    assert response.status_code == 422
    assert "kind" in response.json()["errors"]
    assert Booking.objects.count() == 0


def test_the_api_names_resources_in_the_request_s_language(client, site, member):
    Resource.objects.filter(site=site, name="Poste 1").update(name_en="Desk one")
    english = api(client, f"/api/v1/availability?date={DAY}&period=am&site=murat").json()
    french = api(
        client, f"/api/v1/availability?date={DAY}&period=am&site=murat", language="fr"
    ).json()
    assert [r["name"] for r in english[0]["resources"]] == ["Desk one", "Poste 2"]
    assert [r["name"] for r in french[0]["resources"]] == ["Poste 1", "Poste 2"]
    token = api_token_create(user=member)
    made = api(
        client,
        "/api/v1/bookings",
        token,
        {"site": "murat", "date": str(DAY), "period": "am"},
    ).json()
    assert made["resource_name"] == "Desk one"


# --- Forms offer what the site has, in its hours -----------------------------------------------


def test_the_host_room_form_offers_only_the_opening_hours(client, site, other_site):
    host = StaffRoleFactory(site=site).user
    client.force_login(host)
    with translation.override("en"):
        page = client.get(
            reverse("booking:manage_book", kwargs={"slug": "murat"}), {"date": DAY.isoformat()}
        )
    form = page.context["form"]
    hours = [h for h, _label in form.fields["start_hour"].choices if h != ""]
    assert hours == [9, 10, 11, 14, 15, 16, 17]
    assert [n for n, _label in form.fields["hours"].choices if n != ""] == [1, 2, 3, 4]
    # Allanche has no room: its form asks for no hours and offers desks only.
    allanche_host = StaffRoleFactory(site=other_site).user
    client.force_login(allanche_host)
    with translation.override("en"):
        page = client.get(reverse("booking:manage_book", kwargs={"slug": "allanche"}))
    form = page.context["form"]
    assert "start_hour" not in form.fields and "hours" not in form.fields
    assert [k for k, _label in form.fields["kind"].choices] == ["desk"]


def test_the_host_room_form_refuses_an_hour_out_of_the_opening_hours(client, site, member):
    host = StaffRoleFactory(site=site).user
    client.force_login(host)
    room = Resource.objects.get(site=site, kind="meeting_room")
    with translation.override("en"):
        response = client.post(
            reverse("booking:manage_book", kwargs={"slug": "murat"}),
            {
                "email": member.email,
                "date": DAY.isoformat(),
                "resource": room.pk,
                "start_hour": 19,
                "hours": 1,
            },
        )
    assert response.status_code == 200
    assert "start_hour" in response.context["form"].errors
    assert Booking.objects.count() == 0


# --- The price that would apply -------------------------------------------------------------


def test_search_cards_show_the_pay_as_you_go_price_or_the_right_that_covers(
    signed_in, site, other_site, member
):
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    OfferFactory(network=site.network, kind="day_pass", net_price=Decimal("16.67"))
    page = search_page(signed_in).content.decode()
    assert page.count("€10 incl. VAT") == 2
    day_page = search_page(signed_in, period="day").content.decode()
    assert day_page.count("€20 incl. VAT") == 2
    offers.right_grant(member=member, offer=carnet(site.network, credits=5), starts_on=NOW.date())
    covered = search_page(signed_in, period="day").content.decode()
    assert covered.count("Covered by your carnet (2 credits)") == 2
    assert "€20 incl. VAT" not in covered


def test_the_price_shown_is_the_price_the_booking_then_records(site, other_site, member):
    """prices_ahead makes the same choice as the booking's coverage, site by site: a pass
    for one site only, a carnet valid at the other only."""
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    cheaper = OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("5.00"))
    cheaper.sites.set([other_site])
    only_murat = carnet(site.network, credits=1)
    only_murat.sites.set([site])
    offers.right_grant(member=member, offer=only_murat, starts_on=NOW.date())
    pairs = [(s.pk, s.network_id) for s in (site, other_site)]
    ahead = prices_ahead(member=member, sites=pairs, day=DAY, period="am", resource_kind="desk")
    assert ahead[site.pk].covered_by == "carnet" and ahead[site.pk].credits == 1
    assert ahead[other_site.pk].covered_by == "pay_as_you_go"
    assert ahead[other_site.pk].price is not None
    assert ahead[other_site.pk].price.incl_vat == Decimal("6.00")
    for each in (site, other_site):
        booking = services.booking_create_half_day(
            member=member, site=each, day=DAY, period="am", now=NOW, notify=False
        )
        assert booking.outcome["covered_by"] == ahead[each.pk].covered_by
        if ahead[each.pk].price is not None:
            assert Decimal(booking.outcome["amount_incl_vat"]) == ahead[each.pk].price.incl_vat
        services.booking_cancel(booking=booking, by=member, now=NOW)


def test_the_api_booking_answer_carries_the_amount_due(client, site, member):
    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    token = api_token_create(user=member)
    made = api(
        client, "/api/v1/bookings", token, {"site": "murat", "date": str(DAY), "period": "am"}
    ).json()
    assert (made["covered_by"], made["amount_incl_vat"]) == ("pay_as_you_go", "10.00")


def test_the_confirmation_email_says_what_pays(site, member, django_capture_on_commit_callbacks):
    from django.core import mail

    OfferFactory(network=site.network, kind="half_day_pass", net_price=Decimal("8.33"))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    (sent,) = mail.outbox
    assert "10\u00a0€" in sent.body  # the member's language, French by default
    assert "Payé par\u00a0:" in sent.body
    html = sent.alternatives[0][0]
    assert "10\u00a0€" in html and "&#x27;" not in sent.body


# --- Book from a site's page, add a booking to a calendar ----------------------------------


def test_a_site_s_page_has_a_book_button_to_its_availability(client, site):
    with translation.override("fr"):
        page = client.get(reverse("public:site", kwargs={"slug": "murat"})).content.decode()
    search = reverse("booking:search").replace("/en/", "/")
    assert (
        f'href="{search}?site=murat&amp;date={NOW.date():%Y-%m-%d}&amp;period=day&amp;kind=desk"'
        in page
    )
    assert ">Réserver<" in page


def test_a_booking_downloads_as_one_calendar_event(signed_in, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW, notify=False
    )
    with translation.override("en"):
        detail = signed_in.get(reverse("booking:detail", kwargs={"pk": booking.pk}))
        url = reverse("booking:booking_ics", kwargs={"pk": booking.pk})
        assert url in detail.content.decode()
        response = signed_in.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == at(DAY, 8, 30)
    assert events[0].decoded("dtend") == at(DAY, 12, 30)


def test_someone_else_s_booking_has_no_calendar_file(client, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW, notify=False
    )
    client.force_login(UserFactory())
    response = client.get(reverse("booking:booking_ics", kwargs={"pk": booking.pk}))
    assert response.status_code == 404


# --- Dates in refusals, in both languages ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Télécentre de Murat n'ouvre pas le 1er mars 2027"),
        ("en", "Télécentre de Murat is closed on 1 March 2027"),
    ],
)
def test_a_closed_day_is_refused_with_the_day_written_as_the_language_writes_it(
    site, member, language, expected
):
    first = dt.date(2027, 3, 1)
    ClosureFactory(site=site, start_date=first, end_date=first)
    with translation.override(language), pytest.raises(BookingRefused) as refused:
        services.booking_create_half_day(member=member, site=site, day=first, period="am", now=NOW)
    assert str(refused.value.error_dict["date"][0].message).startswith(expected)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1er juin 2027"), ("en", "1 June 2027")],
)
def test_the_horizon_refusal_writes_its_last_day_as_the_language_writes_it(
    site, member, language, expected
):
    BookingPolicy.objects.create(network=site.network, horizon_days=98)  # to 1 June 2027
    with translation.override(language), pytest.raises(BookingRefused) as refused:
        services.booking_create_half_day(
            member=member, site=site, day=dt.date(2027, 6, 7), period="am", now=NOW
        )
    assert expected in refused.value.error_dict["date"][0].message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Votre réservation du 1er mars 2027, 08:30 est confirmée."),
        ("en", "Your booking on 1 March 2027, 08:30 is confirmed."),
    ],
)
def test_the_confirmation_message_writes_the_day_as_the_language_writes_it(
    signed_in, site, language, expected
):
    with translation.override(language):
        response = signed_in.post(
            reverse("booking:book"),
            {"site": "murat", "date": "2027-03-01", "period": "am", "kind": "desk"},
            follow=True,
        )
    assert expected in response.content.decode()


def test_on_a_closed_day_the_room_form_keeps_the_usual_hours_and_says_why_not(signed_in, site):
    """Nothing can be booked on a Sunday: the form offers the site's usual hours, and the
    booking is refused with the reason rather than an empty list."""
    sunday = DAY + dt.timedelta(days=5)
    room = Resource.objects.get(site=site, kind="meeting_room")
    with translation.override("en"):
        response = signed_in.post(
            reverse("booking:book"),
            {
                "site": "murat",
                "date": sunday.isoformat(),
                "kind": "meeting_room",
                "resource": room.pk,
                "start_hour": 10,
                "hours": 1,
            },
        )
    form = response.context["form"]
    assert [h for h, _label in form.fields["start_hour"].choices if h != ""] == [
        9,
        10,
        11,
        14,
        15,
        16,
        17,
    ]
    assert {n: [e.code for e in errs] for n, errs in form.errors.as_data().items()} == {
        "date": ["closed"]
    }
    assert Booking.objects.count() == 0
