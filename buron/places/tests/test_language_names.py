"""Names in the page's language: public holidays, resources."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from buron.places.selectors import public_holiday_name
from buron.places.tests.factories import ResourceFactory

MAY_DAY = dt.date(2027, 5, 1)


def test_holidays_are_named_in_british_english_and_in_french():
    with translation.override("en"):
        assert public_holiday_name(MAY_DAY) == "Labour Day"
        assert public_holiday_name(dt.date(2027, 12, 25)) == "Christmas Day"
    with translation.override("fr"):
        assert public_holiday_name(MAY_DAY) == "Fête du Travail"


@pytest.mark.django_db
def test_a_resource_shows_its_english_name_on_english_pages_only():
    office = ResourceFactory(kind="private_office", name="Bureau fermé", name_en="Private office")
    desk = ResourceFactory(name="Poste 1")
    with translation.override("en"):
        assert office.label == "Private office"
        assert desk.label == "Poste 1", "without an English name, the name"
    with translation.override("fr"):
        assert office.label == "Bureau fermé"
