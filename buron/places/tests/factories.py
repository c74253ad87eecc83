from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from buron.places.communes import search_name as communes_search_name
from buron.places.models import (
    DEFAULT_UNIT,
    Amenity,
    Closure,
    Commune,
    Network,
    OpeningPeriod,
    Resource,
    ResourceKind,
    Site,
)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"amenity-{n}")
    name_fr = factory.Sequence(lambda n: f"Équipement {n}")
    name_en = factory.Sequence(lambda n: f"Amenity {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    """Murat (Cantal) unless told otherwise; values from buron/places/data/communes.csv."""

    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    insee_code = "15138"
    name = "Murat"
    postal_code = "15300"
    department = "15"
    latitude = Decimal("45.110573")
    longitude = Decimal("2.869290")
    search_name = factory.LazyAttribute(lambda o: communes_search_name(o.name))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    network = factory.SubFactory(NetworkFactory)
    kind = "telecentre"
    name = factory.Sequence(lambda n: f"Télécentre {n}")
    slug = factory.Sequence(lambda n: f"telecentre-{n}")
    commune_name = "Murat"
    insee_code = "15138"
    postal_code = "15300"
    address = "Place de la Mairie"
    latitude = Decimal("45.110573")
    longitude = Decimal("2.869290")


class AnnexFactory(SiteFactory):
    """An annex of a telecentre of the same network."""

    kind = "annex"
    name = factory.Sequence(lambda n: f"Annexe {n}")
    slug = factory.Sequence(lambda n: f"annexe-{n}")
    parent = factory.SubFactory(SiteFactory, network=factory.SelfAttribute("..network"))


class OpeningPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningPeriod

    site = factory.SubFactory(SiteFactory)
    weekday = 0
    half_day = "am"
    opens = dt.time(8, 30)
    closes = dt.time(12, 30)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    site = factory.SubFactory(SiteFactory)
    start_date = dt.date(2027, 2, 1)
    end_date = dt.date(2027, 2, 5)
    reason = "works"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    site = factory.SubFactory(SiteFactory)
    network = factory.LazyAttribute(lambda o: o.site.network)
    kind = "desk"
    name = factory.Sequence(lambda n: f"Poste {n}")
    capacity = 1
    booking_unit = factory.LazyAttribute(lambda o: DEFAULT_UNIT[ResourceKind(o.kind)])


def open_all_week(site: Site, days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> None:
    """Give a site the usual hours: 8:30 to 12:30 and 13:30 to 18:00 on the given weekdays."""
    for weekday in days:
        OpeningPeriodFactory(site=site, weekday=weekday, half_day="am")
        OpeningPeriodFactory(
            site=site, weekday=weekday, half_day="pm", opens=dt.time(13, 30), closes=dt.time(18)
        )


def site_admin_form(
    site_fields: dict[str, object], **formsets: list[dict[str, object]]
) -> dict[str, object]:
    """The POST data of the site admin form, with its three inline formsets."""
    data: dict[str, object] = {**site_fields}
    for prefix in ("opening_periods", "closures", "resources"):
        rows = formsets.get(prefix, [])
        initial = sum(1 for row in rows if row.get("id"))
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def site_admin_fields(network_id: int, slug: str) -> dict[str, object]:
    """The fields of Murat's site form in the admin, under another short name if asked."""
    return {
        "network": str(network_id),
        "kind": "telecentre",
        "name": "Télécentre de Murat",
        "slug": slug,
        "is_published": "on",
        "commune_name": "Murat",
        "insee_code": "15138",
        "postal_code": "15300",
        "address": "Place de la Mairie",
        "latitude": "45.110573",
        "longitude": "2.869290",
    }
