"""The official list of communes, loaded from the committed extract of public open data."""

from __future__ import annotations

import csv
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import Commune

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes.csv"
FIELDS = ("name", "postal_code", "department", "latitude", "longitude", "search_name")
ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def search_name(text: str) -> str:
    """A commune's name as people type it: no accents, case, hyphens or apostrophes, and
    “St”/“Ste” spelt out (“St Flour” and “Saint-Flour” give “saint flour”)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def communes_from_csv(path: Path = COMMUNES_CSV) -> dict[str, Commune]:
    with path.open(encoding="utf-8", newline="") as f:
        return {
            row["insee_code"]: Commune(
                insee_code=row["insee_code"],
                name=row["name"],
                postal_code=row["postal_code"],
                department=row["department"],
                latitude=Decimal(row["latitude"]),
                longitude=Decimal(row["longitude"]),
                search_name=search_name(row["name"]),
            )
            for row in csv.DictReader(f)
        }


@transaction.atomic
def communes_load(path: Path = COMMUNES_CSV) -> int:
    """Bring the table in line with the extract: insert the communes missing, update those
    whose values changed. Returns how many rows were added or changed."""
    wanted = communes_from_csv(path)
    present = {c.insee_code: c for c in Commune.objects.all()}
    missing = [c for code, c in wanted.items() if code not in present]
    changed = [
        c
        for code, c in wanted.items()
        if code in present and any(getattr(c, f) != getattr(present[code], f) for f in FIELDS)
    ]
    Commune.objects.bulk_create(missing, batch_size=2000)
    Commune.objects.bulk_update(changed, FIELDS, batch_size=2000)
    return len(missing) + len(changed)


def commune_lookup(text: str) -> list[Commune]:
    """Communes matching what a person typed: an INSEE code, a postal code, or a name
    (optionally followed by its postal code, as in “Murat (15300)”), whatever its accents,
    hyphens or case. At most 20."""
    text = text.strip()
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", text, flags=re.IGNORECASE):
        by_code = list(Commune.objects.filter(insee_code=text.upper()))
        by_postal = list(Commune.objects.filter(postal_code=text).exclude(insee_code=text))
        return (by_code + by_postal)[:20]
    match = re.fullmatch(r"(.+?)\s*\(?(\d{5})\)?", text)
    name, postal = (match.group(1), match.group(2)) if match else (text, "")
    key = search_name(name)
    qs = Commune.objects.filter(search_name=key)
    if postal:
        qs = qs.filter(postal_code=postal)
    found = list(qs.order_by("name", "insee_code")[:20])
    if not found and key:
        found = list(
            Commune.objects.filter(search_name__startswith=key).order_by("name", "insee_code")[:20]
        )
    return found
