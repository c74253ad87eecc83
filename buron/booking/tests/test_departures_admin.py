"""The admin cannot go round departures: accounts, resources and sites are never deleted
there (single or bulk); closing an account, unticking a resource's "active", unpublishing a
site or adding a closure go through the departures service, and the page then lists the
bookings affected."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from buron.accounts.models import StaffRole, User
from buron.accounts.tests.factories import StaffRoleFactory, totp_enrol
from buron.booking import services
from buron.booking.models import Booking, BookingStatus
from buron.places.models import Resource, Site
from buron.places.tests.factories import site_admin_fields, site_admin_form

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_static(settings: Settings):
    from django.utils import translation

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with translation.override("en"):
        yield


@pytest.fixture
def root(client: Client) -> Client:
    user = User.objects.create_superuser("root@example.org", "a long password")
    totp_enrol(user)
    client.force_login(user)
    return client


def book(member, site, *, period="am", resource=None):
    return services.booking_create_half_day(
        member=member, site=site, day=DAY, period=period, now=NOW, resource=resource
    )


def shown(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize(
    "name", ["accounts_user", "places_site", "places_resource"], ids=["user", "site", "resource"]
)
def test_nobody_deletes_an_account_a_site_or_a_resource_in_the_admin(
    root: Client, site, member, name
):
    obj = {"accounts_user": member, "places_site": site}.get(name) or Resource.objects.filter(
        site=site
    ).first()
    delete = reverse(f"admin:{name}_delete", args=[obj.pk])
    assert root.get(delete, secure=True).status_code == 403
    assert root.post(delete, {"post": "yes"}, secure=True).status_code == 403
    changelist = reverse(f"admin:{name}_changelist")
    page = root.get(changelist, secure=True)
    assert "delete_selected" not in page.context["action_form"].fields["action"].choices.__str__()
    root.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        secure=True,
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_closing_accounts_in_the_admin_erases_them_and_lists_their_bookings(
    root: Client, site, member, member2
):
    booking = book(member, site)
    kept = book(member2, site, period="pm")
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.create(
        user=User.objects.get(email="root@example.org"),
        content_type=user_type,
        object_id=str(member.pk),
        object_repr=member.email,
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["First name"]}}]',
    )
    response = root.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "close_accounts", "_selected_action": [member.pk]},
        secure=True,
        follow=True,
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert not member.is_active and member.email.endswith("@erased.invalid")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert Booking.objects.get(pk=kept.pk).status == BookingStatus.ACTIVE
    text = shown(response)
    assert "1 account closed" in text
    assert "Poste" in text and "cancelled" in text
    assert not LogEntry.objects.filter(object_repr__icontains="camille@example.org").exists()


def test_unticking_active_on_a_resource_moves_its_bookings_and_lists_them(
    root: Client, site, member
):
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    booking = book(member, site, resource=poste1)
    response = root.post(
        reverse("admin:places_resource_change", args=[poste1.pk]),
        {
            "site": str(site.pk),
            "kind": "desk",
            "name": "Poste 1",
            "name_en": "",
            "capacity": "1",
            "booking_unit": "half_day",
            "description_fr": "",
            "description_en": "",
        },  # "is_active" unticked
        secure=True,
        follow=True,
    )
    assert response.status_code == 200
    old = Booking.objects.get(pk=booking.pk)
    assert old.status == BookingStatus.CANCELLED
    assert old.moved_to is not None and old.moved_to.resource.name == "Poste 2"
    assert "moved to Poste 2" in shown(response)


def test_the_withdraw_action_cancels_when_nothing_is_free(root: Client, site, member, member2):
    poste1 = Resource.objects.get(site=site, name="Poste 1")
    poste2 = Resource.objects.get(site=site, name="Poste 2")
    booking = book(member, site, resource=poste1)
    book(member2, site, resource=poste2)
    response = root.post(
        reverse("admin:places_resource_changelist"),
        {"action": "withdraw_resources", "_selected_action": [poste1.pk]},
        secure=True,
        follow=True,
    )
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert not Resource.objects.get(pk=poste1.pk).is_active
    assert "cancelled" in shown(response)


def test_unpublishing_a_site_in_its_form_cancels_its_bookings(root: Client, site, member):
    booking = book(member, site)
    fields = site_admin_fields(site.network_id, "murat")
    del fields["is_published"]
    response = root.post(
        reverse("admin:places_site_change", args=[site.pk]),
        site_admin_form(fields),
        secure=True,
        follow=True,
    )
    assert response.status_code == 200
    assert not Site.objects.get(pk=site.pk).is_published
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert "1 booking still to come was affected" in shown(response)


def test_a_closure_added_in_the_site_form_cancels_the_bookings_of_its_days(
    root: Client, site, member
):
    booking = book(member, site)
    response = root.post(
        reverse("admin:places_site_change", args=[site.pk]),
        site_admin_form(
            site_admin_fields(site.network_id, "murat"),
            closures=[
                {
                    "site": str(site.pk),
                    "start_date": DAY.isoformat(),
                    "end_date": DAY.isoformat(),
                    "reason": "holidays",
                    "note_fr": "",
                    "note_en": "",
                }
            ],
        ),
        secure=True,
        follow=True,
    )
    assert response.status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert "cancelled" in shown(response)


def test_a_site_host_withdraws_a_resource_of_their_site_only(client: Client, site, other_site):
    host = StaffRoleFactory(site=site, user__email="host@example.org").user
    User.objects.filter(pk=host.pk).update(is_staff=True)
    totp_enrol(host)
    client.force_login(host)
    theirs = Resource.objects.get(site=site, name="Poste 1")
    not_theirs = Resource.objects.get(site=other_site)
    client.post(
        reverse("admin:places_resource_changelist"),
        {"action": "withdraw_resources", "_selected_action": [theirs.pk, not_theirs.pk]},
        secure=True,
    )
    assert not Resource.objects.get(pk=theirs.pk).is_active
    assert Resource.objects.get(pk=not_theirs.pk).is_active
    assert StaffRole.objects.filter(user=host).exists()
