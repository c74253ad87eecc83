from __future__ import annotations

from decimal import Decimal

import pytest

from buron.core.geo import distance_km, is_in_france

AURILLAC = (Decimal("44.930317"), Decimal("2.444953"))
MURAT = (Decimal("45.110573"), Decimal("2.869290"))


def test_it_measures_the_distance_between_two_towns() -> None:
    # Aurillac to Murat: about 39 km as the crow flies.
    assert distance_km(*AURILLAC, *MURAT) == pytest.approx(39.0, abs=1.0)
    assert distance_km(*MURAT, *AURILLAC) == distance_km(*AURILLAC, *MURAT)
    assert distance_km(*MURAT, *MURAT) == 0


def test_it_measures_a_long_distance() -> None:
    paris, marseille = (48.8566, 2.3522), (43.2965, 5.3698)
    assert distance_km(*paris, *marseille) == pytest.approx(661, abs=5)


@pytest.mark.parametrize(
    ("latitude", "longitude", "inside"),
    [
        (45.11, 2.87, True),  # Murat
        (42.70, 9.45, True),  # Bastia
        (14.60, -61.07, True),  # Fort-de-France
        (46.78, -56.17, True),  # Saint-Pierre
        (2.87, 45.11, False),  # Murat, swapped
        (52.52, 13.40, False),  # Berlin
        (-33.87, 151.21, False),  # Sydney
    ],
)
def test_it_tells_whether_a_point_is_in_france(
    latitude: float, longitude: float, inside: bool
) -> None:
    assert is_in_france(latitude, longitude) is inside
