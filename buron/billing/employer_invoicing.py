"""Monthly employer invoicing: on the first day of a month, one invoice per employer contract
for the previous month's days (lines per employee, site and unit, with their service dates),
numbered in the seller's gapless sequence.

Contracts are invoiced in chunks. Each chunk is one transaction that locks the seller's
counter (concurrent issuers queue behind it), skips the contracts whose month is already
invoiced, checks each document (EN 16931 rules, then the XML against the Factur-X schema),
numbers the accepted ones one after the other, and writes the invoices, their lines and one
ContractInvoice row per contract (unique per contract and month) in bulk. A refused document
takes no number; re-running the month never invoices a contract twice. PDFs are rendered
afterwards, once per invoice, by another task (billing.tasks.invoice_pdfs_render)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from buron.employers.models import (
    DUE_STATUSES,
    ContractInvoice,
    EmployerContract,
    EmployerUse,
    InvoicingRun,
    RunStatus,
)
from buron.employers.services import month_bounds

from .document import LineInput, lines_from
from .models import Invoice, InvoiceLine, NumberCounter, Seller, Status
from .services import (
    INVOICE_LANGUAGE,
    InvoiceRefused,
    _customer_fields,
    _locked_counter,
    _refuse_if_invalid,
    _seller_snapshot,
    invoice_document,
)

CHUNK = 500


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before today's."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def contracts_in_month(*, network_id: int, month: dt.date) -> Any:
    """The network's contracts in force at some point of the month (their ids, in order)."""
    first, last = month_bounds(month)
    return (
        EmployerContract.objects.filter(network_id=network_id, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk did: contracts gone through, invoices issued, refusals, new ids."""

    done: int
    invoiced: int
    failed: int
    invoice_ids: list[int]
    error: str = ""


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def employer_invoicing_run(
    *,
    network_id: int,
    month: dt.date,
    issued_on: dt.date | None = None,
    chunk: int = CHUNK,
) -> tuple[InvoicingRun, list[int]]:
    """Invoice every contract of the network in force during `month` (idempotent: a
    contract already invoiced for that month is skipped). Progress is kept on the run
    (done / total), which the network's administrators follow in the admin. Returns the
    run and the ids of the invoices issued now."""
    first, _last = month_bounds(month)
    issued_on = issued_on or timezone.localdate()
    ids = list(contracts_in_month(network_id=network_id, month=first))
    run, _created = InvoicingRun.objects.get_or_create(network_id=network_id, month=first)
    InvoicingRun.objects.filter(pk=run.pk).update(
        total=len(ids),
        done=0,
        invoiced=0,
        failed=0,
        last_error="",
        status=RunStatus.RUNNING,
        finished_at=None,
    )
    seller = Seller.objects.filter(network_id=network_id).first()
    issued: list[int] = []
    if seller is None:
        InvoicingRun.objects.filter(pk=run.pk).update(
            last_error=_("The network has no seller identity: set it in the admin first.")
        )
    else:
        for part in _chunks(ids, chunk):
            result = _invoice_chunk(
                seller=seller, contract_ids=part, month=first, issued_on=issued_on
            )
            issued += result.invoice_ids
            InvoicingRun.objects.filter(pk=run.pk).update(
                done=F("done") + result.done,
                invoiced=F("invoiced") + result.invoiced,
                failed=F("failed") + result.failed,
                **({"last_error": result.error} if result.error else {}),
            )
    InvoicingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run, issued


UNIT_HALF_DAY = "half_day"
UNIT_DAY = "day"


def _usage_lines(
    contracts: dict[int, EmployerContract], first: dt.date, last: dt.date
) -> dict[int, list[LineInput]]:
    """Each contract's lines: one per employee, site and unit (half-day or day), with the
    first and last day used as service dates (one read for the whole chunk)."""
    rows = (
        EmployerUse.objects.filter(
            contract_id__in=list(contracts),
            day__gte=first,
            day__lte=last,
            status__in=DUE_STATUSES,
        )
        .values("contract_id", "employee_name", "site__name", "period")
        .annotate(n=Count("pk"), first_day=Min("day"), last_day=Max("day"), units=Sum("units"))
        .order_by("contract_id", "employee_name", "site__name", "period")
    )
    grouped: dict[tuple[int, str, str, str], list[Any]] = {}
    for row in rows:
        unit = UNIT_DAY if row["period"] == "day" else UNIT_HALF_DAY
        key = (row["contract_id"], row["employee_name"], row["site__name"], unit)
        found = grouped.setdefault(key, [0, row["first_day"], row["last_day"]])
        found[0] += row["n"]
        found[1] = min(found[1], row["first_day"])
        found[2] = max(found[2], row["last_day"])
    lines: dict[int, list[LineInput]] = {}
    with override(INVOICE_LANGUAGE):
        labels = {UNIT_HALF_DAY: _("Half-days"), UNIT_DAY: _("Days")}
        for (contract_id, employee, site, unit), (count, start, end) in grouped.items():
            contract = contracts[contract_id]
            exempt = contract.vat_rate == 0
            lines.setdefault(contract_id, []).append(
                LineInput(
                    description=f"{labels[unit]} – {employee} – {site}",
                    quantity=Decimal(count),
                    unit_price=contract.day_price if unit == UNIT_DAY else contract.half_day_price,
                    vat_rate=contract.vat_rate,
                    service_start=start,
                    service_end=end,
                    vat_exemption_code="VATEX-EU-132" if exempt else "",
                    vat_exemption_reason=contract.vat_exemption_reason if exempt else "",
                )
            )
    return lines


@dataclass
class _Numbering:
    """The seller's counter, locked for the chunk, and what the chunk issues."""

    seller: Seller
    counter: NumberCounter
    snapshot: dict[str, Any]
    issued_on: dt.date
    invoices: list[Invoice]
    rows: list[list[InvoiceLine]]
    failed: int = 0
    error: str = ""


def _issue_one(
    numbering: _Numbering, contract: EmployerContract, lines: list[LineInput]
) -> Invoice | None:
    """Check and number one contract's invoice (not yet written); None when refused."""
    seller, day = numbering.seller, numbering.issued_on
    invoice = Invoice(
        network_id=seller.network_id,
        seller=seller,
        customer_organisation=contract.organisation,
        seller_snapshot=numbering.snapshot,
        issued_on=day,
        due_on=day + dt.timedelta(days=seller.payment_terms_days),
        status=Status.DUE,
        **_customer_fields(customer_user=None, customer_organisation=contract.organisation),
    )
    sequence = numbering.counter.last + 1
    invoice.sequence = sequence
    invoice.number = f"{seller.number_prefix}-{day.year}-{sequence:06d}"
    doc = invoice_document(invoice=invoice, lines=lines)
    try:
        invoice.facturx_xml = _refuse_if_invalid(doc).decode()
    except InvoiceRefused as exc:
        numbering.failed += 1
        numbering.error = f"{contract.organisation.legal_name}: {'; '.join(exc.messages)}"
        return None
    numbering.counter.last = sequence
    invoice.total_excl_vat, invoice.total_vat = doc.tax_basis_total, doc.tax_total
    invoice.total_incl_vat = doc.grand_total
    numbering.invoices.append(invoice)
    numbering.rows.append(
        [
            InvoiceLine(
                position=line.position,
                description=line.description,
                service_start=line.service_start,
                service_end=line.service_end,
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                vat_exemption_code=line.vat_exemption_code,
                vat_exemption_reason=line.vat_exemption_reason,
                net_amount=line.net_amount,
            )
            for line in lines_from(lines)
        ]
    )
    return invoice


@transaction.atomic
def _invoice_chunk(
    *, seller: Seller, contract_ids: Sequence[int], month: dt.date, issued_on: dt.date
) -> ChunkResult:
    """Invoice one chunk of contracts in one transaction under the seller's counter lock."""
    first, last = month_bounds(month)
    counter = _locked_counter(seller)
    already = set(
        ContractInvoice.objects.filter(contract_id__in=contract_ids, month=first).values_list(
            "contract_id", flat=True
        )
    )
    todo = [pk for pk in contract_ids if pk not in already]
    if not todo:
        return ChunkResult(done=len(contract_ids), invoiced=0, failed=0, invoice_ids=[])
    contracts = {
        c.pk: c for c in EmployerContract.objects.filter(pk__in=todo).select_related("organisation")
    }
    lines = _usage_lines(contracts, first, last)
    numbering = _Numbering(seller, counter, _seller_snapshot(seller), issued_on, [], [])
    marks: list[ContractInvoice] = []
    issued_for: list[tuple[int, Invoice]] = []
    for pk in todo:
        if pk not in lines:
            marks.append(ContractInvoice(contract_id=pk, month=first))
            continue
        invoice = _issue_one(numbering, contracts[pk], lines[pk])
        if invoice is not None:
            issued_for.append((pk, invoice))
    Invoice.objects.bulk_create(numbering.invoices)
    for invoice, rows in zip(numbering.invoices, numbering.rows, strict=True):
        for row in rows:
            row.invoice = invoice
    InvoiceLine.objects.bulk_create([row for rows in numbering.rows for row in rows])
    marks += [
        ContractInvoice(contract_id=pk, month=first, invoice_id=inv.pk) for pk, inv in issued_for
    ]
    ContractInvoice.objects.bulk_create(marks)
    counter.save(update_fields=["last"])
    return ChunkResult(
        done=len(contract_ids) - numbering.failed,
        invoiced=len(numbering.invoices),
        failed=numbering.failed,
        invoice_ids=[inv.pk for inv in numbering.invoices],
        error=numbering.error,
    )
