"""The yearly report for the funder: the headline figures and charts as a PDF
(WeasyPrint), the same tables as the observatory page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.template.loader import render_to_string

from buron.places.models import Site

from .tables import Table


def yearly_report_pdf(*, sites: QuerySet[Site], year: int, tables: list[Table]) -> bytes:
    """The report of `year` for the sites, with each table and its chart."""
    html = render_to_string(
        "observatory/report.html",
        {"year": year, "sites": list(sites.order_by("name")), "tables": tables},
    )
    from weasyprint import HTML  # heavy (fonts, images): loaded when a report is made

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
