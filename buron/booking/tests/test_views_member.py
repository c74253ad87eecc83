"""Member pages: search, book, "just taken", recurring bookings, my bookings, cancel."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from buron.accounts.models import MemberProfile
from buron.accounts.services import calendar_token_rotate
from buron.accounts.tests.factories import UserFactory
from buron.booking import services
from buron.booking.models import Booking, BookingPolicy, BookingSeries
from buron.places.communes import search_name
from buron.places.models import Commune, Resource
from buron.places.tests.factories import (
    ClosureFactory,
    ResourceFactory,
    SiteFactory,
    open_all_week,
)

from .conftest import DAY, NOW, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def search(client, **params):
    query = {"date": DAY.isoformat(), "period": "am", "kind": "desk", **params}
    return client.get(reverse("booking:search"), {k: v for k, v in query.items() if v is not None})


def book(client, **data):
    return client.post(reverse("booking:book"), data)


def errors(response, form="form"):
    """Each field's error codes on the page's form."""
    return {
        name: [e.code for e in errs]
        for name, errs in response.context[form].errors.as_data().items()
    }


# --- Search -----------------------------------------------------------------------------


def test_search_needs_a_signed_in_member(client):
    response = client.get(reverse("booking:search"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_search_shows_the_form_and_no_results_before_a_search(signed_in):
    response = signed_in.get(reverse("booking:search"))
    assert response.status_code == 200
    assert response.context["results"] is None
    assert b'type="date"' in response.content
    assert b"<legend>" in response.content  # the radio groups are fieldsets


def test_search_lists_free_desks_per_site_with_book_buttons(signed_in, site, other_site, member2):
    services.booking_create_half_day(member=member2, site=site, day=DAY, period="am", now=NOW)
    response = search(signed_in)
    assert response.status_code == 200
    results = {r.site.slug: r.free_count for r in response.context["results"]}
    assert results == {"murat": 1, "allanche": 1}
    html = response.content.decode()
    assert "Télécentre de Murat" in html and "Télécentre d&#x27;Allanche" in html
    assert html.count(f'action="{reverse("booking:book")}"') == 2
    # The desk still free at Murat is offered in the select; the one taken is not.
    taken = Booking.objects.get().resource.name
    free = Resource.objects.filter(site=site, kind="desk").exclude(name=taken).get()
    assert f'<option value="{free.pk}">{free.name}</option>' in html
    assert f'<option value="{Booking.objects.get().resource_id}">' not in html


def test_search_shows_a_closure_with_its_reason(signed_in, site):
    ClosureFactory(site=site, start_date=DAY, end_date=DAY, reason="works")
    response = search(signed_in)
    (result,) = response.context["results"]
    assert result.closed_because == "Works"
    assert "Closed:</strong> Works" in response.content.decode()


def test_search_week_table_has_sites_days_and_closures_in_words(signed_in, site, other_site):
    ClosureFactory(site=other_site, start_date=DAY, end_date=DAY, reason="staff")
    response = search(signed_in)
    week = response.context["week"]
    assert [s.slug for s, _cells in week] == ["allanche", "murat"]
    assert len(response.context["week_days"]) == 7
    html = response.content.decode()
    assert "<caption>" in html and 'scope="row"' in html and 'scope="col"' in html
    allanche = dict(week)[other_site]
    assert allanche[0].closed_because is not None
    assert "Closed: Host absent" in html  # the closure's reason, in words
    # Saturday 6 March has no opening hours: said in words, not by an empty cell.
    saturday = next(c for c in dict(week)[site] if c.day == dt.date(2027, 3, 6))
    assert saturday.free == 0 and saturday.closed_because
    # Each free day links to that day's search at that site.
    assert "date=2027-03-03" in html and "site=murat" in html


def test_search_over_a_range_shows_that_many_days(signed_in, site):
    response = search(signed_in, until=(DAY + dt.timedelta(days=13)).isoformat())
    assert response.status_code == 200
    assert len(response.context["week_days"]) == 14


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"date": "2027-13-45"}, "date", "invalid"),
        ({"date": "tomorrow"}, "date", "invalid"),
        ({"until": "2027-03-16"}, "until", None),  # 15 days
        ({"until": "2027-03-01"}, "until", None),  # before the first day
        ({"site": "aurillac"}, "site", "invalid_choice"),
        ({"period": "night"}, "period", "invalid_choice"),
    ],
)
def test_search_with_bad_input_shows_the_error_and_no_results(signed_in, site, params, field, code):
    response = search(signed_in, **params)
    assert response.status_code == 200
    assert response.context["results"] is None
    assert field in errors(response)
    if code:
        assert errors(response)[field] == [code]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="error-summary"' in html


def test_search_range_error_names_the_limit(signed_in, site):
    response = search(signed_in, until="2027-03-16")
    assert "at most 14 days" in response.content.decode()


def test_search_nearest_first_sorts_by_distance_and_shows_km(signed_in, member, site, other_site):
    # Allanche (the commune) is much nearer Allanche's site than Murat's.
    commune = Commune.objects.create(
        insee_code="15001",
        name="Allanche",
        search_name=search_name("Allanche"),
        postal_code="15160",
        department="15",
        latitude=Decimal("45.228979"),
        longitude=Decimal("2.934496"),
    )
    MemberProfile.objects.filter(user=member).update(commune=commune)
    response = search(signed_in, near="on")
    results = response.context["results"]
    assert [r.site.slug for r in results] == ["allanche", "murat"]
    assert results[0].distance_km == 0.0
    assert results[1].distance_km > 10
    assert f"{results[1].distance_km} km".replace(".", ",") in response.content.decode() or (
        f"{results[1].distance_km} km" in response.content.decode()
    )
    # The week table follows the same order.
    assert [s.slug for s, _cells in response.context["week"]] == ["allanche", "murat"]


def test_search_nearest_first_without_a_commune_says_to_add_one(signed_in, site):
    response = search(signed_in, near="on")
    assert errors(response) == {"near": ["no_commune"]}
    assert response.context["results"] is None


def test_search_rooms_offers_their_free_hours(signed_in, site, member2):
    room = Resource.objects.get(site=site, kind="meeting_room")
    services.booking_create_hours(
        member=member2, resource=room, start=at(DAY, 9), end=at(DAY, 10), now=NOW
    )
    response = search(signed_in, kind="meeting_room")
    (result,) = response.context["results"]
    assert result.free[0].free_hours == [10, 11]
    html = response.content.decode()
    assert 'name="start_hour"' in html
    assert '<option value="10">10:00</option>' in html
    assert '<option value="9">09:00</option>' not in html


# --- Book ---------------------------------------------------------------------------------


def test_booking_a_desk_confirms_and_shows_the_booking(signed_in, member, site):
    response = book(signed_in, site="murat", date=DAY.isoformat(), period="am", kind="desk")
    booking = Booking.objects.get()
    assert (booking.member, booking.site, booking.period) == (member, site, "am")
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:detail", kwargs={"pk": booking.pk})
    page = signed_in.get(response["Location"])
    assert booking.resource.name in page.content.decode()
    assert "Your booking on 2 March 2027, 08:30 is confirmed." in page.content.decode()


def test_booking_a_chosen_desk(signed_in, site):
    desk = Resource.objects.filter(site=site, kind="desk").order_by("name").last()
    book(signed_in, site="murat", date=DAY.isoformat(), period="day", kind="desk", resource=desk.pk)
    assert Booking.objects.get().resource == desk


def test_booking_a_room_for_hours(signed_in, site):
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = book(
        signed_in,
        site="murat",
        date=DAY.isoformat(),
        kind="meeting_room",
        resource=room.pk,
        start_hour=14,
        hours=2,
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert (booking.resource, booking.start, booking.end) == (room, at(DAY, 14), at(DAY, 16))


def test_a_refused_booking_shows_the_reason_on_its_field(signed_in, site):
    ClosureFactory(site=site, start_date=DAY, end_date=DAY, reason="works")
    response = book(signed_in, site="murat", date=DAY.isoformat(), period="am", kind="desk")
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    assert errors(response) == {"date": ["closed"]}
    html = response.content.decode()
    assert "is closed on" in html
    assert 'id="id_date_error"' in html and 'aria-describedby="id_date_error"' in html


def test_a_refused_room_booking_shows_the_reason_on_the_hour(signed_in, site):
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = book(
        signed_in,
        site="murat",
        date=DAY.isoformat(),
        kind="meeting_room",
        resource=room.pk,
        start_hour=11,
        hours=2,
    )
    assert errors(response) == {"start_hour": ["hours_closed"]}
    assert Booking.objects.count() == 0


def test_the_room_form_offers_only_the_hours_it_can_be_booked(signed_in, site):
    """The site opens 8:30–12:30 and 13:30–18:00: hours 9 to 11 and 14 to 17 start a
    bookable hour, and at most 4 hours run on; 12:00 is not offered, nor 5 hours."""
    room = Resource.objects.get(site=site, kind="meeting_room")
    page = signed_in.get(
        reverse("booking:book"), {"site": "murat", "date": DAY.isoformat(), "resource": room.pk}
    )
    form = page.context["form"]
    assert [h for h, _label in form.fields["start_hour"].choices if h != ""] == [
        9,
        10,
        11,
        14,
        15,
        16,
        17,
    ]
    assert [n for n, _label in form.fields["hours"].choices if n != ""] == [1, 2, 3, 4]
    response = book(
        signed_in,
        site="murat",
        date=DAY.isoformat(),
        kind="meeting_room",
        resource=room.pk,
        start_hour=12,
        hours=1,
    )
    assert errors(response) == {"start_hour": ["invalid_choice"]}
    assert Booking.objects.count() == 0


def test_the_daily_limit_is_shown_without_booking(signed_in, member, site):
    BookingPolicy.objects.create(network=site.network, max_per_member_per_day=1)
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    response = book(signed_in, site="murat", date=DAY.isoformat(), period="pm", kind="desk")
    assert errors(response) == {"date": ["member_daily_limit"]}
    assert Booking.objects.count() == 1


def test_bad_booking_input_is_a_form_error_not_a_crash(signed_in, site):
    response = book(signed_in, site="nowhere", date="2027-02-30", period="am", kind="desk")
    assert response.status_code == 200
    assert set(errors(response)) == {"site", "date"}
    assert Booking.objects.count() == 0


def test_a_room_without_hours_is_asked_for_them(signed_in, site):
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = book(
        signed_in, site="murat", date=DAY.isoformat(), kind="meeting_room", resource=room.pk
    )
    assert set(errors(response)) == {"start_hour", "hours"}


def test_a_desk_of_another_site_cannot_be_chosen(signed_in, site, other_site):
    desk = Resource.objects.get(site=other_site)
    response = book(
        signed_in, site="murat", date=DAY.isoformat(), period="am", kind="desk", resource=desk.pk
    )
    assert errors(response) == {"resource": ["invalid_choice"]}
    assert Booking.objects.count() == 0


def test_just_taken_offers_the_alternatives_as_buttons(signed_in, site, other_site, member2):
    third = UserFactory()
    services.booking_create_half_day(member=member2, site=site, day=DAY, period="am", now=NOW)
    services.booking_create_half_day(member=third, site=site, day=DAY, period="am", now=NOW)
    response = book(signed_in, site="murat", date=DAY.isoformat(), period="am", kind="desk")
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "booking/taken.html"
    alternatives = response.context["alternatives"]
    assert alternatives[0]["site_slug"] == "allanche"
    assert any(
        a["site_slug"] == "murat" and a["day"] == DAY + dt.timedelta(days=1) for a in alternatives
    )
    html = response.content.decode()
    assert "Just taken" in html
    assert html.count("Book this instead") == len(alternatives)
    assert 'name="site" value="allanche"' in html
    assert Booking.objects.filter(member__email="camille@example.org").count() == 0
    # The first alternative's button books it.
    book(signed_in, site="allanche", date=DAY.isoformat(), period="am", kind="desk")
    assert Booking.objects.get(member__email="camille@example.org").site == other_site


def test_just_taken_for_a_room_offers_its_free_hours(signed_in, site, member2):
    room = Resource.objects.get(site=site, kind="meeting_room")
    services.booking_create_hours(
        member=member2, resource=room, start=at(DAY, 9), end=at(DAY, 10), now=NOW
    )
    response = book(
        signed_in,
        site="murat",
        date=DAY.isoformat(),
        kind="meeting_room",
        resource=room.pk,
        start_hour=9,
        hours=1,
    )
    assert next(t.name for t in response.templates) == "booking/taken.html"
    assert [a["hour"] for a in response.context["alternatives"]][:2] == [10, 11]
    assert 'name="start_hour" value="10"' in response.content.decode()


def test_book_by_get_shows_the_form_prefilled(signed_in, site):
    response = signed_in.get(reverse("booking:book"), {"site": "murat", "date": DAY.isoformat()})
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    assert 'value="2027-03-02"' in response.content.decode()


# --- Recurring bookings -----------------------------------------------------------------


def test_a_recurring_booking_lists_booked_and_missed_days(signed_in, member, site):
    ClosureFactory(site=site, start_date=dt.date(2027, 3, 9), end_date=dt.date(2027, 3, 9))
    response = signed_in.post(
        reverse("booking:series"),
        {
            "site": "murat",
            "kind": "desk",
            "weekdays": ["1", "3"],
            "period": "day",
            "start_date": DAY.isoformat(),
            "end_date": (DAY + dt.timedelta(days=13)).isoformat(),
        },
    )
    series = BookingSeries.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:series_detail", kwargs={"pk": series.pk})
    page = signed_in.get(response["Location"])
    rows = {r["day"]: r for r in page.context["rows"]}
    assert sorted(rows) == [
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 11),
    ]
    assert rows[dt.date(2027, 3, 9)]["bookings"] == []
    assert "is closed on" in rows[dt.date(2027, 3, 9)]["reason"]
    assert all(rows[d]["bookings"] for d in rows if d != dt.date(2027, 3, 9))
    html = page.content.decode()
    assert "Not booked" in html and "is closed on" in html
    assert "3 days booked" in html and "1 day not booked" in html
    assert Booking.objects.filter(member=member, series=series).count() == 3


def test_a_recurring_booking_without_weekdays_is_refused_on_the_field(signed_in, site):
    response = signed_in.post(
        reverse("booking:series"),
        {
            "site": "murat",
            "kind": "desk",
            "period": "day",
            "start_date": DAY.isoformat(),
            "end_date": DAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "weekdays" in errors(response)
    assert BookingSeries.objects.count() == 0
    assert "<legend>" in response.content.decode()


def test_a_recurring_booking_ending_before_it_starts_is_refused(signed_in, site):
    response = signed_in.post(
        reverse("booking:series"),
        {
            "site": "murat",
            "kind": "desk",
            "weekdays": ["1"],
            "period": "day",
            "start_date": DAY.isoformat(),
            "end_date": (DAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert errors(response) == {"end_date": ["end_before_start"]}
    assert BookingSeries.objects.count() == 0


def test_another_members_recurring_booking_is_not_found(signed_in, site, member2):
    result = services.series_create(
        member=member2,
        site=site,
        weekdays=[1],
        period="am",
        start_date=DAY,
        end_date=DAY,
        now=NOW,
    )
    response = signed_in.get(reverse("booking:series_detail", kwargs={"pk": result.series.pk}))
    assert response.status_code == 404


# --- My bookings and cancelling -----------------------------------------------------------


def test_my_bookings_lists_upcoming_and_past_with_the_cancel_deadline(signed_in, member, site):
    upcoming = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    past = services.booking_create_half_day(
        member=member,
        site=site,
        day=dt.date(2027, 2, 22),
        period="am",
        now=at(dt.date(2027, 2, 22), 7),
    )
    response = signed_in.get(reverse("booking:mine"))
    assert [b for b, _deadline, _can, _paid in response.context["upcoming"]] == [upcoming]
    assert response.context["past"] == [past]
    ((_b, deadline, can_cancel, _paid),) = response.context["upcoming"]
    assert deadline == at(DAY, 6, 30)  # 2 hours before 8:30
    assert can_cancel
    html = response.content.decode()
    assert reverse("booking:cancel", kwargs={"pk": upcoming.pk}) in html
    assert reverse("booking:cancel", kwargs={"pk": past.pk}) not in html


def test_my_bookings_does_not_show_another_members(signed_in, site, member2):
    services.booking_create_half_day(member=member2, site=site, day=DAY, period="am", now=NOW)
    response = signed_in.get(reverse("booking:mine"))
    assert response.context["upcoming"] == []
    assert response.context["past"] == []


def test_cancel_asks_then_cancels(signed_in, member, site):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    url = reverse("booking:cancel", kwargs={"pk": booking.pk})
    page = signed_in.get(url)
    assert "Yes, cancel this booking" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == "active"
    response = signed_in.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("booking:mine")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert "Your booking is cancelled." in signed_in.get(reverse("booking:mine")).content.decode()


def test_cancel_after_the_deadline_is_refused_with_the_message(client, member, site):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    with time_machine.travel(at(DAY, 7), tick=False):
        client.force_login(member)
        mine = client.get(reverse("booking:mine"))
        html = mine.content.decode()
        assert reverse("booking:cancel", kwargs={"pk": booking.pk}) not in html
        assert "No longer possible online" in html
        response = client.post(reverse("booking:cancel", kwargs={"pk": booking.pk}))
    assert response.status_code == 200
    assert "Cancellation was possible until" in response.content.decode()
    assert response.context["refusal"]
    booking.refresh_from_db()
    assert booking.status == "active"


def test_a_member_cannot_cancel_another_members_booking(signed_in, site, member2):
    booking = services.booking_create_half_day(
        member=member2, site=site, day=DAY, period="am", now=NOW
    )
    response = signed_in.post(reverse("booking:cancel", kwargs={"pk": booking.pk}))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "active"
    assert signed_in.get(reverse("booking:detail", kwargs={"pk": booking.pk})).status_code == 404


def test_a_new_calendar_address_is_shown_once_and_replaces_the_old(signed_in, member, site):
    old = calendar_token_rotate(user=member)
    response = signed_in.get(reverse("booking:mine"))
    assert response.context["feed_url"] is None
    assert old not in response.content.decode()
    assert "Generate a new address" in response.content.decode()
    response = signed_in.post(reverse("booking:calendar_rotate"))
    assert response.status_code == 200
    new = response.context["feed_url"].rsplit("/", 1)[-1].removesuffix(".ics")
    assert new != old
    page = response.content.decode()
    assert "The old address no longer works." in page
    assert new in page
    # Only its digest is kept: the secret is nowhere in the database.
    member.profile.refresh_from_db()
    assert member.profile.calendar_digest == hashlib.sha256(new.encode()).hexdigest()
    assert new not in member.profile.calendar_digest
    assert signed_in.get(reverse("booking:ical", kwargs={"token": old})).status_code == 404
    assert signed_in.get(reverse("booking:ical", kwargs={"token": new})).status_code == 200
    assert new not in signed_in.get(reverse("booking:mine")).content.decode()


def test_rotating_the_calendar_address_needs_a_post(signed_in, member):
    old = member.profile.calendar_digest
    assert signed_in.get(reverse("booking:calendar_rotate")).status_code == 405
    member.profile.refresh_from_db()
    assert member.profile.calendar_digest == old


def test_the_pages_answer_in_both_languages(signed_in, site):
    assert reverse("booking:search").startswith("/en/")
    response = search(signed_in)
    assert "Desk — free on Tuesday 2 March 2027, morning" in response.content.decode()
    with translation.override("fr"):
        url = reverse("booking:search")
    assert url == "/reserver/"
    response = signed_in.get(url, {"date": DAY.isoformat(), "period": "am", "kind": "desk"})
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "mardi 2 mars 2027" in response.content.decode()


# --- Budgets ----------------------------------------------------------------------------


def test_search_queries_do_not_grow_with_sites_resources_or_bookings(signed_in, site, member2):
    with CaptureQueriesContext(connection) as few:
        assert search(signed_in).status_code == 200
    for n in range(3):
        extra = SiteFactory(network=site.network, slug=f"extra-{n}", name=f"Extra {n}")
        open_all_week(extra)
        for m in range(3):
            ResourceFactory(site=extra, name=f"Poste {m}")
        services.booking_create_half_day(
            member=UserFactory(), site=extra, day=DAY, period="am", now=NOW
        )
    with CaptureQueriesContext(connection) as many:
        response = search(signed_in)
    assert len(response.context["results"]) == 4
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_my_bookings_queries_do_not_grow_with_bookings(signed_in, member, site, other_site):
    services.booking_create_half_day(member=member, site=site, day=DAY, period="am", now=NOW)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(reverse("booking:mine"))
    day = DAY
    for _n in range(4):
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            services.booking_create_half_day(
                member=member, site=other_site, day=day, period="pm", now=NOW
            )
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(reverse("booking:mine"))
    assert len(response.context["upcoming"]) > 2
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_every_member_page_renders_in_french(client, member, site):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    series = services.series_create(
        member=member, site=site, weekdays=[3], period="pm", start_date=DAY, end_date=DAY, now=NOW
    ).series
    client.force_login(member)
    with translation.override("fr"):
        pages = [
            reverse("booking:search"),
            reverse("booking:search") + "?date=2027-03-02&period=am&kind=meeting_room&near=",
            reverse("booking:book"),
            reverse("booking:series"),
            reverse("booking:series_detail", kwargs={"pk": series.pk}),
            reverse("booking:mine"),
            reverse("booking:detail", kwargs={"pk": booking.pk}),
            reverse("booking:cancel", kwargs={"pk": booking.pk}),
        ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        assert '<html lang="fr">' in response.content.decode(), address
