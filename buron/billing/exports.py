"""Accounting exports of a period: invoices and credit notes, payments, VAT per rate (CSV or
XLSX through tablib) and the FEC journal (fichier des écritures comptables)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from buron.accounts.models import User
from buron.core.money import money

from . import selectors
from .models import Invoice, InvoiceLine, Kind, Payment

if TYPE_CHECKING:
    import tablib

TABLES = ("invoices", "payments", "vat", "fec")
FORMATS = ("csv", "xlsx", "txt")

# The 18 columns of the FEC, in the order of article A47 A-1 of the Livre des procédures
# fiscales.
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
CUSTOMERS = ("411000", "Clients")
SALES = ("706000", "Prestations de services")
VAT_COLLECTED = ("445710", "TVA collectée")
BANK = ("512000", "Banque")


def _invoices(user: User, start: dt.date, end: dt.date) -> QuerySet[Invoice]:
    return (
        selectors.invoices_staff(user=user)
        .filter(issued_on__gte=start, issued_on__lte=end)
        .select_related("credited_invoice")
        .order_by("seller_id", "sequence")
    )


def _payments(user: User, start: dt.date, end: dt.date) -> QuerySet[Payment]:
    visible = selectors.invoices_staff(user=user)
    return (
        Payment.objects.filter(invoice__in=visible, paid_on__gte=start, paid_on__lte=end)
        .select_related("invoice")
        .order_by("paid_on", "pk")
    )


def _sign(invoice: Invoice) -> int:
    return -1 if invoice.kind == Kind.CREDIT_NOTE else 1


def invoices_table(*, user: User, start: dt.date, end: dt.date) -> tablib.Dataset:
    """One row per invoice or credit note issued in the period (credit notes negative)."""
    import tablib  # loaded when an export is made

    data = tablib.Dataset(
        headers=[
            "number",
            "kind",
            "issued_on",
            "due_on",
            "customer",
            "customer_siren",
            "credited_invoice",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "status",
        ],
        title="invoices",
    )
    for inv in _invoices(user, start, end):
        sign = _sign(inv)
        data.append(
            [
                inv.number,
                inv.kind,
                inv.issued_on.isoformat() if inv.issued_on else "",
                inv.due_on.isoformat() if inv.due_on else "",
                inv.customer_name,
                inv.customer_siren,
                inv.credited_invoice.number if inv.credited_invoice else "",
                str(sign * inv.total_excl_vat),
                str(sign * inv.total_vat),
                str(sign * inv.total_incl_vat),
                inv.status,
            ]
        )
    return data


def payments_table(*, user: User, start: dt.date, end: dt.date) -> tablib.Dataset:
    """One row per payment received in the period."""
    import tablib  # loaded when an export is made

    data = tablib.Dataset(
        headers=["paid_on", "invoice", "customer", "method", "reference", "amount"],
        title="payments",
    )
    for p in _payments(user, start, end):
        data.append(
            [
                p.paid_on.isoformat(),
                p.invoice.number,
                p.invoice.customer_name,
                p.method,
                p.reference,
                str(p.amount),
            ]
        )
    return data


def _vat_by_rate(invoice: Invoice) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """(taxable amount, VAT) per rate of an issued document, as its XML states them."""
    from .services import invoice_document

    return {b.rate: (b.basis, b.amount) for b in invoice_document(invoice=invoice).breakdown}


def vat_table(*, user: User, start: dt.date, end: dt.date) -> tablib.Dataset:
    """Per VAT rate, the taxable amount and the VAT of the period (credit notes deducted)."""
    totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for inv in _invoices(user, start, end).prefetch_related("lines"):
        for rate, (basis, amount) in _vat_by_rate(inv).items():
            totals[rate][0] += _sign(inv) * basis
            totals[rate][1] += _sign(inv) * amount
    import tablib  # loaded when an export is made

    data = tablib.Dataset(headers=["vat_rate", "taxable_amount", "vat"], title="vat")
    for rate in sorted(totals, reverse=True):
        data.append([str(rate), str(money(totals[rate][0])), str(money(totals[rate][1]))])
    return data


@dataclass(frozen=True)
class FecLine:
    """One line of an entry of the FEC journal."""

    journal: tuple[str, str]
    number: int
    day: dt.date
    account: tuple[str, str]
    aux: tuple[str, str]
    piece: str
    piece_day: dt.date
    label: str
    debit: Decimal
    credit: Decimal

    def row(self) -> list[str]:
        def amount(value: Decimal) -> str:
            return f"{money(value):.2f}".replace(".", ",")

        return [
            self.journal[0],
            self.journal[1],
            str(self.number),
            self.day.strftime("%Y%m%d"),
            self.account[0],
            self.account[1],
            self.aux[0],
            self.aux[1],
            self.piece,
            self.piece_day.strftime("%Y%m%d"),
            self.label,
            amount(self.debit),
            amount(self.credit),
            "",
            "",
            self.day.strftime("%Y%m%d"),
            "",
            "",
        ]


def _aux(invoice: Invoice) -> tuple[str, str]:
    if invoice.customer_organisation_id is not None:
        return f"O{invoice.customer_organisation_id}", invoice.customer_name
    return f"M{invoice.customer_user_id or 0}", invoice.customer_name


def _sales_line(
    inv: Invoice,
    number: int,
    account: tuple[str, str],
    amount: Decimal,
    *,
    debit: bool,
    aux: tuple[str, str] = ("", ""),
) -> FecLine:
    """A line of an invoice's entry; a credit note books the same accounts the other way."""
    assert inv.issued_on is not None  # noqa: S101 - issued documents have a date
    is_debit = debit != (inv.kind == Kind.CREDIT_NOTE)
    return FecLine(
        ("VE", "Ventes"),
        number,
        inv.issued_on,
        account,
        aux,
        inv.number,
        inv.issued_on,
        f"{inv.get_kind_display()} {inv.number}",
        amount if is_debit else Decimal("0"),
        Decimal("0") if is_debit else amount,
    )


def fec_lines(*, user: User, start: dt.date, end: dt.date) -> list[FecLine]:
    """One balanced entry per invoice, credit note and payment of the period."""
    lines: list[FecLine] = []
    number = 0
    for inv in _invoices(user, start, end).prefetch_related("lines"):
        number += 1
        lines.append(
            _sales_line(inv, number, CUSTOMERS, inv.total_incl_vat, debit=True, aux=_aux(inv))
        )
        for basis, amount in _vat_by_rate(inv).values():
            lines.append(_sales_line(inv, number, SALES, basis, debit=False))
            if amount:
                lines.append(_sales_line(inv, number, VAT_COLLECTED, amount, debit=False))
    for payment in _payments(user, start, end):
        number += 1
        inv = payment.invoice
        for account, debit, aux in ((BANK, True, ("", "")), (CUSTOMERS, False, _aux(inv))):
            lines.append(
                FecLine(
                    ("BQ", "Banque"),
                    number,
                    payment.paid_on,
                    account,
                    aux,
                    inv.number,
                    payment.paid_on,
                    f"Règlement {inv.number}",
                    payment.amount if debit else Decimal("0"),
                    Decimal("0") if debit else payment.amount,
                )
            )
    return lines


def fec_text(*, user: User, start: dt.date, end: dt.date) -> str:
    """The FEC file: a header of the 18 columns, then the lines, tab separated."""
    rows = ["\t".join(FEC_COLUMNS)]
    rows += ["\t".join(line.row()) for line in fec_lines(user=user, start=start, end=end)]
    return "\r\n".join(rows) + "\r\n"


_BUILDERS = {"invoices": invoices_table, "payments": payments_table, "vat": vat_table}
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
}


def export_file(
    *, user: User, what: str, fmt: str, start: dt.date, end: dt.date
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of one export of the period."""
    period = f"{start:%Y%m%d}-{end:%Y%m%d}"
    if what == "fec":
        return (
            fec_text(user=user, start=start, end=end).encode(),
            _CONTENT_TYPES["txt"],
            (f"FEC{period}.txt"),
        )
    data = _BUILDERS[what](user=user, start=start, end=end)
    if fmt == "xlsx":
        content = data.export("xlsx")
        return bytes(content), _CONTENT_TYPES["xlsx"], f"{what}-{period}.xlsx"
    return data.export("csv").encode(), _CONTENT_TYPES["csv"], f"{what}-{period}.csv"


__all__ = ["FEC_COLUMNS", "InvoiceLine", "export_file", "fec_lines", "fec_text"]
