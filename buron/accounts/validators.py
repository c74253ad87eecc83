"""Validators of French company identifiers: SIREN, SIRET and the intra-EU VAT number."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buron.places.validators import LA_POSTE_SIREN, luhn_ok, validate_siret

__all__ = ["french_vat_key", "validate_siren", "validate_siret", "validate_vat_number"]


def validate_siren(value: str) -> None:
    """A SIREN has 9 digits (spaces allowed between groups) and passes the Luhn check."""
    digits = value.replace(" ", "")
    if len(digits) != 9 or not digits.isdigit():
        raise ValidationError(_("A SIREN number has exactly 9 digits."), code="invalid_siren")
    if digits == LA_POSTE_SIREN or luhn_ok(digits):
        return
    raise ValidationError(
        _("This SIREN number is not valid (its check digit does not match)."),
        code="invalid_siren",
    )


def french_vat_key(siren: str) -> str:
    """The two-digit key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


_EU_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,12}$")


def validate_vat_number(value: str) -> None:
    """An intra-EU VAT number: two letters then 2 to 12 characters; a French one (FR) is
    FR + the two-digit key + the SIREN, the key checked against the SIREN."""
    number = value.replace(" ", "").upper()
    if not _EU_VAT.match(number):
        raise ValidationError(
            _("An intra-EU VAT number starts with the country's two letters (e.g. FR)."),
            code="invalid_vat_number",
        )
    if not number.startswith("FR"):
        return
    key, siren = number[2:4], number[4:]
    if len(number) != 13 or not number[2:].isdigit():
        raise ValidationError(
            _("A French VAT number is FR, a two-digit key and the 9-digit SIREN."),
            code="invalid_vat_number",
        )
    if key != french_vat_key(siren):
        raise ValidationError(
            _("This French VAT number's key does not match its SIREN."),
            code="invalid_vat_number",
        )
