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
