"""The open-data export: visits per site and month, anonymous and aggregated, ready to
publish. No group of fewer than MIN_GROUP people is ever shown:

- a site-month with fewer than MIN_GROUP visitors is kept as a line whose figures are
  empty, marked `suppressed=row`;
- a visitor status seen by fewer than MIN_GROUP people that month is merged into
  `visits_other_statuses` (its own column left empty); when the merged group itself has
  fewer than MIN_GROUP people, the smallest shown statuses join it until it has enough.
  The status columns and `visits_other_statuses` always add up to `visits`, so no hidden
  figure can be worked out by subtraction. `suppressed` names what was merged.

The column list is documented in the README (section Observatory).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from buron.accounts.models import VisitorStatus
from buron.attendance.models import Visit
from buron.places.models import Site

from .raw import UNKNOWN_STATUS

if TYPE_CHECKING:
    import tablib

MIN_GROUP = 5
STATUSES = [*VisitorStatus.values, UNKNOWN_STATUS]
COLUMNS = [
    "site",
    "site_name",
    "site_insee_code",
    "month",
    "visitors",
    "visits",
    *[f"visits_{s}" for s in STATUSES],
    "visits_other_statuses",
    "km_avoided",
    "co2_kg_avoided",
    "suppressed",
]


@dataclass
class _Month:
    people: set[object] = field(default_factory=set)
    visits: int = 0
    by_status: dict[str, list[object]] = field(default_factory=lambda: defaultdict(list))
    km: Decimal = Decimal("0")
    co2: Decimal = Decimal("0")


def _people_of(groups: dict[str, tuple[int, set[object]]], statuses: set[str]) -> set[object]:
    people: set[object] = set()
    for status in statuses:
        people |= groups[status][1]
    return people


def open_data_rows(
    *, sites: QuerySet[Site], start: dt.date, end: dt.date
) -> list[dict[str, object]]:
    """One line per site and month with visits in the period (see the module's docstring)."""
    months: dict[tuple[int, str], _Month] = defaultdict(_Month)
    visits = Visit.objects.filter(site__in=sites, day__gte=start, day__lte=end).values_list(
        "pk", "site_id", "day", "member_id", "visitor_status", "km_avoided", "co2_kg_avoided"
    )
    for pk, site_id, day, member_id, status, km, co2 in visits.iterator():
        month = months[(site_id, day.strftime("%Y-%m"))]
        person = member_id if member_id is not None else ("walk-in", pk)
        month.people.add(person)
        month.visits += 1
        month.by_status[status or UNKNOWN_STATUS].append(person)
        month.km += km or 0
        month.co2 += co2 or 0
    names = {s.pk: s for s in Site.objects.filter(pk__in={k[0] for k in months})}
    rows = []
    for (site_id, month_key), month in sorted(
        months.items(), key=lambda item: (names[item[0][0]].slug, item[0][1])
    ):
        site = names[site_id]
        row: dict[str, object] = dict.fromkeys(COLUMNS, "")
        row.update(
            site=site.slug, site_name=site.name, site_insee_code=site.insee_code, month=month_key
        )
        if len(month.people) < MIN_GROUP:
            row["suppressed"] = "row"
            rows.append(row)
            continue
        groups = {s: (len(p), set(p)) for s, p in month.by_status.items()}
        merged = {s for s, (_n, people) in groups.items() if len(people) < MIN_GROUP}

        while merged and len(_people_of(groups, merged)) < MIN_GROUP:
            shown = sorted((len(groups[s][1]), s) for s in groups if s not in merged)
            merged.add(shown[0][1])
        row.update(
            visitors=len(month.people),
            visits=month.visits,
            km_avoided=str(month.km),
            co2_kg_avoided=str(month.co2),
        )
        for status in STATUSES:
            if status not in merged:
                row[f"visits_{status}"] = groups.get(status, (0, set()))[0]
        row["visits_other_statuses"] = sum(groups[s][0] for s in merged)
        if merged:
            row["suppressed"] = "merged: " + " ".join(sorted(merged))
        rows.append(row)
    return rows


def open_data_dataset(*, sites: QuerySet[Site], start: dt.date, end: dt.date) -> tablib.Dataset:
    """The open-data rows as a dataset for CSV, XLSX or ODS."""
    import tablib  # loaded when an export is made

    data = tablib.Dataset(headers=COLUMNS, title="visits")
    for row in open_data_rows(sites=sites, start=start, end=end):
        data.append([row[c] for c in COLUMNS])
    return data
