"""Small geographic helpers: where France is, and distances between two points."""

from __future__ import annotations

import math
from decimal import Decimal

# Bounding boxes (south, west, north, east) of metropolitan France, Corsica included, and of
# the overseas départements and collectivities where a third place may stand.
FRANCE_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (41.3, -5.2, 51.1, 9.6),  # metropolitan France and Corsica
    (15.8, -61.9, 16.6, -60.9),  # Guadeloupe
    (14.3, -61.3, 14.9, -60.8),  # Martinique
    (2.1, -54.6, 5.8, -51.6),  # Guyane
    (-21.4, 55.2, -20.8, 55.9),  # La Réunion
    (-13.1, 44.9, -12.6, 45.3),  # Mayotte
    (46.7, -56.5, 47.2, -56.1),  # Saint-Pierre-et-Miquelon
)

EARTH_RADIUS_KM = 6371.0088


def is_in_france(latitude: float | Decimal, longitude: float | Decimal) -> bool:
    lat, lon = float(latitude), float(longitude)
    return any(s <= lat <= n and w <= lon <= e for s, w, n, e in FRANCE_BOXES)


def distance_km(
    lat1: float | Decimal, lon1: float | Decimal, lat2: float | Decimal, lon2: float | Decimal
) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
