"""Phone numbers: French formats by default, any country in the +international form."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "FR"


def phone_normalized(text: str) -> str:
    """The number written the usual way: French numbers as "06 12 34 56 78", others in the
    international form ("+32 470 12 34 56"); "" for no number. Raises ValidationError for
    text that is not a valid phone number."""
    text = text.strip()
    if not text:
        return ""
    message = _(
        "Enter a valid phone number, for example “06 12 34 56 78” or, outside France, "
        "“+32 470 12 34 56”."
    )
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(message, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
