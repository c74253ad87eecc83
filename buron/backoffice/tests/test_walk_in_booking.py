"""A host books at the desk for a person without an account: their light member record and
the booking in one step; the invitation to claim the account; the refusals, which write
nothing."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from buron.accounts.light import PLACEHOLDER_DOMAIN, is_light_member
from buron.accounts.models import MemberProfile, StatusPeriod, User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory
from buron.booking.models import Booking
from buron.booking.tests.conftest import DAY, NOW, at
from buron.places.models import Resource
from buron.places.tests.factories import CommuneFactory, ResourceFactory, SiteFactory, open_all_week

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def murat_commune():
    return CommuneFactory()


@pytest.fixture
def site(db):
    site = SiteFactory(slug="murat", name="Télécentre de Murat")
    open_all_week(site)
    ResourceFactory(site=site, name="Poste 1")
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=8, booking_unit="hour")
    return site


@pytest.fixture
def host(site, client):
    user = StaffRoleFactory(site=site, user__email="host.murat@example.org").user
    client.force_login(user)
    return user


def url(slug="murat"):
    return reverse("backoffice:walk_in", args=[slug])


PERSON = {
    "first_name": "Lou",
    "last_name": "Vergne",
    "status": "freelancer",
    "commune": "15138",
    "date": "2027-03-02",
    "period": "am",
}


def post(client, **changes):
    data = {**PERSON, **changes}
    return client.post(url(), {k: v for k, v in data.items() if v is not None})


def nothing_written():
    return not Booking.objects.exists() and not User.objects.filter(last_name="Vergne").exists()


def test_a_host_books_for_a_walk_in_without_email(
    client, host, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("booking:manage_site", args=["murat"]))
    booking = Booking.objects.get()
    person = booking.member
    assert (person.first_name, person.last_name, booking.booked_by, booking.period) == (
        "Lou",
        "Vergne",
        host,
        "am",
    )
    assert person.email.endswith("@" + PLACEHOLDER_DOMAIN)
    assert is_light_member(person) and not person.has_usable_password()
    assert StatusPeriod.objects.get(user=person).status == "freelancer"
    assert MemberProfile.objects.get(user=person).commune.insee_code == "15138"
    # Nothing is sent to a placeholder address (nor the booking's confirmation).
    assert mail.outbox == []
    page = client.get(response["Location"]).content.decode()
    assert "Booked Poste 1 for Lou Vergne." in page


@pytest.mark.parametrize(
    ("page", "chosen", "subject", "link"),
    [
        ("fr", None, "choisissez votre mot de passe", "/compte/password/reset/key/"),
        ("fr", "en", "choose your password", "/en/compte/password/reset/key/"),
        ("en", "fr", "choisissez votre mot de passe", "/compte/password/reset/key/"),
    ],
    ids=["the page's language", "English chosen on the French page", "French on the English"],
)
def test_the_walk_ins_emails_speak_the_language_chosen_for_them(
    client, host, site, django_capture_on_commit_callbacks, page, chosen, subject, link
):
    with translation.override(page), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(),
            {**PERSON, "email": "lou@example.org", **({"language": chosen} if chosen else {})},
        )
    assert response.status_code == 302
    person = User.objects.get(email="lou@example.org")
    language = chosen or page
    assert MemberProfile.objects.get(user=person).language == language
    (invitation,) = [
        m for m in mail.outbox if "mot de passe" in m.subject or "password" in m.subject
    ]
    assert subject in invitation.subject
    # The link opens the page to choose a password in their language too.
    assert re.search(r"https?://[^/\s]+" + re.escape(link), invitation.body), invitation.body
    # The booking's confirmation too: their language, whatever the host's page.
    (confirmation,) = [m for m in mail.outbox if m is not invitation]
    assert ("Your booking" in confirmation.subject) == (language == "en"), confirmation.subject


def test_a_language_not_offered_is_refused_and_nothing_is_written(client, host, site):
    response = post(client, email="lou@example.org", language="de")
    assert response.status_code == 422
    assert "language" in response.context["form"].errors
    assert nothing_written()


def test_a_walk_in_with_an_email_is_invited_to_claim_the_account(
    client, host, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, email="Lou@Example.org")
    assert response.status_code == 302
    person = User.objects.get(email="lou@example.org")
    invitations = [m for m in mail.outbox if "choose your password" in m.subject]
    assert len(invitations) == 1
    (invitation,) = invitations
    assert invitation.to == ["lou@example.org"]
    assert "&#x27;" not in invitation.body and "&amp;" not in invitation.body
    link = re.search(r"https?://\S+/password/reset/key/\S+/", invitation.body)
    assert link is not None
    # The link is allauth's password reset: the person chooses a password and signs in.
    client.logout()
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else "/" + path
    done = client.post(
        form_url, {"password1": "a long new secret 42", "password2": "a long new secret 42"}
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.has_usable_password() and person.check_password("a long new secret 42")
    assert not is_light_member(person)
    # The link works once.
    assert "password1" not in client.get("/" + path, follow=True).content.decode()


def test_a_room_is_booked_by_the_hour_for_a_walk_in(client, host, site):
    room = Resource.objects.get(site=site, kind="meeting_room")
    response = post(client, period=None, resource=room.pk, start_hour="14", hours="2")
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.resource, booking.start, booking.end) == (room, at(DAY, 14), at(DAY, 16))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"status": ""}, "status", "Choose the person's status."),
        ({"status": "astronaut"}, "status", "Select a valid choice."),
        ({"commune": ""}, "commune", "Give the person's commune of residence."),
        ({"commune": "Atlantis"}, "commune", "No commune matches"),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"status": "salaried_remote"}, "employer_name", "names their employer"),
        ({"date": "2020-01-01"}, None, ""),
    ],
)
def test_refusals_write_nothing(client, host, site, changes, field, message):
    response = post(client, **changes)
    assert response.status_code == 422
    form = response.context["form"]
    errors = form.errors.get(field if field else "__all__") or form.errors
    assert errors
    if message:
        assert any(message in str(e) for e in errors), form.errors
    assert nothing_written()


def test_a_refused_booking_keeps_no_light_member(client, host, site):
    # Closed on Sundays (open_all_week opens Monday to Friday): the booking is refused, so
    # the person created in the same step is not kept either.
    response = post(client, date="2027-03-07")
    assert response.status_code == 422
    assert nothing_written()


def test_an_email_a_member_uses_offers_to_book_for_that_member(client, host, site):
    member = UserFactory(email="camille@example.org", first_name="Camille", last_name="Roche")
    response = post(client, email="CAMILLE@example.org")
    assert response.status_code == 422
    assert "A member already uses this address" in str(response.context["form"].errors["email"])
    page = response.content.decode()
    assert 'name="for_member"' in page
    assert "Roche" not in page  # the member's name is not revealed
    assert nothing_written() and User.objects.count() == 2
    # The host chooses to book for that member: their record stays as it is.
    response = post(
        client, email="camille@example.org", for_member="1", last_name="", status="", commune=""
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.member == member and booking.booked_by == host
    assert User.objects.count() == 2


def test_booking_for_a_member_needs_an_address_a_member_uses(client, host, site):
    response = post(client, email="nobody@example.org", for_member="1")
    assert response.status_code == 422
    assert "No active member account" in str(response.context["form"].errors["email"])
    assert not Booking.objects.exists()


def test_a_host_cannot_book_walk_ins_at_another_site(client, host, site):
    other = SiteFactory(network=site.network, slug="ydes")
    open_all_week(other)
    ResourceFactory(site=other)
    assert client.get(url("ydes")).status_code == 404
    response = client.post(url("ydes"), PERSON)
    assert response.status_code == 404
    assert nothing_written()


def test_a_check_in_without_booking_needs_no_light_member(client, host, site):
    """A walk-in checked in without a booking is an anonymous visit (attendance): no person
    is created; only a booking needs one, made here."""
    users = User.objects.count()
    response = client.post(
        reverse("attendance:walk_in", args=["murat"]),
        {
            "status": "freelancer",
            "commune": "15138",
            "client_uuid": "7d1f0c1e-0000-4000-8000-000000000001",
        },
    )
    assert response.status_code == 302
    assert User.objects.count() == users


def test_no_email_goes_to_a_placeholder_address(db):
    from buron.core.emails import Message, deliverable, email_send_now

    assert deliverable(["a@example.org", f"x@{PLACEHOLDER_DOMAIN}"]) == ["a@example.org"]
    email_send_now(
        to=[f"x@{PLACEHOLDER_DOMAIN}"], message=Message("s", "t", "<p>t</p>"), sender_name="N"
    )
    assert mail.outbox == []


def test_the_header_marks_management_as_the_current_page(client, host, site):
    header = client.get(reverse("backoffice:members")).content.decode().split("</header>")[0]
    assert f'href="{reverse("backoffice:home")}" aria-current="page"' in header


def test_only_management_is_the_current_page_on_the_operator_s_home(client, host, site):
    header = client.get(reverse("backoffice:home")).content.decode().split("</header>")[0]
    assert header.count('aria-current="page"') == 1
    assert f'href="{reverse("backoffice:home")}" aria-current="page"' in header
