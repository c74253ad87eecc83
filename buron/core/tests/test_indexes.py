"""No index that another one already serves: each costs every insert a write for nothing
(a booking writes its row and slots on the hot path)."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models


def _covering_columns(model: type[models.Model]) -> list[list[str]]:
    """Column lists of the model's indexes and unique constraints that hold for every row
    (a partial one does not serve queries outside its condition)."""
    meta = model._meta
    found = [
        [meta.get_field(name.lstrip("-")).column for name in index.fields]
        for index in meta.indexes
        if index.condition is None
    ]
    found += [
        [meta.get_field(name).column for name in constraint.fields]
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is None
        and constraint.fields
    ]
    found += [[meta.get_field(name).column for name in names] for names in meta.unique_together]
    return found


def _redundant_key_indexes() -> list[str]:
    redundant = []
    for model in apps.get_models():
        if not model.__module__.startswith("buron."):
            continue
        covering = _covering_columns(model)
        for field in model._meta.concrete_fields:
            if not field.db_index or field.unique or field.primary_key:
                continue
            for columns in covering:
                if len(columns) > 1 and columns[0] == field.column:
                    redundant.append(f"{model.__name__}.{field.name} ({', '.join(columns)})")
    return redundant


def test_no_single_column_index_where_a_composite_one_leads_with_it() -> None:
    assert _redundant_key_indexes() == []


def test_the_check_finds_a_key_index_a_composite_one_serves(monkeypatch) -> None:
    from buron.booking.models import Booking

    member = Booking._meta.get_field("member")
    monkeypatch.setattr(member, "db_index", True)
    assert _redundant_key_indexes() == ["Booking.member (member_id, start)"]


def test_the_database_holds_no_index_on_the_booking_keys_alone(db) -> None:
    """The migrations dropped them: what the tables hold, read from the database."""
    for table, column in (
        ("booking_booking", "member_id"),
        ("booking_booking", "site_id"),
        ("booking_booking", "resource_id"),
        ("booking_bookingslot", "network_id"),
    ):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        alone = [
            name
            for name, about in constraints.items()
            if about["index"] and about["columns"] == [column]
        ]
        assert alone == [], (table, column)
        assert any(
            about["index"] and len(about["columns"]) > 1 and about["columns"][0] == column
            for about in constraints.values()
        ), (table, column)
