"""The official communes table: the committed extract and the command that loads it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from buron.core.geo import is_in_france
from buron.places.communes import COMMUNES_CSV, communes_from_csv, communes_load
from buron.places.models import Commune
from buron.places.tests.factories import CommuneFactory

# A few communes and what the official table says of them (INSEE code, name, postal code,
# département, latitude, longitude), checked against the extract below.
KNOWN = {
    "15014": ("Aurillac", "15000", "15", Decimal("44.930317"), Decimal("2.444953")),
    "15138": ("Murat", "15300", "15", Decimal("45.110573"), Decimal("2.869290")),
    "2A004": ("Ajaccio", "20000", "2A", Decimal("41.918648"), Decimal("8.736879")),
    "97101": ("Abymes", "97139", "971", Decimal("16.270811"), Decimal("-61.505391")),
}


@pytest.fixture(scope="module")
def extract() -> dict[str, Commune]:
    return communes_from_csv()


def test_the_extract_covers_every_french_commune(extract: dict[str, Commune]) -> None:
    # France counts about 34,900 communes (mainland, Corsica and the overseas départements).
    assert 34_000 < len(extract) < 36_000
    assert all(code == commune.insee_code for code, commune in extract.items())


def test_the_extract_gives_aurillac_where_it_is(extract: dict[str, Commune]) -> None:
    aurillac = extract["15014"]
    assert aurillac.name == "Aurillac"
    assert aurillac.latitude == pytest.approx(Decimal("44.93"), abs=Decimal("0.01"))
    assert aurillac.longitude == pytest.approx(Decimal("2.44"), abs=Decimal("0.01"))


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_the_extract_knows_some_communes(extract: dict[str, Commune], code: str) -> None:
    commune = extract[code]
    name, postal_code, department, latitude, longitude = KNOWN[code]
    assert (commune.name, commune.postal_code, commune.department) == (
        name,
        postal_code,
        department,
    )
    assert (commune.latitude, commune.longitude) == (latitude, longitude)


def test_the_extract_places_every_commune_in_france(extract: dict[str, Commune]) -> None:
    outside = [c.insee_code for c in extract.values() if not is_in_france(c.latitude, c.longitude)]
    assert outside == []


def test_the_extract_places_each_cantal_commune_in_the_cantal(extract: dict[str, Commune]) -> None:
    # The Cantal lies between about 44.6 and 45.5 N, 2.0 and 3.4 E. The source's town-hall
    # positions once put Lascelle (15096) near Paris and Vabres (15245) in the Gard.
    cantal = [c for c in extract.values() if c.department == "15"]
    assert len(cantal) == 246
    misplaced = [
        c.insee_code
        for c in cantal
        if not (44.6 <= c.latitude <= 45.5 and 2.0 <= c.longitude <= 3.4)
    ]
    assert misplaced == []


@pytest.mark.django_db
def test_the_command_loads_the_extract_then_adds_nothing(extract: dict[str, Commune]) -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("communes_load", stdout=first)
    assert first.getvalue().strip() == f"{len(extract)} communes added."
    assert Commune.objects.count() == len(extract)
    for code, (name, postal_code, department, latitude, longitude) in KNOWN.items():
        row = Commune.objects.get(pk=code)
        assert (row.name, row.postal_code, row.department) == (name, postal_code, department)
        assert (row.latitude, row.longitude) == (latitude, longitude)

    call_command("communes_load", stdout=second)
    assert second.getvalue().strip() == "0 communes added."
    assert Commune.objects.count() == len(extract)


@pytest.mark.django_db
def test_loading_adds_the_missing_communes_and_corrects_the_others(tmp_path: Path) -> None:
    CommuneFactory(insee_code="15138", name="Murat (a wrong name)")
    small = tmp_path / "communes.csv"
    with COMMUNES_CSV.open(encoding="utf-8", newline="") as source:
        rows = [row for row in csv.DictReader(source) if row["insee_code"] in KNOWN]
    with small.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    assert communes_load(small) == len(KNOWN)  # all added but Murat, which is corrected
    assert communes_load(small) == 0
    assert Commune.objects.count() == len(KNOWN)
    assert Commune.objects.get(pk="15138").name == "Murat"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Saint Flour", "15187"),
        ("st-flour", "15187"),
        ("CHAUDES AIGUES", "15045"),
        ("chaudes-aigues (15110)", "15045"),
        ("Arpajon sur Cere", "15012"),
    ],
)
def test_a_commune_is_found_whatever_its_accents_hyphens_or_case(typed, expected):
    from buron.places.communes import commune_lookup, communes_from_csv

    wanted = communes_from_csv()
    Commune.objects.bulk_create(wanted[code] for code in ("15187", "15045", "15012", "15014"))
    assert [c.insee_code for c in commune_lookup(typed)] == [expected]


@pytest.mark.django_db
def test_loading_again_updates_a_commune_whose_values_changed():
    from buron.places.communes import communes_from_csv, communes_load

    row = communes_from_csv()["15014"]
    row.latitude = row.latitude + 1
    row.search_name = ""
    row.save()
    assert communes_load() >= 1
    fresh = Commune.objects.get(insee_code="15014")
    assert fresh.latitude == communes_from_csv()["15014"].latitude
    assert fresh.search_name == "aurillac"
