"""The invoices API: the invoices and credit notes the caller may see, and their PDFs
(mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from buron.accounts.auth import api_token_auth
from buron.accounts.requests import signed_in_user

from . import selectors, services
from .models import Invoice

router = Router(tags=["invoices"])


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    issued_on: dt.date
    customer: str
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    status: str
    credited_invoice: str | None = None


class NotFoundOut(Schema):
    detail: str


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    """An invoice as the API gives it."""
    credited = invoice.credited_invoice
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "kind": invoice.kind,
        "issued_on": invoice.issued_on,
        "customer": invoice.customer_name,
        "total_excl_vat": invoice.total_excl_vat,
        "total_vat": invoice.total_vat,
        "total_incl_vat": invoice.total_incl_vat,
        "status": invoice.status,
        "credited_invoice": credited.number if credited is not None else None,
    }


@router.get(
    "/invoices",
    auth=api_token_auth,
    response=list[InvoiceOut],
    summary="The invoices and credit notes I may see",
)
def invoice_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = signed_in_user(request)
    rows = selectors.invoices_visible_to(user=user).select_related("credited_invoice")
    return [invoice_out(i) for i in rows.order_by("-issued_on", "-sequence")]


@router.get(
    "/invoices/{invoice_id}/pdf",
    auth=api_token_auth,
    response={200: None, 404: NotFoundOut},
    summary="The Factur-X PDF of an invoice or credit note",
)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> Any:
    user = signed_in_user(request)
    invoice = selectors.invoice_visible(user=user, invoice_id=invoice_id)
    if invoice is None:
        return Status(404, {"detail": _("You have no invoice with this id.")})
    invoice = services.invoice_pdf_render(invoice=invoice)
    with invoice.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response
