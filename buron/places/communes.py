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
