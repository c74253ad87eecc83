"""The entrance poster of a site: its check-in QR code, as a PDF (WeasyPrint + segno)."""

from __future__ import annotations

from django.template.loader import render_to_string

from buron.places.models import Site


def checkin_poster_pdf(*, site: Site, url: str) -> bytes:
    """An A4 poster: the site's name, the QR code of `url` and the same address in text."""
    # Imported here: WeasyPrint and segno weigh on every process's start (see README).
    import segno
    from weasyprint import HTML

    qr = segno.make(url, error="m")
    html = render_to_string(
        "attendance/poster.html",
        {"site": site, "url": url, "qr": qr.svg_data_uri(scale=10, border=2)},
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
