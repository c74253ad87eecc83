from __future__ import annotations

from decimal import Decimal

import pytest

from buron.core.money import format_eur, money


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("10", "10.00"),
        ("0.125", "0.13"),  # half up, the French commercial rule (not banker's rounding)
        ("0.135", "0.14"),
        ("0.124", "0.12"),
        ("-0.125", "-0.13"),
        (3, "3.00"),
    ],
)
def test_it_rounds_to_the_cent_half_up(value: str | int, rounded: str) -> None:
    assert money(value) == Decimal(rounded)
    assert str(money(value)) == rounded


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        ("10", "10\u00a0€", "€10"),
        ("1234.5", "1\u202f234,50\u00a0€", "€1,234.50"),
        ("1234567.891", "1\u202f234\u202f567,89\u00a0€", "€1,234,567.89"),
        ("0", "0\u00a0€", "€0"),
        ("-20", "-20\u00a0€", "-€20"),
        ("-1234.5", "-1\u202f234,50\u00a0€", "-€1,234.50"),
    ],
)
def test_it_formats_amounts_for_french_and_english_readers(
    value: str, french: str, english: str
) -> None:
    assert format_eur(Decimal(value)) == french
    assert format_eur(Decimal(value), language="fr-fr") == french
    assert format_eur(Decimal(value), language="en") == english


def test_invoices_print_whole_euros_with_their_cents():
    assert format_eur(Decimal("150"), cents=True) == "150,00\u00a0€"
    assert format_eur(Decimal("150"), language="en", cents=True) == "€150.00"
    assert format_eur(Decimal("150")) == "150\u00a0€"


def test_a_line_amount_is_rounded_once_half_up():
    from buron.core.money import line_amount

    assert line_amount(quantity=Decimal(3), unit_price=Decimal("0.335")) == Decimal("1.01")
    assert line_amount(quantity=Decimal("0.5"), unit_price=Decimal("16.67")) == Decimal("8.34")


def test_vat_is_the_rate_applied_once_to_the_sum():
    from buron.core.money import vat_amount

    assert vat_amount(basis=Decimal("3.03"), rate=Decimal(20)) == Decimal("0.61")
    assert vat_amount(basis=Decimal("100.00"), rate=Decimal("5.5")) == Decimal("5.50")
    assert vat_amount(basis=Decimal("0.10"), rate=Decimal("5.5")) == Decimal("0.01")
