"""Background work of the monthly employer invoicing (django-tasks; `db_worker` runs it).

`manage.py employer_invoicing` (from cron, on the first day of each month) queues
`employer_invoicing` once per network with employer contracts; each run numbers and writes
the month's invoices, then queues `invoice_pdfs_render` per chunk of invoices, so that the
PDFs are rendered once each, by any worker, without holding the numbering back."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from buron.employers.models import EmployerContract
from buron.employers.services import month_bounds

from .employer_invoicing import employer_invoicing_run, previous_month
from .models import Invoice
from .services import invoice_pdf_render

PDF_CHUNK = 50


@task()
def invoice_pdfs_render(invoice_ids: list[int]) -> int:
    """Render and keep the Factur-X PDF of each invoice that has none yet; how many."""
    rendered = 0
    for invoice in Invoice.objects.filter(pk__in=invoice_ids, pdf="").order_by("pk"):
        invoice_pdf_render(invoice=invoice)
        rendered += 1
    return rendered


@task()
def employer_invoicing(network_id: int, month: str, render: bool = True) -> dict[str, int]:
    """Invoice a network's employer contracts for `month` (YYYY-MM-DD, its first day), then
    queue the rendering of the new invoices' PDFs."""
    run, issued = employer_invoicing_run(network_id=network_id, month=dt.date.fromisoformat(month))
    if render:
        for start in range(0, len(issued), PDF_CHUNK):
            invoice_pdfs_render.enqueue(invoice_ids=issued[start : start + PDF_CHUNK])
    return {"total": run.total, "done": run.done, "invoiced": run.invoiced, "failed": run.failed}


def employer_invoicing_queue(*, month: dt.date | None = None, render: bool = True) -> list[int]:
    """Queue the invoicing of `month` (by default the previous one) for every network with
    a contract in force during it; the networks queued."""
    first = month_bounds(month)[0] if month else previous_month(timezone.localdate())
    last = month_bounds(first)[1]
    networks = sorted(
        set(
            EmployerContract.objects.filter(starts_on__lte=last)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
            .values_list("network_id", flat=True)
        )
    )
    for network_id in networks:
        employer_invoicing.enqueue(network_id=network_id, month=first.isoformat(), render=render)
    return networks
