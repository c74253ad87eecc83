"""The field validators, one bad input at a time, with the message a person reads."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from buron.places.validators import (
    validate_coordinates_in_france,
    validate_insee_code,
    validate_postal_code,
    validate_siret,
    validate_time_zone,
)


def _error(validator: Callable[..., None], *args: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(*args)
    return caught.value


@pytest.mark.parametrize("code", ["15014", "01001", "2A004", "2B033", "97101"])
def test_it_accepts_insee_codes(code: str) -> None:
    validate_insee_code(code)


@pytest.mark.parametrize("code", ["1501", "150140", "15O14", "2C004", "2a004", "", "15 014"])
def test_it_rejects_malformed_insee_codes(code: str) -> None:
    error = _error(validate_insee_code, code)
    assert error.code == "invalid_insee"
    with override("en"):
        assert error.messages == [
            "An INSEE code has five characters: digits, or 2A/2B followed by three digits "
            "(Corsica)."
        ]


@pytest.mark.parametrize("code", ["15300", "01000", "97139"])
def test_it_accepts_postal_codes(code: str) -> None:
    validate_postal_code(code)


@pytest.mark.parametrize("code", ["1530", "153000", "15 300", "F-15300", "2A000"])
def test_it_rejects_malformed_postal_codes(code: str) -> None:
    error = _error(validate_postal_code, code)
    assert error.code == "invalid_postal_code"
    with override("en"):
        assert error.messages == ["A postal code has exactly five digits."]


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # passes the Luhn check
        "732 829 320 00074",  # the same, written in groups
        "35600000000048",  # La Poste's head office, which also passes Luhn
        "35600000049837",  # a La Poste establishment: digit sum a multiple of 5
    ],
)
def test_it_accepts_valid_sirets(siret: str) -> None:
    validate_siret(siret)


@pytest.mark.parametrize("siret", ["7328293200007", "732829320000745", "7328293200007A", ""])
def test_it_rejects_sirets_without_fourteen_digits(siret: str) -> None:
    error = _error(validate_siret, siret)
    assert error.code == "invalid_siret"
    with override("en"):
        assert error.messages == ["A SIRET number has exactly 14 digits."]


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000075",  # last digit changed
        "37282932000074",  # two digits swapped
        "35600000049838",  # La Poste's SIREN, but neither rule holds
    ],
)
def test_it_rejects_sirets_failing_the_check_digit(siret: str) -> None:
    error = _error(validate_siret, siret)
    assert error.code == "invalid_siret"
    with override("en"):
        assert error.messages == [
            "This SIRET number is not valid (its check digit does not match)."
        ]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Indian/Reunion", "UTC"])
def test_it_accepts_known_time_zones(zone: str) -> None:
    validate_time_zone(zone)


@pytest.mark.parametrize("zone", ["Europe/Pariss", "Paris", "europe/paris", "CET+1", ""])
def test_it_rejects_unknown_time_zones(zone: str) -> None:
    error = _error(validate_time_zone, zone)
    assert error.code == "unknown_time_zone"
    with override("en"):
        assert error.messages == [f"“{zone}” is not a known time zone (for example: Europe/Paris)."]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("45.110573", "2.869290"),  # Murat, Cantal
        ("41.918648", "8.736879"),  # Ajaccio, Corsica
        ("51.034368", "2.376776"),  # Dunkerque, the far north
        ("48.390394", "-4.486076"),  # Brest, the far west
        ("16.270811", "-61.505391"),  # Les Abymes, Guadeloupe
        ("-20.882057", "55.450675"),  # Saint-Denis, La Réunion
        ("4.922420", "-52.313453"),  # Cayenne, Guyane
        ("-12.780556", "45.227778"),  # Mamoudzou, Mayotte
    ],
)
def test_it_accepts_coordinates_in_france(latitude: str, longitude: str) -> None:
    validate_coordinates_in_france(Decimal(latitude), Decimal(longitude))


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("2.869290", "45.110573"),  # Murat with latitude and longitude swapped
        ("51.507400", "-0.127800"),  # London
        ("40.416800", "-3.703800"),  # Madrid
        ("45.437191", "12.334590"),  # Venice
        ("0", "0"),
    ],
)
def test_it_rejects_coordinates_outside_france(latitude: str, longitude: str) -> None:
    error = _error(validate_coordinates_in_france, Decimal(latitude), Decimal(longitude))
    assert list(error.error_dict) == ["latitude"]
    (field_error,) = error.error_dict["latitude"]
    assert field_error.code == "outside_france"
    with override("en"):
        assert error.message_dict == {
            "latitude": [
                f"These coordinates ({Decimal(latitude)}, {Decimal(longitude)}) are not in "
                "France. Check that latitude and longitude are not swapped."
            ]
        }


def test_it_leaves_missing_or_non_numeric_coordinates_to_the_fields() -> None:
    validate_coordinates_in_france(None, Decimal("2.87"))
    validate_coordinates_in_france(Decimal("45.11"), None)
    validate_coordinates_in_france("north", "east")  # as typed in a form
