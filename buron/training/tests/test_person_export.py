"""A person's data export holds everything Buron keeps about them, in every app, and nothing
of anyone else; closing their account then erases them everywhere it copied them (the
admin's history, the staff audit log, API tokens and their counters, second factors,
idempotency records, login counters) while invoices and anonymous statistics stay.

(Here rather than in accounts because it needs a training session: the training fixtures.)
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from buron.accounts import services as accounts
from buron.accounts.models import ApiToken, StaffRole, User
from buron.accounts.tests.factories import StaffRoleFactory, UserFactory, totp_enrol
from buron.attendance.models import Visit
from buron.attendance.services import visit_checkin
from buron.audit.models import AuditEntry
from buron.billing.models import Invoice
from buron.billing.services import invoice_issue
from buron.billing.tests.factories import desk_day, make_seller
from buron.booking import services as booking
from buron.booking.models import Booking, BookingStatus
from buron.core.models import IdempotencyRecord, RateCounter
from buron.core.ratelimit import rate_hit
from buron.offers.services import right_grant
from buron.offers.tests.factories import carnet
from buron.training.services import enrolment_create

from .conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


def _everything(person: User, *, site, session, host, seller, offer, seat: str) -> dict[str, Any]:
    """Give `person` data in every app; what was made, to look for it later."""
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    token = accounts.api_token_create(user=person, name=f"sync {seat}")
    assert accounts.api_token_user(token=token) == person  # used once
    IdempotencyRecord.objects.create(
        user=person, key=f"key-{seat}", request_digest="0" * 64, status_code=201, body={"ok": 1}
    )
    right = right_grant(member=person, offer=offer, starts_on=NOW.date())
    by_host = booking.booking_create_half_day(
        member=person, site=site, day=DAY, period="am", booked_by=host, now=NOW
    )
    own = booking.booking_create_half_day(
        member=person, site=site, day=DAY + dt.timedelta(days=1), period="am", now=NOW
    )
    booking.booking_cancel(booking=own, by=person, now=NOW)
    visit_checkin(
        site=site,
        member=person,
        arrived_at=at(DAY, 9),
        client_uuid=uuid.uuid4(),
        source="host",
        by=host,
        now=at(DAY, 9, 5),
    )
    invoice = invoice_issue(seller=seller, lines=[desk_day()], customer_user=person, render=False)
    enrolment_create(session=session, learner=person, by=person, now=NOW)
    return {
        "token": token,
        "right": right,
        "by_host": by_host,
        "own": own,
        "invoice": invoice,
    }


@pytest.fixture
def host(site):
    return StaffRoleFactory(
        site=site, user__email="host@example.org", user__first_name="Hélène", user__last_name="Hôte"
    ).user


@pytest.fixture
def two_people(site, session, host):
    seller = make_seller(site.network)
    offer = carnet(site.network)
    alice = UserFactory(email="alice@example.org", first_name="Alice", last_name="Aubrac")
    bruno = UserFactory(email="bruno@example.org", first_name="Bruno", last_name="Brezons")
    made = {
        person: _everything(
            person, site=site, session=session, host=host, seller=seller, offer=offer, seat=seat
        )
        for person, seat in ((alice, "a"), (bruno, "b"))
    }
    StaffRoleFactory(user=alice, site=site)
    totp_enrol(alice)
    return alice, bruno, made


def test_the_export_holds_everything_about_the_person(two_people, site, host) -> None:
    alice, _bruno, made = two_people
    exported = accounts.member_data_export(user=alice)
    mine = made[alice]

    assert exported["account"]["email"] == "alice@example.org"
    assert exported["profile"]["language"]
    assert [s["status"] for s in exported["statuses"]] == ["freelancer"]
    assert exported["email_addresses"] == [
        {"email": "alice@example.org", "verified": True, "primary": True}
    ]
    assert exported["staff_roles"] == [
        {"role": "site_host", "network": site.network.slug, "site": site.slug}
    ]
    (token,) = exported["api_tokens"]
    assert token["name"] == "sync a" and token["last_used_at"] is not None
    assert mine["token"] not in json.dumps(exported)  # the secret never, nor its digest
    assert ApiToken.objects.get(user=alice).digest not in json.dumps(exported)
    assert [f["type"] for f in exported["second_factors"]] == ["totp"]
    assert [r["key"] for r in exported["api_requests_kept_for_replay"]] == ["key-a"]

    bookings = {b["id"]: b for b in exported["bookings"]}
    assert bookings[mine["by_host"].pk]["booked_by"] == "Hélène Hôte"  # who booked for them
    assert bookings[mine["own"].pk]["booked_by"] == "self"
    assert bookings[mine["own"].pk]["status"] == BookingStatus.CANCELLED
    assert bookings[mine["own"].pk]["cancelled_at"] is not None
    (visit,) = exported["visits"]
    assert visit["site"] == site.slug
    (right,) = exported["offers"]["rights"]
    assert right["id"] == mine["right"].pk and right["ledger"]
    assert [i["number"] for i in exported["invoices"]] == [mine["invoice"].number]
    (training,) = exported["trainings"]
    assert training["programme"] == "Télétravailler : les bases"
    about = exported["staff_audit"]["about_them"]
    assert [e["object"] for e in about] == [str(mine["by_host"].pk)]


def test_the_export_holds_nothing_of_anyone_else(two_people) -> None:
    alice, bruno, made = two_people
    text = json.dumps(accounts.member_data_export(user=alice), ensure_ascii=False)
    theirs = made[bruno]
    for trace in ("bruno", "Brezons", "sync b", "key-b", theirs["invoice"].number):
        assert trace not in text
    exported = accounts.member_data_export(user=alice)
    ids = {b["id"] for b in exported["bookings"]}
    assert ids.isdisjoint({theirs["by_host"].pk, theirs["own"].pk})
    assert exported["offers"]["rights"][0]["id"] != theirs["right"].pk


def test_closing_the_account_erases_every_copy_and_keeps_what_the_law_and_statistics_need(
    two_people, site, host
) -> None:
    alice, bruno, made = two_people
    role_type = ContentType.objects.get_for_model(StaffRole)
    role = StaffRole.objects.get(user=alice)
    LogEntry.objects.create(
        user=host,
        content_type=role_type,
        object_id=str(role.pk),
        object_repr=str(role),
        action_flag=ADDITION,
        change_message=json.dumps([{"added": {"name": "staff role", "object": str(role)}}]),
    )
    assert "Alice Aubrac" in LogEntry.objects.get().object_repr  # a role names its holder
    digest = ApiToken.objects.get(user=alice).digest
    rate_hit(name=f"api:token:{digest}", limit=10, period=60)
    assert RateCounter.objects.filter(name=f"api:token:{digest}").exists()
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import get_cache_key, get_rates
    from django.http import HttpRequest

    (per_key,) = [
        r for r in get_rates(app="allauth.account", action="login_failed") if r.per == "key"
    ]
    login_key = get_cache_key(
        HttpRequest(),
        app="allauth.account",
        action="login_failed",
        rate=per_key,
        key="alice@example.org",
    )
    cache.set(login_key, [1.0, 2.0])
    assert app_settings.RATE_LIMITS

    accounts.member_close(user=alice)

    everywhere = {
        "admin log": [f"{e.object_repr} {e.change_message}" for e in LogEntry.objects.all()],
        "audit": [f"{e.object_repr} {e.before} {e.after}" for e in AuditEntry.objects.all()],
        "export": [json.dumps(accounts.member_data_export(user=alice), ensure_ascii=False)],
    }
    for where, texts in everywhere.items():
        for text in texts:
            assert "alice" not in text.lower(), where
            assert "Aubrac" not in text, where
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not ApiToken.objects.filter(user=alice).exists()
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not IdempotencyRecord.objects.filter(user=alice).exists()
    assert not RateCounter.objects.filter(name=f"api:token:{digest}").exists()
    assert cache.get(login_key) is None
    assert not StaffRole.objects.filter(user=alice).exists()
    # Kept: the invoice as issued (the law keeps it ten years), the anonymous visit and the
    # past of the bookings for statistics; the future booking is given up.
    invoice = Invoice.objects.get(pk=made[alice]["invoice"].pk)
    assert invoice.customer_name == "Alice Aubrac"
    assert Visit.objects.filter(site=site, member=None).count() == 1
    assert Booking.objects.get(pk=made[alice]["by_host"].pk).status == BookingStatus.CANCELLED
    # Bruno keeps everything.
    assert Booking.objects.get(pk=made[bruno]["by_host"].pk).status == BookingStatus.ACTIVE
    assert ApiToken.objects.filter(user=bruno).exists()
