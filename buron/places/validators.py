"""Validators of the places' fields, each with a clear message and an error code."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from buron.core.geo import is_in_france

validate_insee_code = RegexValidator(
    r"^(?:\d{5}|2[AB]\d{3})$",
    _("An INSEE code has five characters: digits, or 2A/2B followed by three digits (Corsica)."),
    code="invalid_insee",
)
validate_postal_code = RegexValidator(
    r"^\d{5}$", _("A postal code has exactly five digits."), code="invalid_postal_code"
)

# La Poste's establishments share one SIREN and do not follow the Luhn rule: the sum of the
# 14 digits of their SIRET is a multiple of 5 instead (INSEE's published exception).
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET has 14 digits (spaces allowed between groups) and passes the Luhn check."""
    digits = value.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="invalid_siret")
    if luhn_ok(digits):
        return
    if digits.startswith(LA_POSTE_SIREN) and sum(int(c) for c in digits) % 5 == 0:
        return
    raise ValidationError(
        _("This SIRET number is not valid (its check digit does not match)."),
        code="invalid_siret",
    )


@lru_cache(maxsize=1)
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (for example: Europe/Paris)."),
            code="unknown_time_zone",
            params={"value": value},
        )


def validate_coordinates_in_france(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """Both coordinates inside one of France's boxes (metropolitan, Corsica, overseas)."""
    if latitude is None or longitude is None:
        return
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return  # not a number: the field's own validation reports it
    if not is_in_france(lat, lon):
        raise ValidationError(
            {
                "latitude": ValidationError(
                    _(
                        "These coordinates (%(lat)s, %(lon)s) are not in France. "
                        "Check that latitude and longitude are not swapped."
                    ),
                    code="outside_france",
                    params={"lat": latitude, "lon": longitude},
                )
            }
        )
