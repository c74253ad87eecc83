"""Each bad input is rejected with a clear message by full_clean(), and by the database
itself wherever a constraint guards it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import override

from buron.places.models import (
    Closure,
    Network,
    OpeningPeriod,
    Resource,
    Site,
)
from buron.places.tests.factories import (
    AnnexFactory,
    ClosureFactory,
    CommuneFactory,
    NetworkFactory,
    OpeningPeriodFactory,
    ResourceFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def clean_errors(instance: models.Model) -> dict[str, list[tuple[str | None, str]]]:
    """full_clean()'s errors as {field: [(code, English message)]}; fails if it passes."""
    with pytest.raises(ValidationError) as caught, override("en"):
        instance.full_clean()
    with override("en"):
        return {
            field: [(error.code, next(iter(error))) for error in errors]
            for field, errors in caught.value.error_dict.items()
        }


def db_rejects(model: type[models.Model], **fields: object) -> None:
    """The database itself refuses the row (no full_clean on the way)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


def unsaved_site(**fields: object) -> Site:
    fields.setdefault("network", NetworkFactory())
    return SiteFactory.build(**fields)


# --- Network ------------------------------------------------------------------------------


def test_a_network_with_valid_fields_passes() -> None:
    NetworkFactory.build(siret="732 829 320 00074", time_zone="America/Cayenne").full_clean()


def test_it_rejects_a_network_siret_failing_the_check_digit() -> None:
    network = NetworkFactory.build(siret="73282932000075")
    assert clean_errors(network) == {
        "siret": [
            ("invalid_siret", "This SIRET number is not valid (its check digit does not match).")
        ]
    }


def test_it_rejects_a_network_siret_without_fourteen_digits() -> None:
    network = NetworkFactory.build(siret="7328293200")
    assert clean_errors(network) == {
        "siret": [("invalid_siret", "A SIRET number has exactly 14 digits.")]
    }


def test_it_rejects_an_unknown_time_zone() -> None:
    network = NetworkFactory.build(time_zone="Europe/Aurillac")
    assert clean_errors(network) == {
        "time_zone": [
            (
                "unknown_time_zone",
                "“Europe/Aurillac” is not a known time zone (for example: Europe/Paris).",
            )
        ]
    }


def test_it_rejects_a_second_network_with_the_same_short_name() -> None:
    NetworkFactory(slug="cantal")
    assert clean_errors(Network(name="Autre", slug="cantal")) == {
        "slug": [("unique", "Network with this Short name already exists.")]
    }


def test_the_database_rejects_a_second_network_with_the_same_short_name() -> None:
    NetworkFactory(slug="cantal")
    db_rejects(Network, name="Autre", slug="cantal")


# --- Site: where it is ----------------------------------------------------------------------


def test_a_site_with_valid_fields_passes() -> None:
    unsaved_site().full_clean()


def test_it_rejects_a_site_with_latitude_and_longitude_swapped() -> None:
    site = unsaved_site(latitude=Decimal("2.869290"), longitude=Decimal("45.110573"))
    assert clean_errors(site) == {
        "latitude": [
            (
                "outside_france",
                "These coordinates (2.869290, 45.110573) are not in France. "
                "Check that latitude and longitude are not swapped.",
            )
        ]
    }


def test_it_accepts_a_site_overseas() -> None:
    unsaved_site(
        commune_name="Saint-Denis",
        insee_code="97411",
        postal_code="97400",
        latitude=Decimal("-20.882057"),
        longitude=Decimal("55.450675"),
    ).full_clean()


def test_it_rejects_a_latitude_beyond_the_pole() -> None:
    errors = clean_errors(unsaved_site(latitude=Decimal("91")))
    assert ("max_value", "Ensure this value is less than or equal to 90.") in errors["latitude"]


def test_it_rejects_a_malformed_insee_code() -> None:
    assert clean_errors(unsaved_site(insee_code="1513")) == {
        "insee_code": [
            (
                "invalid_insee",
                "An INSEE code has five characters: digits, or 2A/2B followed by three digits "
                "(Corsica).",
            )
        ]
    }


def test_it_rejects_a_malformed_postal_code() -> None:
    assert clean_errors(unsaved_site(postal_code="1530")) == {
        "postal_code": [("invalid_postal_code", "A postal code has exactly five digits.")]
    }


def test_it_rejects_a_postal_code_of_another_departement() -> None:
    assert clean_errors(unsaved_site(postal_code="43450")) == {
        "postal_code": [
            (
                "postal_code_elsewhere",
                "The postal code is not in the same département as the INSEE code.",
            )
        ]
    }


def test_it_accepts_a_postal_code_of_another_departement_when_the_commune_has_it() -> None:
    # Leyvaux (Cantal, 15105) is served by a Haute-Loire post office, as the table says.
    CommuneFactory(
        insee_code="15105",
        name="Leyvaux",
        postal_code="43450",
        latitude=Decimal("45.312605"),
        longitude=Decimal("3.072705"),
    )
    unsaved_site(
        commune_name="Leyvaux",
        insee_code="15105",
        postal_code="43450",
        latitude=Decimal("45.312605"),
        longitude=Decimal("3.072705"),
    ).full_clean()


def test_it_checks_corsican_postal_codes_against_20() -> None:
    corsica = {
        "commune_name": "Ajaccio",
        "insee_code": "2A004",
        "latitude": Decimal("41.918648"),
        "longitude": Decimal("8.736879"),
    }
    unsaved_site(postal_code="20000", **corsica).full_clean()
    assert clean_errors(unsaved_site(postal_code="15300", **corsica)) == {
        "postal_code": [
            (
                "postal_code_elsewhere",
                "The postal code is not in the same département as the INSEE code.",
            )
        ]
    }


def test_it_rejects_an_upload_speed_far_above_the_download_speed() -> None:
    site = unsaved_site(download_mbps=10, upload_mbps=500)
    assert clean_errors(site) == {
        "upload_mbps": [
            ("upload_above_download", "The upload speed looks wrong: check download and upload.")
        ]
    }


def test_it_rejects_a_connection_speed_of_zero() -> None:
    assert clean_errors(unsaved_site(download_mbps=0)) == {
        NON_FIELD_ERRORS: [
            (
                "speed_not_positive",
                "A connection speed is above zero; leave it empty when it is not known.",
            )
        ]
    }


def site_row(**fields: object) -> dict[str, object]:
    """The fields of a valid site, to write straight to the database."""
    return {
        "name": "Télécentre",
        "commune_name": "Murat",
        "insee_code": "15138",
        "postal_code": "15300",
        "address": "Place de la Mairie",
        "latitude": Decimal("45.110573"),
        "longitude": Decimal("2.869290"),
        **fields,
    }


def test_the_database_rejects_a_connection_speed_of_zero() -> None:
    network = NetworkFactory()
    db_rejects(Site, **site_row(network=network, slug="a", download_mbps=0))
    db_rejects(Site, **site_row(network=network, slug="b", upload_mbps=0))
    Site.objects.create(**site_row(network=network, slug="c", download_mbps=1, upload_mbps=1))


def test_it_rejects_a_second_site_with_the_same_short_name() -> None:
    SiteFactory(slug="murat")
    assert clean_errors(unsaved_site(slug="murat")) == {
        "slug": [("unique", "Site with this Short name (in addresses) already exists.")]
    }


def test_the_database_rejects_a_second_site_with_the_same_short_name() -> None:
    first = SiteFactory(slug="murat")
    db_rejects(Site, **site_row(network=first.network, slug="murat"))


# --- Site: telecentres and annexes ---------------------------------------------------------


def test_an_annex_of_a_telecentre_of_its_network_passes() -> None:
    telecentre = SiteFactory()
    AnnexFactory.build(network=telecentre.network, parent=telecentre).full_clean()


def test_it_rejects_an_annex_without_its_telecentre() -> None:
    assert clean_errors(unsaved_site(kind="annex", parent=None)) == {
        "parent": [("annex_without_parent", "An annex must name the telecentre it depends on.")]
    }


def test_it_rejects_a_telecentre_depending_on_another_site() -> None:
    other = SiteFactory()
    site = unsaved_site(kind="telecentre", network=other.network, parent=other)
    assert clean_errors(site) == {
        "parent": [("telecentre_with_parent", "Only an annex depends on another site.")]
    }


def test_it_rejects_an_annex_of_an_annex() -> None:
    annex = AnnexFactory()
    site = unsaved_site(kind="annex", network=annex.network, parent=annex)
    assert clean_errors(site) == {
        "parent": [("annex_of_annex", "An annex depends on a telecentre, not on an annex.")]
    }


def test_it_rejects_an_annex_of_a_telecentre_of_another_network() -> None:
    telecentre = SiteFactory(network=NetworkFactory(slug="lozere"))
    site = unsaved_site(kind="annex", network=NetworkFactory(slug="cantal"), parent=telecentre)
    assert clean_errors(site) == {
        "parent": [
            ("annex_of_other_network", "An annex depends on a telecentre of its own network.")
        ]
    }


def test_it_rejects_a_site_as_an_annex_of_itself() -> None:
    site = SiteFactory()
    site.kind = "annex"
    site.parent = site
    assert clean_errors(site) == {
        "parent": [("annex_of_itself", "A site cannot be an annex of itself.")]
    }


def test_it_rejects_turning_a_telecentre_with_annexes_into_an_annex() -> None:
    annex = AnnexFactory()
    telecentre = annex.parent
    telecentre.kind = "annex"
    telecentre.parent = SiteFactory(network=telecentre.network)
    assert clean_errors(telecentre) == {
        "kind": [
            (
                "annex_with_annexes",
                "This site has annexes of its own, so it must stay a telecentre.",
            )
        ]
    }


def test_it_rejects_moving_a_telecentre_away_from_its_annexes_network() -> None:
    telecentre = AnnexFactory().parent
    telecentre.network = NetworkFactory()
    assert clean_errors(telecentre) == {
        "network": [
            (
                "annexes_in_other_network",
                "This telecentre's annexes belong to another network: move them first.",
            )
        ]
    }


def test_it_rejects_moving_a_site_with_resources_to_another_network() -> None:
    site = ResourceFactory().site
    site.network = NetworkFactory()
    assert clean_errors(site) == {
        "network": [
            (
                "site_with_resources_moved",
                "This site has resources, so it cannot move to another network.",
            )
        ]
    }


def test_it_lets_a_site_without_resources_move_to_another_network() -> None:
    site = SiteFactory()
    site.network = NetworkFactory()
    site.full_clean()


def test_the_database_rejects_an_annex_without_a_telecentre() -> None:
    db_rejects(Site, **site_row(network=NetworkFactory(), slug="annexe", kind="annex"))


def test_the_database_rejects_a_telecentre_with_a_parent() -> None:
    parent = SiteFactory()
    db_rejects(Site, **site_row(network=parent.network, slug="x", kind="telecentre", parent=parent))


def test_the_database_accepts_an_annex_with_its_telecentre() -> None:
    parent = SiteFactory()
    Site.objects.create(**site_row(network=parent.network, slug="x", kind="annex", parent=parent))


# --- Opening hours ------------------------------------------------------------------------


def period(**fields: object) -> OpeningPeriod:
    fields.setdefault("site", SiteFactory())
    return OpeningPeriodFactory.build(**fields)


def test_opening_hours_that_make_sense_pass() -> None:
    period(half_day="am", opens=dt.time(8, 30), closes=dt.time(12, 30)).full_clean()
    period(half_day="pm", opens=dt.time(13, 30), closes=dt.time(18)).full_clean()


@pytest.mark.parametrize("closes", [dt.time(8, 0), dt.time(9, 0)])
def test_it_rejects_closing_before_or_when_opening(closes: dt.time) -> None:
    assert clean_errors(period(opens=dt.time(9, 0), closes=closes)) == {
        "closes": [("closes_before_opens", "The closing time must come after the opening time.")]
    }


def test_it_rejects_a_morning_ending_after_two_pm() -> None:
    assert clean_errors(period(half_day="am", closes=dt.time(14, 30))) == {
        "closes": [("morning_too_late", "A morning ends at 14:00 at the latest.")]
    }


def test_a_morning_may_end_at_two_pm() -> None:
    period(half_day="am", closes=dt.time(14, 0)).full_clean()


def test_it_rejects_an_afternoon_starting_before_eleven() -> None:
    errors = clean_errors(period(half_day="pm", opens=dt.time(10, 30), closes=dt.time(18)))
    assert errors == {
        "opens": [("afternoon_too_early", "An afternoon starts at 11:00 at the earliest.")]
    }


def test_an_afternoon_may_start_at_eleven() -> None:
    period(half_day="pm", opens=dt.time(11, 0), closes=dt.time(18)).full_clean()


def test_it_rejects_a_morning_ending_after_the_afternoon_starts() -> None:
    afternoon = OpeningPeriodFactory(half_day="pm", opens=dt.time(12, 0), closes=dt.time(18))
    morning = period(site=afternoon.site, half_day="am", closes=dt.time(12, 30))
    assert clean_errors(morning) == {
        "closes": [
            ("morning_overlaps_afternoon", "The morning must end before the afternoon starts.")
        ]
    }


def test_it_rejects_an_afternoon_starting_before_the_morning_ends() -> None:
    morning = OpeningPeriodFactory(half_day="am", opens=dt.time(8), closes=dt.time(13))
    afternoon = period(site=morning.site, half_day="pm", opens=dt.time(12, 30), closes=dt.time(18))
    assert clean_errors(afternoon) == {
        "opens": [
            ("morning_overlaps_afternoon", "The morning must end before the afternoon starts.")
        ]
    }


def test_a_morning_may_end_when_the_afternoon_starts() -> None:
    afternoon = OpeningPeriodFactory(half_day="pm", opens=dt.time(12, 30), closes=dt.time(18))
    period(site=afternoon.site, half_day="am", closes=dt.time(12, 30)).full_clean()


def test_the_afternoon_of_another_day_does_not_constrain_the_morning() -> None:
    afternoon = OpeningPeriodFactory(
        weekday=1, half_day="pm", opens=dt.time(11), closes=dt.time(18)
    )
    period(site=afternoon.site, weekday=0, half_day="am", closes=dt.time(13)).full_clean()


def test_a_saved_morning_can_be_changed_without_clashing_with_itself() -> None:
    morning = OpeningPeriodFactory(half_day="am")
    morning.closes = dt.time(13)
    morning.full_clean()


def test_it_rejects_two_opening_periods_for_the_same_half_day() -> None:
    existing = OpeningPeriodFactory(weekday=2, half_day="am")
    duplicate = period(site=existing.site, weekday=2, half_day="am", closes=dt.time(12))
    assert clean_errors(duplicate) == {
        NON_FIELD_ERRORS: [("half_day_taken", "This half-day already has opening hours.")]
    }


def test_it_rejects_a_weekday_beyond_sunday() -> None:
    assert clean_errors(period(weekday=7)) == {
        "weekday": [("invalid_choice", "Value 7 is not a valid choice.")]
    }


def test_the_database_rejects_opening_hours_that_make_no_sense() -> None:
    site = SiteFactory()
    morning = {"site": site, "half_day": "am", "weekday": 0}
    db_rejects(OpeningPeriod, **morning, opens=dt.time(10), closes=dt.time(9))
    db_rejects(OpeningPeriod, **morning, opens=dt.time(10), closes=dt.time(10))
    db_rejects(OpeningPeriod, **morning, opens=dt.time(9), closes=dt.time(14, 30))
    db_rejects(
        OpeningPeriod, site=site, weekday=0, half_day="pm", opens=dt.time(10), closes=dt.time(18)
    )
    db_rejects(
        OpeningPeriod, site=site, weekday=7, half_day="am", opens=dt.time(9), closes=dt.time(12)
    )
    OpeningPeriod.objects.create(**morning, opens=dt.time(9), closes=dt.time(14))
    db_rejects(OpeningPeriod, **morning, opens=dt.time(8), closes=dt.time(12))


# --- Closures -----------------------------------------------------------------------------


def test_a_one_day_closure_passes() -> None:
    ClosureFactory.build(
        site=SiteFactory(), start_date=dt.date(2027, 7, 15), end_date=dt.date(2027, 7, 15)
    ).full_clean()


def test_it_rejects_a_closure_ending_before_it_starts() -> None:
    closure = ClosureFactory.build(
        site=SiteFactory(), start_date=dt.date(2027, 7, 15), end_date=dt.date(2027, 7, 14)
    )
    assert clean_errors(closure) == {
        "end_date": [("ends_before_start", "A closure cannot end before it starts.")]
    }


def test_the_database_rejects_a_closure_ending_before_it_starts() -> None:
    db_rejects(
        Closure,
        site=SiteFactory(),
        start_date=dt.date(2027, 7, 15),
        end_date=dt.date(2027, 7, 14),
        reason="works",
    )


# --- Resources ----------------------------------------------------------------------------


def resource(site: Site | None = None, **fields: object) -> Resource:
    site = site or SiteFactory()
    fields.setdefault("network", site.network)
    return ResourceFactory.build(site=site, **fields)


def test_a_desk_and_a_meeting_room_pass() -> None:
    resource(kind="desk").full_clean()
    resource(kind="meeting_room", capacity=10, booking_unit="hour").full_clean()


def test_it_rejects_a_desk_for_two_people() -> None:
    assert clean_errors(resource(kind="desk", capacity=2)) == {
        "capacity": [("desk_capacity", "A desk holds exactly one person.")]
    }


def test_it_rejects_a_desk_booked_by_the_hour() -> None:
    assert clean_errors(resource(kind="desk", booking_unit="hour")) == {
        "booking_unit": [("desk_booking_unit", "A desk is booked by the half-day.")]
    }


def test_it_rejects_a_resource_for_nobody() -> None:
    errors = clean_errors(resource(kind="meeting_room", capacity=0, booking_unit="hour"))
    assert errors == {"capacity": [("min_value", "A resource holds at least one person.")]}


def test_it_rejects_two_resources_with_the_same_name_at_one_site() -> None:
    existing = ResourceFactory(name="Poste 1")
    assert clean_errors(resource(site=existing.site, name="Poste 1")) == {
        NON_FIELD_ERRORS: [
            ("resource_name_taken", "This site already has a resource with this name.")
        ]
    }


def test_two_sites_may_each_have_a_resource_with_the_same_name() -> None:
    existing = ResourceFactory(name="Poste 1")
    resource(site=SiteFactory(network=existing.network), name="Poste 1").full_clean()


def test_it_rejects_a_resource_of_another_network_than_its_site() -> None:
    site = SiteFactory(network=NetworkFactory(slug="cantal"))
    other = NetworkFactory(slug="lozere")
    assert clean_errors(resource(site=site, network=other)) == {
        "site": [
            ("site_in_other_network", "The site belongs to another network than the resource.")
        ]
    }


def test_the_database_rejects_resources_breaking_its_rules() -> None:
    site = SiteFactory()
    base = {"site": site, "network": site.network}
    Resource.objects.create(**base, kind="desk", name="Poste 1", booking_unit="half_day")
    db_rejects(Resource, **base, kind="desk", name="Poste 1", booking_unit="half_day")
    db_rejects(Resource, **base, kind="desk", name="Poste 2", capacity=2, booking_unit="half_day")
    db_rejects(Resource, **base, kind="desk", name="Poste 3", booking_unit="hour")
    db_rejects(Resource, **base, kind="meeting_room", name="Salle", capacity=0, booking_unit="hour")


def test_the_booking_unit_follows_the_kind_in_clean_and_in_the_database():
    site = SiteFactory()
    with override("en"):
        office = Resource(
            site=site, network=site.network, kind="private_office", name="B", booking_unit="hour"
        )
        with pytest.raises(ValidationError) as caught:
            office.full_clean()
    assert caught.value.error_dict["booking_unit"][0].code == "kind_booking_unit"
    for kind, unit in (("private_office", "hour"), ("visio_room", "half_day")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Resource.objects.create(
                site=site, network=site.network, kind=kind, name=kind, booking_unit=unit
            )
    room = ResourceFactory(site=site, kind="meeting_room", name="Salle", capacity=6)
    room.kind = "private_office"
    room.booking_unit = "half_day"
    with pytest.raises(ValidationError) as caught:
        room.full_clean()
    assert caught.value.error_dict["kind"][0].code == "kind_changed"
