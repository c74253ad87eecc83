"""Issue a draft invoice by its id: `manage.py invoice_issue 42`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buron.billing.models import Invoice
from buron.billing.services import InvoiceRefused, invoice_draft_issue


class Command(BaseCommand):
    help = "Issue a draft invoice: number it, freeze it and keep its Factur-X PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("invoice_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        invoice = Invoice.objects.filter(pk=options["invoice_id"]).first()
        if invoice is None:
            raise CommandError(f"No invoice {options['invoice_id']}.")
        try:
            issued = invoice_draft_issue(invoice=invoice)
        except InvoiceRefused as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{issued.number} {issued.total_incl_vat}")
