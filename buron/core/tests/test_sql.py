"""Statements written by hand must read and write exactly what the ORM does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from buron.accounts.models import User
from buron.accounts.tests.factories import UserFactory
from buron.booking.models import Booking, BookingSlot, BookingStatus
from buron.core import sql
from buron.places.models import Closure, Site
from buron.places.tests.factories import ClosureFactory, ResourceFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _values(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _select(selected: sql.Selected, rest: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(sql.select(selected, rest=rest), [pk])
        return selected.load(cursor.fetchone())


def test_it_loads_rows_as_the_orm_does():
    """Decimals, dates, aware datetimes, booleans and nulls come back with their types."""
    site = SiteFactory(latitude=Decimal("45.112233"), longitude=Decimal("2.654321"))
    closure = ClosureFactory(
        site=site, start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 3)
    )
    user = UserFactory(last_login=timezone.now())

    for model, rest, pk in (
        (Site, "FROM places_site x WHERE x.id = %s", site.pk),
        (Closure, "FROM places_closure x WHERE x.id = %s", closure.pk),
        (User, "FROM accounts_user x WHERE x.id = %s", user.pk),
    ):
        loaded = _select(sql.Selected(model, "x"), rest, pk)
        expected = model.objects.get(pk=pk)
        assert _values(loaded) == _values(expected)
        assert {type(v) for v in _values(loaded).values()} == {
            type(v) for v in _values(expected).values()
        }
        assert not loaded._state.adding
    only_user = _select(sql.Selected(User, "u"), "FROM accounts_user u WHERE u.id = %s", user.pk)
    assert timezone.is_aware(only_user.last_login)


def test_a_single_value_reads_as_the_orm_gives_it():
    user = UserFactory(last_login=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_login FROM accounts_user WHERE id = %s", [user.pk])
        (raw,) = cursor.fetchone()
    assert sql.read(User, "last_login", raw) == User.objects.get(pk=user.pk).last_login


START = dt.datetime(2027, 3, 2, 8, 30, tzinfo=dt.UTC)


def _booking(resource, *, hours: int, period: str, member=None) -> Booking:
    """A new booking, not saved."""
    return Booking(
        network_id=resource.network_id,
        site_id=resource.site_id,
        resource=resource,
        member=member,
        start=START,
        end=START + dt.timedelta(hours=hours),
        period=period,
    )


def test_an_insert_fills_defaults_and_the_key_as_save_would():
    member = UserFactory()
    booking = _booking(ResourceFactory(), hours=4, period="am", member=member)
    before = timezone.now()
    sql.insert(booking)

    assert booking.pk is not None and not booking._state.adding
    stored = Booking.objects.get(pk=booking.pk)
    assert stored.status == BookingStatus.ACTIVE and stored.kind == "booking"
    assert stored.start == START and stored.member_id == member.pk
    assert before <= stored.created_at <= timezone.now()
    assert stored.created_at == booking.created_at


def test_many_rows_go_in_one_statement_and_the_constraint_still_holds():
    resource = ResourceFactory()
    booking = _booking(resource, hours=9, period="day")
    sql.insert(booking)

    def slots():
        return [
            BookingSlot(
                booking=booking,
                network_id=resource.network_id,
                resource=resource,
                day=dt.date(2027, 3, 2),
                slot=n,
            )
            for n in (0, 1)
        ]

    sql.insert_many(slots())
    assert sorted(booking.slots.values_list("slot", "is_active")) == [(0, True), (1, True)]
    # The same slots again: the database refuses the whole statement.
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert_many(slots())
    assert booking.slots.count() == 2
    # Asked to skip what is taken, it writes nothing and says so.
    assert sql.insert_many(slots(), skip_taken=True) == 0
    assert booking.slots.count() == 2
    # A slot freed by a cancellation can be held again (the constraint is on active rows).
    booking.slots.filter(slot=1).update(is_active=False)
    assert sql.insert_many(slots(), skip_taken=True) == 1
    assert sorted(booking.slots.filter(is_active=True).values_list("slot", flat=True)) == [0, 1]


def test_rows_go_in_only_while_their_condition_holds():
    resource = ResourceFactory()
    booking = _booking(resource, hours=9, period="day")
    sql.insert(booking)
    table = sql.table(type(resource))

    def slots(day):
        return [
            BookingSlot(
                booking=booking, network_id=resource.network_id, resource=resource, day=day, slot=n
            )
            for n in (0, 1)
        ]

    active = sql.compose(
        "EXISTS (SELECT 1 FROM {table} x WHERE x.id = %(rid)s AND x.is_active)", table=table
    )
    condition = (active, {"rid": resource.pk})
    assert sql.insert_many(slots(dt.date(2027, 3, 2)), skip_taken=True, only_if=condition) == 2

    type(resource).objects.filter(pk=resource.pk).update(is_active=False)
    for skip_taken in (True, False):
        assert (
            sql.insert_many(slots(dt.date(2027, 3, 3)), skip_taken=skip_taken, only_if=condition)
            == 0
        )
    assert sorted(booking.slots.values_list("day", "slot")) == [
        (dt.date(2027, 3, 2), 0),
        (dt.date(2027, 3, 2), 1),
    ]


def test_a_column_among_values_reads_those_rows_and_refuses_no_value():
    site = SiteFactory()
    other = SiteFactory()
    SiteFactory()
    condition, params = sql.among("s.id", "site", [site.pk, other.pk])
    statement = sql.compose(
        "SELECT s.id FROM {site} s WHERE {condition} ORDER BY s.id",
        site=sql.table(Site),
        condition=condition,
    )
    assert sql.fetch_all(statement, params) == sorted([(site.pk,), (other.pk,)])
    with pytest.raises(ValueError, match="at least one value"):
        sql.among("s.id", "site", [])
