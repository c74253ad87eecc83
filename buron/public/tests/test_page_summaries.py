from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from buron.places import selectors
from buron.places.models import Resource
from buron.places.tests.factories import ResourceFactory, SiteFactory
from buron.public import presenters
from buron.public.templatetags.public_format import eur, tel_href


def resource(kind: str, name: str, capacity: int = 1) -> Resource:
    return Resource(kind=kind, name=name, capacity=capacity)


def test_offer_summary_counts_per_kind_in_the_kinds_order() -> None:
    lines = presenters.offer_summary(
        [
            resource("visio_room", "Visio", 4),
            resource("desk", "Poste 1"),
            resource("meeting_room", "Grande salle", 12),
            resource("desk", "Poste 2"),
            resource("meeting_room", "Petite salle", 6),
        ]
    )
    assert [(line.kind, line.count, line.capacity) for line in lines] == [
        ("desk", 2, 2),
        ("meeting_room", 2, 18),
        ("visio_room", 1, 4),
    ]
    assert lines[0].rooms == ()
    assert lines[1].rooms == (("Grande salle", 12), ("Petite salle", 6))


def test_offer_summary_of_nothing_is_empty() -> None:
    assert presenters.offer_summary([]) == []


@pytest.mark.django_db
def test_map_points_share_a_marker_for_sites_at_the_same_place() -> None:
    murat = SiteFactory(name="Murat", slug="murat")
    extension = SiteFactory(network=murat.network, name="Murat — extension", slug="murat-ext")
    ydes = SiteFactory(
        network=murat.network,
        name="Ydes",
        slug="ydes",
        commune_name="Ydes",
        latitude=Decimal("45.347900"),
        longitude=Decimal("2.437100"),
    )
    points = presenters.map_points([murat, extension, ydes])
    assert points == [
        {
            "lat": 45.110573,
            "lon": 2.86929,
            "sites": [
                {"name": "Murat", "commune": "Murat", "url": "/sites/murat/"},
                {"name": "Murat — extension", "commune": "Murat", "url": "/sites/murat-ext/"},
            ],
        },
        {
            "lat": 45.3479,
            "lon": 2.4371,
            "sites": [{"name": "Ydes", "commune": "Ydes", "url": "/sites/ydes/"}],
        },
    ]


@pytest.mark.django_db
def test_sites_for_list_counts_only_active_resources() -> None:
    site = SiteFactory()
    ResourceFactory(site=site, name="Poste 1")
    ResourceFactory(site=site, name="Poste 2", is_active=False)
    ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=6, booking_unit="hour")
    SiteFactory(network=site.network, is_published=False)
    (listed,) = selectors.published_sites_with_counts()
    assert (listed.pk, listed.desk_count, listed.room_count) == (site.pk, 1, 1)


def test_next_public_holidays_start_today_and_are_named_in_the_active_language() -> None:
    with translation.override("en"):
        holidays = presenters.next_public_holidays(dt.date(2027, 12, 25), count=3)
    assert [day for day, _name in holidays] == [
        dt.date(2027, 12, 25),
        dt.date(2028, 1, 1),
        dt.date(2028, 4, 17),
    ]
    assert holidays[0][1] == "Christmas Day"
    with translation.override("fr"):
        assert presenters.next_public_holidays(dt.date(2027, 12, 25), count=1)[0][1] == "Noël"


def test_amounts_follow_the_active_language() -> None:
    with translation.override("fr"):
        assert eur(Decimal("12.50")) == "12,50\u00a0€"
    with translation.override("en"):
        assert eur(Decimal("12.50")) == "€12.50"


def test_phone_numbers_become_tel_links() -> None:
    assert tel_href("04 71 00.00-00") == "tel:0471000000"
    assert tel_href("+33 4 71 00 00 00") == "tel:+33471000000"
