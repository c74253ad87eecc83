"""The Cantal demo network: what it loads, that it says it is a demo, and that loading it
again changes nothing.

The demo loads the official communes table (about 35,000 rows) first, so it is loaded once
for the whole module, inside a transaction rolled back at the end; each test runs in a
savepoint of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from pytest_django import DjangoDbBlocker, Settings

from buron.accounts.models import MemberProfile, StaffRole, StatusPeriod, User
from buron.accounts.tests.factories import totp_enrol
from buron.core.geo import distance_km
from buron.demo import network as demo
from buron.demo.services import DemoResult, demo_load
from buron.offers.models import Offer
from buron.offers.selectors import offers_for_site_page
from buron.places.communes import COMMUNES_CSV
from buron.places.models import (
    Amenity,
    Closure,
    Commune,
    Network,
    OpeningPeriod,
    Resource,
    Site,
)
from buron.places.selectors import site_schedule

YEAR = 2027

# The towns of the Cantal network named in public records (DESIGN.md), by INSEE code.
TOWNS = {
    "15014": "Aurillac",
    "15187": "Saint-Flour",
    "15120": "Mauriac",
    "15138": "Murat",
    "15265": "Ydes",
    "15001": "Allanche",
    "15133": "Montmurat",
    "15045": "Chaudes-Aigues",
    "15029": "Cassaniouze",
    "15152": "Pierrefort",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(year=YEAR)
        transaction.set_rollback(True)


@pytest.fixture
def sites(loaded: DemoResult) -> dict[str, Site]:
    return {s.slug: s for s in Site.objects.filter(network=loaded.network)}


def _csv_rows(codes: set[str]) -> dict[str, dict[str, str]]:
    with COMMUNES_CSV.open(encoding="utf-8", newline="") as f:
        return {row["insee_code"]: row for row in csv.DictReader(f) if row["insee_code"] in codes}


def test_it_loads_ten_telecentres_in_the_towns_of_the_network(sites: dict[str, Site]) -> None:
    telecentres = [s for s in sites.values() if s.kind == "telecentre"]
    assert len(telecentres) == 10
    assert {s.insee_code: s.commune_name for s in telecentres} == TOWNS


def test_it_loads_two_annexes_of_nearby_telecentres(sites: dict[str, Site]) -> None:
    annexes = [s for s in sites.values() if s.kind == "annex"]
    assert len(annexes) == 2
    for annex in annexes:
        assert annex.parent is not None
        assert annex.parent.kind == "telecentre"
        assert annex.parent.network_id == annex.network_id
        far = distance_km(
            annex.latitude, annex.longitude, annex.parent.latitude, annex.parent.longitude
        )
        assert far < 15, f"{annex.name} is {far:.0f} km from {annex.parent.name}"
    assert sites["murat-extension"].parent == sites["murat"]


def test_every_site_is_where_the_official_communes_table_puts_its_town(
    sites: dict[str, Site],
) -> None:
    rows = _csv_rows({s.insee_code for s in sites.values()})
    for site in sites.values():
        row = rows[site.insee_code]
        assert site.commune_name == row["name"]
        assert site.postal_code == row["postal_code"]
        assert site.latitude == Decimal(row["latitude"]), site.slug
        assert site.longitude == Decimal(row["longitude"]), site.slug


def test_it_loads_about_fifty_desks_and_some_rooms(loaded: DemoResult) -> None:
    resources = Resource.objects.filter(network=loaded.network)
    desks = resources.filter(kind="desk")
    assert 45 <= desks.count() <= 60
    assert not desks.exclude(capacity=1, booking_unit="half_day").exists()
    rooms = resources.exclude(kind="desk")
    assert rooms.filter(kind="meeting_room").exists()
    assert rooms.filter(kind="visio_room").exists()
    assert loaded.resources == resources.count()
    assert loaded.sites == 12


def test_it_says_it_is_a_demo(loaded: DemoResult) -> None:
    network = Network.objects.get(pk=loaded.network.pk)
    assert network.is_demo
    assert "démo" in network.name.lower()


def test_murat_has_the_published_prices(sites: dict[str, Site]) -> None:
    shown = {
        (offer.kind, price.incl_vat)
        for offer, price in offers_for_site_page(site=sites["murat"], day=timezone.localdate())
    }
    assert {
        ("half_day_pass", Decimal("10.00")),
        ("day_pass", Decimal("20.00")),
        ("carnet", Decimal("80.00")),  # the week of 5 days
        ("subscription", Decimal("100.00")),  # one or two days a week
        ("welcome_pack", Decimal("0.00")),
    } <= shown


def test_every_demo_row_passes_its_own_validation(loaded: DemoResult) -> None:
    network = loaded.network
    network.full_clean()
    for model in (Site, Resource, Offer):
        for row in model.objects.filter(network=network):
            row.full_clean()
    for model in (OpeningPeriod, Closure):
        for row in model.objects.filter(site__network=network):
            row.full_clean()


def test_the_demo_sites_close_for_christmas_and_public_holidays(sites: dict[str, Site]) -> None:
    aurillac = sites["aurillac"]
    with override("en"):
        assert site_schedule(aurillac, dt.date(YEAR, 12, 23)).is_open  # a Thursday
        assert site_schedule(aurillac, dt.date(YEAR, 12, 24)).closed_because == (
            "Holidays — Year-end closure"
        )
        assert site_schedule(aurillac, dt.date(YEAR + 1, 1, 3)).is_open  # a Monday
        assert site_schedule(aurillac, dt.date(YEAR, 7, 14)).closed_because == (
            "Public holiday: National Day"
        )


def _dump() -> dict[str, Any]:
    """Every row the demo writes, all columns, in primary-key order."""
    tables: list[type[models.Model]] = [
        Network,
        Amenity,
        Site,
        Site.amenities.through,
        OpeningPeriod,
        Closure,
        Resource,
        Offer,
        User,
        EmailAddress,
        StaffRole,
        MemberProfile,
        StatusPeriod,
    ]
    dump: dict[str, Any] = {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in tables
    }
    dump["places.Commune"] = list(Commune.objects.order_by("pk").values_list())
    return dump


def test_loading_twice_changes_nothing(loaded: DemoResult) -> None:
    before = _dump()
    again = demo_load(year=YEAR)
    after = _dump()
    assert after.keys() == before.keys()
    for table in before:
        assert len(after[table]) == len(before[table]), table
        assert after[table] == before[table], table
    assert (again.sites, again.resources) == (loaded.sites, loaded.resources)
    assert len(before["places.Site"]) == 12
    assert len(before["places.Commune"]) > 34_000


def test_the_command_loads_the_demo_and_tells_how_to_sign_in(loaded: DemoResult) -> None:
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    assert f"{demo.ADMIN_EMAIL} / {demo.ADMIN_PASSWORD}" in out.getvalue()
    assert "12 sites" in out.getvalue()
    assert Site.objects.filter(network=loaded.network).count() == 12


def test_the_demo_admin_signs_in_to_the_admin(
    loaded: DemoResult, client: Client, settings: Settings
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.is_active
    assert client.login(email=demo.ADMIN_EMAIL, password=demo.ADMIN_PASSWORD)
    # A superuser enrols an authenticator app on the first visit, then gets in.
    first = client.get(reverse("admin:index"), secure=True)
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("mfa_activate_totp"))
    totp_enrol(admin)
    response = client.get(reverse("admin:index"), secure=True)
    assert response.status_code == 200
    assert response.context["user"] == admin
    sites_page = client.get(reverse("admin:places_site_changelist"), secure=True)
    assert sites_page.status_code == 200
    assert "Télécentre de Murat" in sites_page.content.decode()


def test_the_demo_admin_password_is_the_documented_one(loaded: DemoResult) -> None:
    assert not Client().login(email=demo.ADMIN_EMAIL, password="not-the-password")
    assert loaded.admin_email == demo.ADMIN_EMAIL
    assert loaded.admin_password == demo.ADMIN_PASSWORD


def test_the_demo_has_check_ins_and_walk_ins_half_of_them_salaried(loaded: DemoResult) -> None:
    from buron.attendance.models import CheckinPoint, Visit
    from buron.demo.attendance import demo_attendance_load

    visits = Visit.objects.filter(network=loaded.network)
    assert visits.filter(source="walk_in").count() > 50
    member_visits = visits.filter(member__email=demo.MEMBER_EMAIL)
    assert member_visits.exists() and all(v.km_avoided > 0 for v in member_visits)
    salaried = visits.filter(visitor_status="salaried_remote").count()
    assert 0.35 < salaried / visits.count() < 0.65
    assert CheckinPoint.objects.filter(site__network=loaded.network).count() == 12
    member = User.objects.get(email=demo.MEMBER_EMAIL)
    sites = {s.slug: s for s in Site.objects.filter(network=loaded.network)}
    assert demo_attendance_load(network=loaded.network, sites=sites, member=member) == 0


def test_the_demo_has_telework_trainings_with_a_past_session_and_sessions_to_come(
    loaded: DemoResult, client: Client
) -> None:
    from buron.demo.trainings import ADVISER_EMAIL
    from buron.training import documents, selectors
    from buron.training.models import AttendanceSheet, Enrolment, Programme

    programmes = Programme.objects.filter(network=loaded.network, is_published=True)
    assert programmes.count() == 2
    now = timezone.now()
    assert len(selectors.upcoming_sessions(now=now)) == 3
    assert AttendanceSheet.objects.filter(countersigned_at__isnull=False).count() == 2
    adviser = User.objects.get(email=ADVISER_EMAIL)
    enrolled = list(selectors.adviser_enrolments(user=adviser))
    assert len(enrolled) == 3
    assert sorted(selectors.hours_attended(enrolment=e) for e in enrolled) == [
        Decimal("3.50"),
        Decimal("7.00"),
        Decimal("7.00"),
    ]
    assert documents.certificate_pdf(enrolment=enrolled[0]).startswith(b"%PDF")
    results = selectors.programme_results(
        programme=programmes.get(slug="teletravailler-efficacement"), now=now
    )
    assert results is not None and results.completion_rate == 67
    # Its end survey, answered by its three learners, shows on the programme's page.
    assert (results.answers, str(results.satisfaction)) == (3, "4.3")
    assert Enrolment.objects.filter(status="confirmed").count() == 4
    page = client.get("/en/formations/teletravailler-efficacement/")
    assert "Satisfaction: 4.3 out of 5 (3 learners answered" in page.content.decode()
    # France Travail is invoiced its learners' hours, VAT-exempt.
    from buron.training.models import FunderInvoice

    (made,) = FunderInvoice.objects.select_related("invoice")
    assert made.invoice.total_vat == 0 and made.invoice.total_excl_vat == Decimal("700.00")
    assert made.invoice.lines.count() == 3


def test_the_published_murat_prices_are_offers_of_the_catalogue(loaded: DemoResult) -> None:
    from buron.offers.models import Offer, Right
    from buron.offers.selectors import offer_price

    offers = {o.name_en: o for o in Offer.objects.filter(network=loaded.network)}
    incl = {name: offer_price(offer=o).incl_vat for name, o in offers.items()}
    assert incl["Half-day"] == Decimal("10.00")
    assert incl["Day"] == Decimal("20.00")
    assert incl["Week (5 days)"] == Decimal("80.00")
    assert incl["Monthly subscription, one or two days a week"] == Decimal("100.00")
    welcome = offers["Newcomer welcome pack (first months free)"]
    assert (welcome.kind, incl[welcome.name_en], welcome.validity_months) == (
        "welcome_pack",
        Decimal("0.00"),
        3,
    )
    for offer in offers.values():
        offer.full_clean()
    assert Right.objects.filter(member__email="membre@buron.example", kind="carnet").count() == 1


def test_the_observatory_reads_the_demo_from_its_rollups(loaded: DemoResult) -> None:
    from django.utils import timezone

    from buron.observatory.selectors import summary_for, summary_raw

    today = timezone.localdate()
    sites = Site.objects.filter(network=loaded.network)
    start = today - dt.timedelta(days=20)
    rolled = summary_for(sites=sites, start=start, end=today)
    assert rolled == summary_raw(sites=sites, start=start, end=today)
    assert rolled.visits > 50 and rolled.open_half_days > 0
    assert 0.35 < rolled.share_by_status["salaried_remote"] < 0.65


def _history_figures(network: Network) -> tuple[object, list[object]]:
    from buron.demo.history import history_range
    from buron.observatory.selectors import months_for, summary_for

    first, last = history_range(YEAR)
    sites = Site.objects.filter(network=network)
    return (
        summary_for(sites=sites, start=first, end=last, now=dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC)),
        months_for(sites=sites, start=first, end=last),
    )


def test_two_years_of_history_half_salaried_with_seasons(loaded: DemoResult) -> None:
    from buron.demo.history import history_range
    from buron.observatory.selectors import summary_raw

    summary, months = _history_figures(loaded.network)
    assert len(months) == 24 and all(m.visits > 0 for m in months)
    assert summary.visits > 5_000
    assert 0.42 < summary.share_by_status["salaried_remote"] < 0.58
    assert 0.02 < summary.no_show_rate < 0.12
    assert 0.15 < summary.occupancy_rate < 0.5
    # Quiet in August, busy in October, both years.
    for year in (YEAR - 2, YEAR - 1):
        by_month = {m.month: m.visits for m in months if m.month.year == year}
        assert by_month[dt.date(year, 8, 1)] < by_month[dt.date(year, 10, 1)] / 2
    # The rollups written with the history equal the raw recount.
    first, last = history_range(YEAR)
    sites = Site.objects.filter(network=loaded.network)
    now = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC)
    assert summary == summary_raw(sites=sites, start=first, end=last, now=now)


def test_the_same_seed_gives_the_same_figures(loaded: DemoResult) -> None:
    from buron.attendance.models import Visit
    from buron.booking.models import Booking
    from buron.demo.history import EMAIL, NAMESPACE, demo_history_load, history_range
    from buron.observatory.services import rollups_refresh

    before = _history_figures(loaded.network)
    with transaction.atomic():
        regulars = User.objects.filter(email__startswith=EMAIL.split("{")[0])
        Visit.objects.filter(member__in=regulars).delete()
        first, last = history_range(YEAR)
        history = Visit.objects.filter(network=loaded.network, day__gte=first, day__lte=last)
        made = [uuid.uuid5(NAMESPACE, f"history-{YEAR}-{n}") for n in range(40_000)]
        history.filter(client_uuid__in=made).delete()
        Booking.objects.filter(member__in=regulars).delete()
        StatusPeriod.objects.filter(user__in=regulars).delete()
        regulars.delete()
        assert demo_history_load(network=loaded.network, year=YEAR) > 5_000
        rollups_refresh(
            sites=list(Site.objects.filter(network=loaded.network).select_related("network")),
            start=first,
            end=last,
        )
        after = _history_figures(loaded.network)
        assert after[0] == before[0], (after[0], before[0])
        assert after[1] == before[1]
        transaction.set_rollback(True)


def test_the_demo_employer_has_a_contract_employees_days_and_monthly_invoices(
    loaded: DemoResult,
) -> None:
    from buron.accounts.models import Organisation
    from buron.billing.models import Invoice
    from buron.demo.employers import MANAGER_EMAIL
    from buron.employers.models import EmployerContract, EmployerUse, Employment

    employer = Organisation.objects.get(network=loaded.network, legal_name__startswith="Laiterie")
    contract = EmployerContract.objects.get(organisation=employer)
    assert Employment.objects.filter(organisation=employer).count() == 3
    assert EmployerUse.objects.filter(contract=contract).count() > 10
    invoices = Invoice.objects.filter(customer_organisation=employer)
    assert invoices.filter(kind="invoice").count() == 3
    assert invoices.filter(kind="credit_note").count() == 1
    assert invoices.filter(kind="invoice", status="paid").count() == 1
    assert employer.managers.filter(email=MANAGER_EMAIL).exists()
