"""Training pages: public programme pages and sitemap, enrolment, advisers, admin."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.test import Client

from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.booking.models import Booking, BookingKind
from buron.places.tests.factories import NetworkFactory
from buron.training import services
from buron.training.models import Adviser, Enrolment, Funding, Programme, Session

from .conftest import DAY, DEADLINE, NOW, PARIS

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_programme_page_shows_everything_and_its_sessions(client: Client, session, at_now):
    response = client.get("/formations/teletravail-bases/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Télétravailler : les bases",
        "Organiser son travail à distance.",
        "Savoir utiliser un ordinateur.",
        "Demandeurs d&#x27;emploi",
        "Ateliers pratiques.",
        "Quiz final.",
        "Théo Formateur",
        "350",
        "84150000015",
        "Salle de plain-pied.",
        "Référent handicap",
        "Télécentre de Murat",
        "3 places",
    ):
        assert text in page, text
    english = client.get("/en/formations/teletravail-bases/")
    assert english.status_code == 200
    assert "Upcoming sessions" in english.content.decode()


def test_the_list_shows_published_programmes_only(client: Client, programme, at_now):
    Programme.objects.filter(pk=programme.pk).update(is_published=False)
    assert "Télétravailler" not in client.get("/formations/").content.decode()
    Programme.objects.filter(pk=programme.pk).update(is_published=True)
    assert "Télétravailler" in client.get("/formations/").content.decode()
    assert client.get("/formations/inconnu/").status_code == 404


def test_programmes_are_in_the_sitemap(client: Client, programme):
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own sitemap
    locations = {loc.text for loc in root.findall("s:url/s:loc", NS)}
    assert {
        "http://testserver/formations/",
        "http://testserver/formations/teletravail-bases/",
        "http://testserver/en/formations/teletravail-bases/",
    } <= locations


def test_a_learner_enrols_from_the_page(client: Client, session, at_now):
    learner = UserFactory()
    client.force_login(learner)
    response = client.post(f"/formations/sessions/{session.pk}/inscription/")
    assert response.status_code == 302
    assert Enrolment.objects.get().learner == learner
    mine = client.get("/formations/mes-formations/").content.decode()
    assert "Télétravailler" in mine


def test_enrolling_needs_a_login_and_a_post(client: Client, session, at_now):
    response = client.post(f"/formations/sessions/{session.pk}/inscription/")
    assert response.status_code == 302 and "/compte/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(f"/formations/sessions/{session.pk}/inscription/").status_code == 405
    assert not Enrolment.objects.exists()


def test_after_the_deadline_the_page_refuses_the_enrolment(client: Client, session):
    with time_machine.travel(DEADLINE, tick=False):
        client.force_login(UserFactory())
        response = client.post(f"/formations/sessions/{session.pk}/inscription/", follow=True)
    assert not Enrolment.objects.exists()
    assert "Registration is closed." in response.content.decode() or (
        "Les inscriptions sont closes" in response.content.decode()
    )


def test_an_adviser_enrols_a_job_seeker_from_their_page(
    client: Client, session, adviser, france_travail, at_now
):
    client.force_login(adviser)
    assert client.get("/formations/conseiller/").status_code == 200
    response = client.post(
        "/formations/conseiller/",
        {
            "session": session.pk,
            "organisation": france_travail.pk,
            "email": "jean@example.org",
            "first_name": "Jean",
            "last_name": "Dupont",
            "france_travail_id": "1234567A",
            "funding": Funding.AIF,
            "funder": france_travail.pk,
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.learner.email == "jean@example.org"
    page = client.get("/formations/conseiller/").content.decode()
    assert "Jean Dupont" in page and "1234567A" in page


def test_an_adviser_does_not_see_learners_of_another_organisation(
    client: Client, session, site, adviser, france_travail, at_now
):
    other = UserFactory(first_name="Secret", last_name="Learner")
    enrolment = services.enrolment_create(session=session, learner=other, by=other, now=NOW)
    client.force_login(adviser)
    assert "Secret" not in client.get("/formations/conseiller/").content.decode()
    assert client.get(f"/formations/inscriptions/{enrolment.pk}/certificat/").status_code == 404


def test_someone_who_is_not_an_adviser_is_refused_the_adviser_page(client: Client, session):
    client.force_login(UserFactory())
    assert client.get("/formations/conseiller/").status_code == 403


def test_a_bad_adviser_form_changes_nothing(
    client: Client, session, adviser, france_travail, at_now
):
    client.force_login(adviser)
    response = client.post(
        "/formations/conseiller/",
        {
            "session": session.pk,
            "organisation": france_travail.pk,
            "email": "jean@example.org",
            "first_name": "Jean",
            "last_name": "Dupont",
            "france_travail_id": "XX",
            "funding": Funding.AIF,
            "funder": france_travail.pk,
        },
    )
    assert response.status_code == 422
    assert not Enrolment.objects.exists()


def test_the_network_admin_schedules_a_session_in_the_admin(
    client: Client, programme, site, room, admin, trainer, at_now
):
    admin.is_staff = True
    admin.save()
    totp_enrol(admin)
    client.force_login(admin)
    data = {
        "programme": programme.pk,
        "site": site.pk,
        "room": room.pk,
        "trainer_email": trainer.email,
        "half_days": "2027-03-02 am 09:00 12:30\n2027-03-02 pm 13:30 17:00",
        "capacity": 6,
        "minimum": 3,
        "registration_deadline_0": "26/02/2027",
        "registration_deadline_1": "18:00:00",
        "what_to_bring": "Un ordinateur",
    }
    response = client.post("/admin/training/session/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Session.objects.get()
    assert session.half_days.count() == 2
    assert session.registration_deadline == dt.datetime(2027, 2, 26, 18, tzinfo=PARIS)
    assert Booking.objects.filter(resource=room, kind=BookingKind.BLOCK).count() == 1
    # The same half-days again: the room is taken, nothing is written.
    response = client.post("/admin/training/session/add/", data)
    assert response.status_code == 200
    assert Session.objects.count() == 1


def test_another_networks_admin_sees_no_session(client: Client, session, at_now):
    stranger = UserFactory(is_staff=True)
    StaffRoleFactory(user=stranger, network=NetworkFactory(slug="autre"), role="network_admin")
    totp_enrol(stranger)
    client.force_login(stranger)
    response = client.get("/admin/training/session/")
    assert response.status_code == 200
    assert "Télétravailler" not in response.content.decode()
    assert client.get(f"/admin/training/session/{session.pk}/change/").status_code == 302
    assert "Télétravailler" not in client.get("/admin/training/programme/").content.decode()


def test_day_is_a_tuesday():
    assert DAY.weekday() == 1
    assert Adviser  # the adviser model is exercised through fixtures


def test_the_session_shows_on_the_hosts_plan(client: Client, session, site, at_now):
    host = UserFactory(is_staff=True)
    StaffRoleFactory(user=host, network=site.network, role="site_host", site=site)
    client.force_login(host)
    page = client.get(f"/gestion/murat/?date={DAY:%Y-%m-%d}").content.decode()
    assert "Formation : Télétravailler : les bases" in page
