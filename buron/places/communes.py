"""The official list of communes, loaded from the committed extract of public open data."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import Commune

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes.csv"


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
            )
            for row in csv.DictReader(f)
        }


@transaction.atomic
def communes_load(path: Path = COMMUNES_CSV) -> int:
    """Insert the communes missing from the table; returns how many were added."""
    wanted = communes_from_csv(path)
    present = set(Commune.objects.values_list("insee_code", flat=True))
    missing = [c for code, c in wanted.items() if code not in present]
    Commune.objects.bulk_create(missing, batch_size=2000)
    return len(missing)


def commune_lookup(text: str) -> list[Commune]:
    """Communes matching what a person typed: an INSEE code, a postal code, or a name
    (optionally followed by its postal code, as in “Murat (15300)”). At most 20."""
    import re

    text = text.strip()
    match = re.fullmatch(r"(.+?)\s*\(?(\d{5})\)?", text)
    name, postal = (match.group(1), match.group(2)) if match else (text, "")
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", text, flags=re.IGNORECASE):
        by_code = list(Commune.objects.filter(insee_code=text.upper()))
        by_postal = list(Commune.objects.filter(postal_code=text).exclude(insee_code=text))
        return (by_code + by_postal)[:20]
    qs = Commune.objects.filter(name__iexact=name.strip())
    if postal:
        qs = qs.filter(postal_code=postal)
    found = list(qs.order_by("name", "insee_code")[:20])
    if not found:
        found = list(Commune.objects.filter(name__istartswith=name.strip()).order_by("name")[:20])
    return found
