"""Booking rules and bookings in the admin: rules per network or site, validated; bookings
read-only for everyone and listed only to the administrators of their network."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from buron.accounts.models import Role, StaffRole, User
from buron.accounts.tests.factories import totp_enrol
from buron.booking.models import Booking, BookingPolicy
from buron.places.models import Site
from buron.places.tests.factories import NetworkFactory, ResourceFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted here are the English source strings."""
    from django.utils import translation

    with translation.override("en"):
        yield


PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def murat() -> Site:
    return SiteFactory(network=NetworkFactory(slug="cantal"), slug="murat")


@pytest.fixture
def elsewhere() -> Site:
    return SiteFactory(network=NetworkFactory(slug="lozere"), slug="mende", name="Mende")


@pytest.fixture
def superuser(client: Client) -> Client:
    superuser = User.objects.create_superuser("root@example.org", "a long password")
    totp_enrol(superuser)
    client.force_login(superuser)
    return client


def _network_admin(client: Client, site: Site) -> Client:
    user = User.objects.create_user("admin@example.org", "a long password", is_staff=True)
    StaffRole.objects.create(user=user, network=site.network, role=Role.NETWORK_ADMIN)
    totp_enrol(user)
    client.force_login(user)
    return client


def _policy(network_id: int, site: Site | None = None, **values: str) -> dict[str, str]:
    return {
        "network": str(network_id),
        "site": str(site.pk) if site else "",
        "horizon_days": "60",
        "max_per_member_per_day": "2",
        "cancellation_deadline_hours": "24",
        **values,
    }


def test_a_network_default_and_a_site_override_are_saved(superuser: Client, murat: Site) -> None:
    url = reverse("admin:booking_bookingpolicy_add")
    assert superuser.post(url, _policy(murat.network_id), secure=True).status_code == 302
    response = superuser.post(url, _policy(murat.network_id, murat, horizon_days="14"), secure=True)
    assert response.status_code == 302
    assert BookingPolicy.objects.get(site=None).horizon_days == 60
    assert BookingPolicy.objects.get(site=murat).horizon_days == 14


def _errors(client: Client, data: dict[str, str]) -> dict[str, list[str]]:
    with override("en"):
        response = client.post(reverse("admin:booking_bookingpolicy_add"), data, secure=True)
    assert response.status_code == 200
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def test_the_rules_of_a_site_belong_to_its_network(
    superuser: Client, murat: Site, elsewhere: Site
) -> None:
    errors = _errors(superuser, _policy(murat.network_id, elsewhere))
    assert errors == {"site": ["This site belongs to another network than these rules."]}
    assert not BookingPolicy.objects.exists()


def test_a_network_has_one_default(superuser: Client, murat: Site) -> None:
    BookingPolicy.objects.create(network=murat.network)
    errors = _errors(superuser, _policy(murat.network_id))
    assert errors == {
        "site": [
            "This network already has rules for all its sites: change those, or choose the "
            "site these rules are for."
        ]
    }
    assert BookingPolicy.objects.count() == 1


def test_a_network_admin_sets_rules_only_for_their_network(
    client: Client, murat: Site, elsewhere: Site
) -> None:
    _network_admin(client, murat)
    page = client.get(reverse("admin:booking_bookingpolicy_add"), secure=True)
    fields = page.context["adminform"].form.fields
    assert set(fields["network"].queryset) == {murat.network}
    assert set(fields["site"].queryset) == {murat}
    errors = _errors(client, _policy(elsewhere.network_id, elsewhere))
    assert set(errors) == {"network", "site"}
    assert not BookingPolicy.objects.exists()


def _booking(site: Site) -> Booking:
    resource = ResourceFactory(site=site)
    start = dt.datetime(2027, 3, 2, 8, 30, tzinfo=PARIS)
    return Booking.objects.create(
        network=site.network,
        site=site,
        resource=resource,
        start=start,
        end=start + dt.timedelta(hours=4),
        period="am",
    )


def test_a_network_admin_lists_only_their_network_bookings(
    client: Client, murat: Site, elsewhere: Site
) -> None:
    mine, other = _booking(murat), _booking(elsewhere)
    _network_admin(client, murat)
    response = client.get(reverse("admin:booking_booking_changelist"), secure=True)
    assert [b.pk for b in response.context["cl"].result_list] == [mine.pk]
    change = reverse("admin:booking_booking_change", args=[other.pk])
    assert client.get(change, secure=True)["Location"] == reverse("admin:index")


def test_bookings_are_read_only_even_for_a_superuser(superuser: Client, murat: Site) -> None:
    booking = _booking(murat)
    assert superuser.get(reverse("admin:booking_booking_add"), secure=True).status_code == 403
    change = reverse("admin:booking_booking_change", args=[booking.pk])
    assert superuser.get(change, secure=True).status_code == 200
    assert superuser.post(change, {"note": "edited"}, secure=True).status_code == 403
    delete = reverse("admin:booking_booking_delete", args=[booking.pk])
    assert superuser.post(delete, {"post": "yes"}, secure=True).status_code == 403
    booking.refresh_from_db()
    assert booking.note == ""
