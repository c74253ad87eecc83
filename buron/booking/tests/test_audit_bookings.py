"""Bookings changed by staff on the host pages are in the staff audit log (who, when, what,
before and after), readable by the network administrator, and keep no personal data once
the member's account is closed. A member's own bookings are not staff changes."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from buron.accounts.services import member_close
from buron.accounts.tests.factories import StaffRoleFactory, totp_enrol
from buron.audit.models import AuditAction, AuditEntry
from buron.booking import services
from buron.booking.models import Booking
from buron.places.models import Resource

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def host(site):
    return StaffRoleFactory(site=site, user__email="host.murat@example.org").user


def url(name: str, **kwargs: object) -> str:
    return reverse(f"booking:{name}", kwargs=kwargs)


def entries(**filters: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model="booking.booking", **filters).order_by("id"))


def test_a_booking_made_by_a_host_is_logged_with_its_row(client: Client, host, site, member):
    client.force_login(host)
    response = client.post(
        url("manage_book", slug="murat"),
        {"email": member.email, "date": "2027-03-02", "period": "am", "note": "Badge à prêter"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    (entry,) = entries()
    assert (entry.actor, entry.action, entry.network_id) == (
        host,
        AuditAction.CREATE,
        site.network_id,
    )
    assert entry.object_id == str(booking.pk) and entry.subject == member
    assert entry.before is None
    assert entry.after["member_id"] == member.pk and entry.after["status"] == "active"


def test_a_cancellation_by_a_host_is_logged_before_and_after(client: Client, host, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    assert entries() == []  # the member's own booking is not a staff change
    client.force_login(host)
    assert client.post(url("manage_cancel", slug="murat", pk=booking.pk)).status_code == 302
    (entry,) = entries()
    assert (entry.actor, entry.action) == (host, AuditAction.CHANGE)
    assert (entry.before["status"], entry.after["status"]) == ("active", "cancelled")
    assert entry.after["reason"] == "staff"


def test_a_members_own_cancellation_is_not_a_staff_change(site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    services.booking_cancel(booking=booking, by=member, now=NOW)
    assert entries() == []


def test_a_move_by_a_host_is_logged_on_both_bookings(client: Client, host, site, member):
    first, second = Resource.objects.filter(site=site, kind="desk").order_by("name")
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", resource=first, now=NOW
    )
    client.force_login(host)
    client.post(url("manage_move", slug="murat", pk=booking.pk), {"to": second.pk})
    new = Booking.objects.get(resource=second)
    old_entry, new_entry = entries()
    assert old_entry.object_id == str(booking.pk) and old_entry.after["reason"] == "moved"
    assert (old_entry.before["status"], old_entry.after["status"]) == ("active", "cancelled")
    assert new_entry.object_id == str(new.pk) and new_entry.action == AuditAction.CREATE
    assert new_entry.after["moved_from"] == str(booking.pk)
    assert new_entry.actor == host


def test_a_no_show_release_is_logged_without_anyone(site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    services.booking_release(booking=booking, nobody_came=lambda b: True)
    (entry,) = entries()
    assert entry.actor is None and entry.after["reason"] == "released"


def test_the_network_admin_reads_the_hosts_booking_changes(client: Client, host, site, member):
    booking = services.booking_create_half_day(
        member=member, site=site, day=DAY, period="am", now=NOW
    )
    services.booking_cancel(booking=booking, by=host, now=NOW)
    admin = StaffRoleFactory(
        role="network_admin", network=site.network, site=None, user__email="admin@example.org"
    ).user
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    totp_enrol(admin)
    client.force_login(admin)
    page = client.get(reverse("admin:audit_auditentry_changelist"), secure=True)
    assert page.status_code == 200
    assert [e.pk for e in page.context["cl"].result_list] == [e.pk for e in entries()]


def test_the_log_keeps_the_change_not_the_member_after_erasure(client: Client, host, site, member):
    client.force_login(host)
    client.post(
        url("manage_book", slug="murat"),
        {"email": member.email, "date": "2027-03-02", "period": "am", "note": "Pour Camille"},
    )
    member_close(user=member)
    for entry in entries():
        text = f"{entry.object_repr} {entry.before} {entry.after}"
        assert "Camille" not in text and "camille@" not in text
    # The entry stays (the member's own departure is no staff change: nothing more).
    (entry,) = entries()
    assert entry.after["note"] in ("", "—") and entry.subject_id == member.pk
