"""Every email about a booking: confirmed, moved, cancelled by the member or by a host, the
reminder; in the member's language and the network's name, HTML with a plain-text part,
never an HTML entity in the subject or the plain text."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from buron.accounts.models import MemberProfile
from buron.booking import services
from buron.booking.models import Booking
from buron.places.models import Resource

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db

ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


@pytest.fixture
def apostrophe_site(other_site):
    """A site whose name has an apostrophe (4 of the demo's 12 sites do)."""
    return other_site  # "Télécentre d'Allanche", with "Poste A"


def language(member, code):
    MemberProfile.objects.filter(user=member).update(language=code)


def assert_clean(message):
    """A plain-text part and subject without entity; an HTML part, escaped."""
    assert not ENTITY.search(message.subject), message.subject
    assert not ENTITY.search(message.body), message.body
    (html_part, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert html_part.lstrip().startswith("<!DOCTYPE html>")
    return html_part


def book(member, site, day=DAY, **kwargs):
    return services.booking_create_half_day(
        member=member, site=site, day=day, period="am", now=NOW, **kwargs
    )


@pytest.mark.parametrize(
    ("code", "subject", "words"),
    [
        ("fr", "Réservation confirmée\u00a0: Télécentre d'Allanche", "Bonjour Camille"),
        ("en", "Your booking at Télécentre d'Allanche is confirmed", "Hello Camille"),
    ],
)
def test_the_confirmation_in_each_language_with_apostrophes_intact(
    apostrophe_site, member, django_capture_on_commit_callbacks, code, subject, words
):
    language(member, code)
    with django_capture_on_commit_callbacks(execute=True):
        book(member, apostrophe_site)
    (message,) = mail.outbox
    assert message.subject == subject
    assert words in message.body and "Télécentre d'Allanche" in message.body
    assert "08:30–12:30" in message.body
    day = "mardi 2 mars 2027" if code == "fr" else "Tuesday 2 March 2027"
    assert day in message.body
    html_part = assert_clean(message)
    assert "Télécentre d&#x27;Allanche" in html_part  # escaped in HTML, as it must be
    assert html.unescape(html_part).count("Télécentre d'Allanche") == 1
    assert message.from_email.startswith(apostrophe_site.network.name)
    assert "127.0.0.1:8000 !" not in message.body


def test_french_emails_put_a_non_breaking_space_before_colons_and_write_1er(
    site, member, django_capture_on_commit_callbacks
):
    language(member, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        book(member, site, day=dt.date(2027, 3, 1))
    body = mail.outbox[0].body
    assert "lundi 1er mars 2027" in body
    assert "confirmée\u00a0:" in body
    assert not re.search(r"\w [:;!?]", body), body


def test_english_emails_write_1_march(site, member, django_capture_on_commit_callbacks):
    language(member, "en")
    with django_capture_on_commit_callbacks(execute=True):
        book(member, site, day=dt.date(2027, 3, 1))
    assert "Monday 1 March 2027, 08:30–12:30" in mail.outbox[0].body


def test_a_member_who_turned_confirmations_off_gets_none_but_a_host_s_booking_is_told(
    site, member, host, django_capture_on_commit_callbacks
):
    MemberProfile.objects.filter(user=member).update(email_confirmations=False)
    with django_capture_on_commit_callbacks(execute=True):
        book(member, site)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        book(member, site, day=DAY + dt.timedelta(days=1), booked_by=host)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("code", "subject", "words"),
    [
        ("fr", "Votre réservation à Télécentre d'Allanche est annulée", "Vous avez annulé"),
        ("en", "Your booking at Télécentre d'Allanche is cancelled", "You cancelled"),
    ],
)
def test_the_member_s_own_cancellation_is_confirmed(
    apostrophe_site, member, django_capture_on_commit_callbacks, code, subject, words
):
    language(member, code)
    booking = book(member, apostrophe_site, notify=False)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=member)
    (message,) = mail.outbox
    assert message.subject == subject
    assert words in message.body and "Poste A" in message.body
    assert_clean(message)


def test_a_member_who_turned_confirmations_off_gets_no_cancellation_email(
    site, member, django_capture_on_commit_callbacks
):
    MemberProfile.objects.filter(user=member).update(email_confirmations=False)
    booking = book(member, site, notify=False)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=member)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("code", "subject", "words"),
    [
        ("fr", "Votre réservation à Télécentre de Murat est annulée par le lieu", "Désolés"),
        ("en", "Your booking at Télécentre de Murat is cancelled by the site", "Sorry"),
    ],
)
def test_a_host_s_cancellation_is_always_told(
    site, member, host, django_capture_on_commit_callbacks, code, subject, words
):
    language(member, code)
    MemberProfile.objects.filter(user=member).update(
        email_confirmations=False, email_reminders=False
    )
    booking = book(member, site, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=host)
    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == subject
    assert words in message.body
    assert_clean(message)


@pytest.mark.parametrize(
    ("code", "subject", "words"),
    [
        ("fr", "Votre réservation à Télécentre de Murat est déplacée", "de Poste 1 vers Poste 2"),
        ("en", "Your booking at Télécentre de Murat is moved", "from Poste 1 to Desk two"),
    ],
)
def test_a_move_tells_the_member_where_they_now_sit(
    site, member, host, django_capture_on_commit_callbacks, code, subject, words
):
    language(member, code)
    Resource.objects.filter(site=site, name="Poste 2").update(name_en="Desk two")
    booking = book(member, site, resource=Resource.objects.get(site=site, name="Poste 1"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.booking_move(
            booking=booking, to=Resource.objects.get(site=site, name="Poste 2"), by=host
        )
    (message,) = mail.outbox
    assert message.subject == subject
    assert words in message.body
    assert_clean(message)
    booking.refresh_from_db()
    assert booking.moved_to == moved


def test_the_member_s_history_says_moved_and_to_what_not_cancelled(
    client, site, member, host, django_capture_on_commit_callbacks
):
    booking = book(member, site, resource=Resource.objects.get(site=site, name="Poste 1"))
    moved = services.booking_move(
        booking=booking, to=Resource.objects.get(site=site, name="Poste 2"), by=host
    )
    with time_machine.travel(NOW, tick=False):
        client.force_login(member)
        response = client.get(reverse("booking:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    past = page.split('id="past-title"')[1]
    assert "Déplacée vers Poste 2" in past
    assert reverse("booking:detail", kwargs={"pk": moved.pk}) in past
    assert "Annulée" not in past
    with time_machine.travel(NOW, tick=False):
        detail = client.get(reverse("booking:detail", kwargs={"pk": booking.pk})).content.decode()
    assert "Déplacée vers Poste 2" in detail


def test_the_reminder_lists_tomorrow_s_bookings_for_members_who_want_it(
    site, other_site, member, member2, django_capture_on_commit_callbacks
):
    language(member, "en")
    book(member, site, notify=False)
    services.booking_create_half_day(
        member=member, site=other_site, day=DAY, period="pm", now=NOW, notify=False
    )
    cancelled = services.booking_create_half_day(
        member=member,
        site=site,
        day=DAY + dt.timedelta(days=1),
        period="am",
        now=NOW,
        notify=False,
    )
    book(member2, site, notify=False)
    MemberProfile.objects.filter(user=member2).update(email_reminders=False)
    with time_machine.travel(NOW, tick=False):
        services.booking_cancel(booking=cancelled, by=member)
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2027, 3, 1, 17, 0, tzinfo=NOW.tzinfo), tick=False):
        call_command("booking_reminders", stdout=io.StringIO())
    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Your bookings on Tuesday 2 March"
    assert message.body.count("Tuesday 2 March 2027") == 2
    assert "Télécentre d'Allanche" in message.body and "Wednesday" not in message.body
    assert reverse("accounts:emails") in message.body
    assert_clean(message)


def test_a_cancelled_booking_of_a_closed_account_sends_nothing(
    site, member, host, django_capture_on_commit_callbacks
):
    booking = book(member, site, notify=False)
    Booking.objects.filter(pk=booking.pk).update(member=None)
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=host)
    assert mail.outbox == []
