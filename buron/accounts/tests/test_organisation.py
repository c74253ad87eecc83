"""SIREN, SIRET and VAT numbers are checked (length, Luhn key, French VAT key)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from buron.accounts.models import Organisation
from buron.accounts.validators import (
    french_vat_key,
    validate_siren,
    validate_siret,
    validate_vat_number,
)
from buron.places.tests.factories import NetworkFactory


@pytest.mark.parametrize("value", ["400123451", "400 123 451", "356000000", "732829320"])
def test_it_accepts_valid_sirens(value):
    validate_siren(value)


@pytest.mark.parametrize("value", ["400123452", "40012345", "4001234511", "40012345A", ""])
def test_it_refuses_bad_sirens(value):
    with pytest.raises(ValidationError) as info:
        validate_siren(value)
    assert info.value.code == "invalid_siren"


@pytest.mark.parametrize("value", ["40012345100017", "400 123 451 00017"])
def test_it_accepts_valid_sirets(value):
    validate_siret(value)


@pytest.mark.parametrize("value", ["40012345100018", "4001234510001", "4001234510001X"])
def test_it_refuses_bad_sirets(value):
    with pytest.raises(ValidationError):
        validate_siret(value)


def test_the_french_vat_key_follows_the_siren():
    assert french_vat_key("400123451") == "21"
    assert french_vat_key("732829320") == "44"


@pytest.mark.parametrize(
    "value", ["FR21400123451", "FR 21 400123451", "DE123456789", "BE0123456789"]
)
def test_it_accepts_valid_vat_numbers(value):
    validate_vat_number(value)


@pytest.mark.parametrize(
    "value", ["FR22400123451", "FR2140012345", "FRXX400123451", "123456789", "F1234"]
)
def test_it_refuses_bad_vat_numbers(value):
    with pytest.raises(ValidationError) as info:
        validate_vat_number(value)
    assert info.value.code == "invalid_vat_number"


@pytest.mark.django_db
def test_an_organisation_s_siret_and_vat_number_belong_to_its_siren():
    network = NetworkFactory()
    org = Organisation(
        network=network,
        legal_name="Demo",
        siren="400123451",
        siret="85012345600012",
        vat_number="FR14850123456",
        address_lines="1 rue",
        postcode="15000",
        city="Aurillac",
    )
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert set(info.value.message_dict) == {"siret", "vat_number"}
    org.siret, org.vat_number = "40012345100017", "FR21400123451"
    org.full_clean()
