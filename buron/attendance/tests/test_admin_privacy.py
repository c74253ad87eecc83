"""Attendance settings and visits in the admin, scoped by network and site; a member's
visits in their data export, and what closing their account leaves."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pytest_django import Settings

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.services import member_close, member_data_export
from buron.accounts.tests.factories import totp_enrol
from buron.attendance import services
from buron.attendance.models import AttendanceSettings, Visit

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _static_without_manifest(settings: Settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def staff(email: str, **role: object) -> User:
    user = User.objects.create_user(email, "a long password", is_staff=True)
    StaffRole.objects.create(user=user, **role)
    return user


def checked_in(site, member) -> Visit:
    with time_machine.travel(at(DAY, 9), tick=False):
        return services.visit_checkin(
            site=site, member=member, arrived_at=at(DAY, 9), client_uuid=uuid.uuid4(), source="qr"
        ).visit


def test_a_network_admin_sets_the_co2_factor_of_their_network_only(client, site, foreign_site):
    admin = staff("admin@example.org", network=site.network, role=Role.NETWORK_ADMIN)
    mine = AttendanceSettings.objects.create(network=site.network)
    theirs = AttendanceSettings.objects.create(network=foreign_site.network)
    totp_enrol(admin)
    client.force_login(admin)
    listing = client.get(reverse("admin:attendance_attendancesettings_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [mine]
    url = reverse("admin:attendance_attendancesettings_change", args=[mine.pk])
    response = client.post(
        url,
        {
            "network": site.network.pk,
            "no_show_after_minutes": 45,
            "road_factor": "1.25",
            "co2_kg_per_km": "0.193",
            "co2_source": "ADEME, Base Empreinte",
            "co2_year": 2025,
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.co2_kg_per_km, mine.co2_year, mine.no_show_after_minutes) == (
        Decimal("0.193"),
        2025,
        45,
    )
    other = client.get(reverse("admin:attendance_attendancesettings_change", args=[theirs.pk]))
    assert other.status_code == 302  # "doesn't exist" for them
    # A site host sees no settings at all.
    client.force_login(staff("host@example.org", network=site.network, site=site, role="site_host"))
    assert client.get(reverse("admin:attendance_attendancesettings_changelist")).status_code == 403


def test_a_host_sees_only_their_sites_visits_read_only(client, site, other_site, member):
    here = checked_in(site, member)
    checked_in(other_site, member)
    client.force_login(staff("host@example.org", network=site.network, site=site, role="site_host"))
    listing = client.get(reverse("admin:attendance_visit_changelist"))
    assert list(listing.context["cl"].queryset) == [here]
    page = client.get(reverse("admin:attendance_visit_change", args=[here.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_visits_are_exported_and_stay_anonymous_when_the_account_closes(site, member):
    checked_in(site, member)
    exported = member_data_export(user=member)["visits"]
    assert [(v["site"], v["day"], v["visitor_status"]) for v in exported] == [
        ("murat", "2027-03-02", "freelancer")
    ]
    member_close(user=member)
    visit = Visit.objects.get()
    assert visit.member is None and visit.work_commune is None
    assert visit.visitor_status == "freelancer" and visit.km_avoided == Decimal("95.4")
