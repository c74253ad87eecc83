"""Check-in by the host, by the QR code, walk-ins; what a visit keeps; the poster; and
tenancy: a host never sees another site's arrivals."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from buron.accounts.models import StatusPeriod
from buron.accounts.services import member_status_change
from buron.attendance import services
from buron.attendance.models import AttendanceSettings, Visit
from buron.core.geo import distance_km

from .conftest import DAY, allanche, at, aurillac, book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def morning():
    with time_machine.travel(at(DAY, 9, 5), tick=False):
        yield


def point_url(site) -> str:
    token = services.checkin_point_ensure(site=site).token
    return reverse("attendance:checkin", kwargs={"token": token})


# --- What a visit keeps ------------------------------------------------------------------


def test_the_commute_avoided_is_the_round_trip_to_work_less_the_one_to_the_site(site, member):
    # Allanche → Aurillac 50.797 km, Allanche → Murat 14.124 km in straight line (haversine
    # between town halls, checked against geo.distance_km); round trip × road factor 1.3:
    # 2 × (50.797 − 14.124) × 1.3 = 95.35 → 95.4 km; × 0.218 kg/km = 20.797 kg.
    home, work = allanche(), aurillac()
    assert round(distance_km(home.latitude, home.longitude, work.latitude, work.longitude), 3) == (
        50.797
    )
    commute = services.commute_avoided(
        settings=AttendanceSettings(network=site.network), site=site, home=home, work=work
    )
    assert commute.km_avoided == Decimal("95.4")
    assert commute.co2_kg_avoided == Decimal("20.797")
    assert commute.co2_kg_per_km == Decimal("0.218")


def test_without_a_workplace_the_reference_town_counts_and_without_one_nothing(site):
    settings = AttendanceSettings(network=site.network)
    home = allanche()
    assert services.commute_avoided(settings=settings, site=site, home=home, work=None) == (
        services.Commute(None, None, None)
    )
    settings.reference_commune = aurillac()
    settings.co2_kg_per_km = Decimal("0.1")
    assert services.commute_avoided(
        settings=settings, site=site, home=home, work=None
    ).co2_kg_avoided == Decimal("9.540")
    # Someone who works in their own town drives more to come here: counted as nothing.
    assert services.commute_avoided(
        settings=settings, site=site, home=aurillac(), work=aurillac()
    ).km_avoided == Decimal("0.0")
    assert (
        services.commute_avoided(settings=settings, site=site, home=None, work=home).km_avoided
        is None
    )


def test_a_visit_keeps_the_status_of_its_day_not_todays(site, member, host, client):
    booking = book(member, site)
    # From the day after, the member is a salaried remote worker: the visit stays freelance.
    StatusPeriod.objects.create(
        user=member,
        status="salaried_remote",
        employer_name="Acme",
        valid_from=DAY + dt.timedelta(days=1),
    )
    with time_machine.travel(at(DAY + dt.timedelta(days=2), 9), tick=False):
        result = services.visit_checkin(
            site=site,
            member=member,
            arrived_at=at(DAY, 9, 5),
            client_uuid=uuid.uuid4(),
            source="host",
            by=host,
        )
    visit = result.visit
    assert visit.visitor_status == "freelancer"
    assert visit.booking == booking
    assert visit.day == DAY
    assert (visit.home_commune.insee_code, visit.work_commune.insee_code) == ("15001", "15014")
    assert visit.km_avoided == Decimal("95.4")
    assert visit.co2_kg_avoided == Decimal("20.797")
    # A correction of the status history reaches the visit of that day.
    member_status_change(
        user=member, status="job_seeker", employer_name="", valid_from=DAY - dt.timedelta(days=1)
    )
    visit.refresh_from_db()
    assert visit.visitor_status == "job_seeker"


# --- The host ------------------------------------------------------------------------------


def test_the_host_checks_in_a_booked_member_from_todays_arrivals(
    site, member, host, client, morning
):
    booking = book(member, site)
    client.force_login(host)
    page = client.get(reverse("attendance:arrivals", kwargs={"slug": "murat"}))
    assert page.status_code == 200
    assert "Check in Camille" in page.content.decode()
    key = str(uuid.uuid4())
    url = reverse("attendance:host_checkin", kwargs={"slug": "murat"})
    response = client.post(url, {"booking": booking.pk, "client_uuid": key})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.member, visit.booking, visit.source, visit.recorded_by) == (
        member,
        booking,
        "host",
        host,
    )
    assert visit.arrived_at == at(DAY, 9, 5)
    # The same form posted again, or another click: still one visit.
    client.post(url, {"booking": booking.pk, "client_uuid": key})
    client.post(url, {"booking": booking.pk, "client_uuid": str(uuid.uuid4())})
    assert Visit.objects.count() == 1
    page = client.get(reverse("attendance:arrivals", kwargs={"slug": "murat"}))
    assert "Arrived at 09:05" in page.content.decode()


def test_the_host_records_a_walk_in_without_an_account(site, host, client, morning):
    allanche()
    aurillac()
    client.force_login(host)
    url = reverse("attendance:walk_in", kwargs={"slug": "murat"})
    assert client.get(url).status_code == 200
    key = str(uuid.uuid4())
    # Refused field by field; nothing written.
    response = client.post(url, {"status": "astronaut", "commune": "Nowhere", "client_uuid": key})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"status", "commune"}
    assert Visit.objects.count() == 0
    data = {"status": "salaried_remote", "commune": "15001", "work_commune": "15014"}
    response = client.post(url, {**data, "client_uuid": key})
    assert response.status_code == 302
    client.post(url, {**data, "client_uuid": key})  # posted twice: counted once
    visit = Visit.objects.get()
    assert visit.member is None and visit.source == "walk_in"
    assert visit.visitor_status == "salaried_remote"
    assert visit.home_commune.insee_code == "15001"
    assert visit.km_avoided == Decimal("95.4")
    page = client.get(reverse("attendance:arrivals", kwargs={"slug": "murat"}))
    assert "Walk-in" in page.content.decode()
    # Today's commuting avoided, with the factor, its source and year.
    assert "95.4 km by road and 20.797 kg of CO2" in page.content.decode()
    assert "0.218 kg of CO2 per km (ADEME, Base Empreinte" in page.content.decode()
    assert "2024" in page.content.decode()


def test_the_host_page_links_from_the_plan(site, host, client, morning):
    client.force_login(host)
    plan = client.get(reverse("booking:manage_site", kwargs={"slug": "murat"}))
    assert reverse("attendance:arrivals", kwargs={"slug": "murat"}) in plan.content.decode()


def test_a_host_never_sees_nor_checks_in_at_another_site(
    site, other_site, foreign_site, member, host, client, morning
):
    booking_elsewhere = book(member, other_site)
    client.force_login(host)
    for slug in ("allanche", "mende", "nowhere"):
        for name in ("arrivals", "walk_in", "poster"):
            assert client.get(reverse(f"attendance:{name}", kwargs={"slug": slug})).status_code == (
                404
            )
    # A booking of another site through this host's own site: 404, nothing written.
    response = client.post(
        reverse("attendance:host_checkin", kwargs={"slug": "murat"}),
        {"booking": booking_elsewhere.pk, "client_uuid": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("attendance:host_checkin", kwargs={"slug": "allanche"}),
        {"booking": booking_elsewhere.pk, "client_uuid": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    assert Visit.objects.count() == 0
    # A plain member manages no site; the arrivals of this host's site don't list others.
    client.force_login(member)
    assert client.get(reverse("attendance:arrivals", kwargs={"slug": "murat"})).status_code == 404
    client.force_login(host)
    page = client.get(reverse("attendance:arrivals", kwargs={"slug": "murat"})).content.decode()
    assert "Camille" not in page


def test_an_anonymous_visitor_is_sent_to_sign_in(site, client):
    for url in (
        reverse("attendance:arrivals", kwargs={"slug": "murat"}),
        point_url(site),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_poster_is_a_pdf_with_the_sites_check_in_address(site, host, client):
    client.force_login(host)
    response = client.get(reverse("attendance:poster", kwargs={"slug": "murat"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Télécentre de Murat" in text
    assert point_url(site) in text.replace("\n", "")


# --- The member, with the QR code ----------------------------------------------------------


def test_a_member_checks_in_with_the_qr_code_without_javascript(site, member, client, morning):
    booking = book(member, site)
    client.force_login(member)
    url = point_url(site)
    page = client.get(url)
    assert page.status_code == 200
    assert 'src="/static/attendance/checkin.js"' in page.content.decode()
    assert "<script>" not in page.content.decode()  # no inline script
    key = page.context["form"]["client_uuid"].value()
    response = client.post(url, {"client_uuid": key})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.member, visit.booking, visit.source) == (member, booking, "qr")
    assert visit.arrived_at == at(DAY, 9, 5)
    assert "You are checked in today" in client.get(url).content.decode()


def test_an_offline_check_in_keeps_its_time_and_counts_once(site, member, client):
    book(member, site)
    url = point_url(site)
    key = str(uuid.uuid4())
    body = {"client_uuid": key, "arrived_at": "2027-03-02T08:10:00Z"}  # 9:10 in Paris
    with time_machine.travel(at(DAY, 11), tick=False):
        client.force_login(member)
        first = client.post(url, body, HTTP_ACCEPT="application/json")
        again = client.post(url, body, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["arrived_at"] == again.json()["arrived_at"]
    visit = Visit.objects.get()
    assert visit.arrived_at == at(DAY, 9, 10)


def test_a_member_counts_once_a_day_and_keeps_the_earliest_arrival(site, member, client):
    url = point_url(site)
    with time_machine.travel(at(DAY, 14), tick=False):
        client.force_login(member)
        client.post(url, {"client_uuid": str(uuid.uuid4())})
        # The morning's check-in, made offline, arrives after the afternoon's.
        late = client.post(
            url,
            {"client_uuid": str(uuid.uuid4()), "arrived_at": "2027-03-02T09:30:00+01:00"},
            HTTP_ACCEPT="application/json",
        )
    assert late.status_code == 200
    visit = Visit.objects.get()
    assert visit.arrived_at == at(DAY, 9, 30)
    assert visit.booking is None  # no booking: a visit all the same


def test_check_ins_in_the_future_too_old_or_malformed_are_refused(site, member, client):
    url = point_url(site)
    with time_machine.travel(at(DAY, 9), tick=False):
        client.force_login(member)
        for arrived_at, message in (
            ("2027-03-02T10:00:00+01:00", "cannot be in the future"),
            ("2027-02-20T10:00:00+01:00", "more than 3 days old"),
            ("yesterday", "is not a date and time"),
            ("2027-03-02T08:00:00", "offset"),
        ):
            response = client.post(
                url,
                {"client_uuid": str(uuid.uuid4()), "arrived_at": arrived_at},
                HTTP_ACCEPT="application/json",
            )
            assert response.status_code == 422, arrived_at
            assert message in response.json()["errors"]["arrived_at"][0]
        response = client.post(url, {"client_uuid": "not-a-uuid"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 422 and "client_uuid" in response.json()["errors"]
        # Without JavaScript, the page says why.
        response = client.post(
            url, {"client_uuid": str(uuid.uuid4()), "arrived_at": "2027-03-02T10:00:00+01:00"}
        )
        assert response.status_code == 422
        assert "cannot be in the future" in response.content.decode()
    assert Visit.objects.count() == 0


def test_a_uuid_used_for_another_check_in_is_refused(site, member, member2, client):
    key = str(uuid.uuid4())
    with time_machine.travel(at(DAY, 9), tick=False):
        client.force_login(member)
        assert client.post(point_url(site), {"client_uuid": key}).status_code == 302
        client.force_login(member2)
        response = client.post(
            point_url(site), {"client_uuid": key}, HTTP_ACCEPT="application/json"
        )
    assert response.status_code == 422
    assert Visit.objects.get().member == member


def test_an_unknown_or_renewed_code_is_not_found(site, member, client, morning):
    client.force_login(member)
    old = point_url(site)
    services.checkin_point_renew(site=site)
    assert client.get(old).status_code == 404
    assert client.get("/pointage/nothing-here/").status_code == 404
    site.is_published = False
    site.save()
    assert client.get(point_url(site)).status_code == 404


def test_a_member_gives_their_workplace_in_their_profile_and_visits_use_it(site, member, client):
    from buron.accounts.models import MemberProfile

    allanche()
    aurillac()
    MemberProfile.objects.filter(user=member).update(work_commune=None)
    with time_machine.travel(at(DAY, 9), tick=False):
        client.force_login(member)
        form = {"first_name": "Camille", "last_name": "Martin", "commune": "15001", "phone": ""}
        response = client.post(reverse("accounts:profile"), {**form, "work_commune": "Nowhere"})
        assert response.status_code == 200 and "work_commune" in response.context["form"].errors
        response = client.post(reverse("accounts:profile"), {**form, "work_commune": "15014"})
        assert response.status_code == 302
        assert client.get(reverse("accounts:profile")).context["form"].initial["work_commune"] == (
            "Aurillac (15000)"
        )
        client.post(point_url(site), {"client_uuid": str(uuid.uuid4())})
    assert Visit.objects.get().km_avoided == Decimal("95.4")
