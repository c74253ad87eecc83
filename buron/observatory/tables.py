"""The observatory's tables: what the page shows beside each chart and what exports as
CSV, XLSX and ODS (tablib)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buron.accounts.models import VisitorStatus

from .charts import bar_chart
from .revenue import INDIVIDUAL, KINDS, PAYERS, Revenue
from .selectors import Dashboard

if TYPE_CHECKING:
    import tablib

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass
class Table:
    """A titled table; `chart` picks the column drawn (None: no chart)."""

    slug: str
    title: str
    headers: list[str]
    rows: list[list[object]]
    chart_column: int | None = None
    shown: list[list[str]] = field(default_factory=list)

    def dataset(self) -> tablib.Dataset:
        """The table as a tablib dataset, for exports."""
        import tablib  # loaded when an export is made

        data = tablib.Dataset(headers=self.headers, title=self.title[:31])
        for row in self.rows:
            data.append(row)
        return data

    def chart(self) -> str:
        """The SVG chart of the chosen column, labelled by the first column."""
        if self.chart_column is None:
            return ""
        bars = [
            (str(row[0]), _number(row[self.chart_column]), _shown(row[self.chart_column]))
            for row in self.rows
        ]
        return bar_chart(
            ident=f"chart-{self.slug}",
            title=self.title,
            desc=_("%(column)s by %(label)s; the figures are in the table beside.")
            % {"column": self.headers[self.chart_column], "label": self.headers[0].lower()},
            bars=bars,
        )


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:.1f}"
    return str(value)


def _pct(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def dashboard_tables(dashboard: Dashboard) -> list[Table]:
    """Every table of the observatory page, in the order shown."""
    s = dashboard.summary
    ref = dashboard.salaried_reference
    headline = Table(
        "headline",
        _("Headline figures"),
        [_("Indicator"), _("Value")],
        [
            [_("Occupancy rate"), round(s.occupancy_rate, 4)],
            [_("Open bookable half-days"), s.open_half_days],
            [_("Occupied bookable half-days"), s.occupied_half_days],
            [_("Visits"), s.visits],
            [_("Unique visitors"), s.unique_visitors],
            [_("New members (first visit)"), dashboard.new_members],
            [_("Visits with a booking"), dashboard.booked_visits],
            [_("Walk-ins without booking"), dashboard.walk_ins],
            [_("Bookings due"), dashboard.bookings_due],
            [_("No-shows"), dashboard.no_shows],
            [_("No-show rate"), round(s.no_show_rate, 4)],
            [_("Training days"), dashboard.training_days],
            [_("Km avoided"), float(s.km_avoided)],
            [_("Kg of CO2 avoided"), float(s.co2_kg_avoided)],
            [_("Revenue excl. VAT (€)"), dashboard.revenue.total],
        ],
    )
    labels = dict(VisitorStatus.choices)
    total = s.visits
    status_rows: list[list[object]] = [
        [str(labels.get(code, _("Unknown"))), n, _pct(n, total)]
        for code, n in dashboard.visits_by_status.items()
    ]
    statuses = Table(
        "status",
        _("Visits by visitor status"),
        [_("Status"), _("Visits"), _("Share of visits")],
        status_rows,
        chart_column=2,
    )
    salaried = [
        [_("This period"), _pct(dashboard.visits_by_status.get("salaried_remote", 0), total), ""],
    ]
    if ref is not None and ref.salaried_reference_share is not None:
        salaried.append(
            [
                _("National reference"),
                float(ref.salaried_reference_share),
                ref.salaried_reference_source,
            ]
        )
    salaried_table = Table(
        "salaried",
        _("Share of salaried remote workers"),
        [_("Scope"), _("Share of visits"), _("Source")],
        salaried,
        chart_column=1,
    )
    days = [date_format(d, "l") for d in _monday_to_sunday()]
    weekdays = Table(
        "weekdays",
        _("Visits by day of the week"),
        [_("Day"), _("Visits")],
        [[d, n] for d, n in zip(days, dashboard.visits_by_weekday, strict=True)],
        chart_column=1,
    )
    half_days = Table(
        "half-days",
        _("Occupied half-days, morning and afternoon"),
        [_("Half-day"), _("Occupied half-days")],
        [
            [_("Morning"), dashboard.occupied_by_half_day["am"]],
            [_("Afternoon"), dashboard.occupied_by_half_day["pm"]],
        ],
        chart_column=1,
    )
    booked = Table(
        "bookings-walk-ins",
        _("Visits with a booking and walk-ins"),
        [_("Kind"), _("Visits")],
        [
            [_("With a booking"), dashboard.booked_visits],
            [_("Walk-ins without booking"), dashboard.walk_ins],
            [
                _("Other visits without booking"),
                total - dashboard.booked_visits - dashboard.walk_ins,
            ],
        ],
        chart_column=1,
    )
    months = Table(
        "months",
        _("Month by month"),
        [
            _("Month"),
            _("Visits"),
            _("Unique visitors"),
            _("Occupancy rate"),
            _("Share of salaried remote workers"),
        ],
        [
            [
                m.month.strftime("%Y-%m"),
                m.visits,
                m.unique_visitors,
                round(m.occupancy_rate, 4),
                round(m.salaried_share, 4),
            ]
            for m in dashboard.months
        ],
        chart_column=1,
    )
    return [
        headline,
        statuses,
        salaried_table,
        booked,
        weekdays,
        half_days,
        *revenue_tables(dashboard.revenue),
        months,
    ]


def revenue_tables(revenue: Revenue) -> list[Table]:
    """Revenue by kind of offer and by payer (see revenue.py for the definition)."""
    scope = (
        ""
        if revenue.invoices_counted
        else " " + str(_("(sales at the sites only: invoices are counted per network)"))
    )
    by_kind = Table(
        "revenue-kind",
        _("Revenue excl. VAT by kind of offer") + scope,
        [_("Kind of offer"), _("Revenue excl. VAT (€)")],
        [[str(KINDS[kind]), amount] for kind, amount in revenue.by_kind().items()],
        chart_column=1,
    )
    by_payer = Table(
        "revenue-payer",
        _("Revenue excl. VAT by payer") + scope,
        [_("Payer"), _("Revenue excl. VAT (€)")],
        [
            [str(PAYERS[payer]), amount]
            for payer, amount in revenue.by_payer().items()
            if revenue.invoices_counted or payer == INDIVIDUAL
        ],
        chart_column=1,
    )
    return [by_kind, by_payer]


def _monday_to_sunday() -> list[dt.date]:
    monday = dt.date(2024, 1, 1)
    return [monday + dt.timedelta(days=n) for n in range(7)]


def export(table: Table, fmt: str) -> bytes:
    """The table in one of FORMATS."""
    data = table.dataset()
    out = data.export(fmt)
    return out.encode("utf-8") if isinstance(out, str) else bytes(out)
