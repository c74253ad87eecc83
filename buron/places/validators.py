from __future__ import annotations

from decimal import Decimal

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


def validate_siret(value: str) -> None:
    """A SIRET has 14 digits and passes the Luhn check (La Poste's SIRETs excepted)."""
    digits = value.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="invalid_siret")
    if digits.startswith("356000000"):
        return
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    if total % 10:
        raise ValidationError(
            _("This SIRET number is not valid (its check digit does not match)."),
            code="invalid_siret",
        )


def validate_coordinates_in_france(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if latitude is None or longitude is None:
        return
    if not is_in_france(latitude, longitude):
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
