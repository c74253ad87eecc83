"""Revenue by kind of offer and by payer, for the observatory.

Definition (shown on the page and in the README): amounts excluding VAT, counted on the day
they were made, from two records that never overlap:

- **sales at the sites** (offers: passes, carnets, subscriptions, service packs, welcome
  packs sold to a member at a site), on the day of the sale: payer *individual member*,
  kind *the offer's kind*. They belong to a site: a site host sees their sites' sales;
- **invoices to organisations and named customers** (billing), on their issue date, net of
  the credit notes issued in the period (a credit note counts on its own issue date, its
  lines negative). Invoices belong to a network, not to a site: they are counted only when
  whole networks are in view (a network administrator, or a superuser, without choosing a
  site), never for a site host. A line is *training* when it carries the VAT exemption of
  vocational training (VATEX-EU-132-1I, CGI art. 261-4-4° a), otherwise *contract days*;
  the payer is a *training funder* when the invoice has a training line, an *employer*
  when it is addressed to an organisation, *other* otherwise.

Invoices addressed to a person are the invoices of their sales, already counted from the
sales: they are left out, so nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buron.accounts.selectors import Scope
from buron.billing.models import Invoice, InvoiceLine, Kind, Status
from buron.offers.models import OfferKind, SaleLine
from buron.places.models import Site

TRAINING_EXEMPTION = "VATEX-EU-132-1I"

INDIVIDUAL, EMPLOYER, TRAINING_FUNDER, OTHER = "individual", "employer", "training_funder", "other"
PAYERS = {
    INDIVIDUAL: _("Individual members"),
    EMPLOYER: _("Employers"),
    TRAINING_FUNDER: _("Training funders"),
    OTHER: _("Other payers"),
}
CONTRACT, TRAINING = "contract_days", "training"
KINDS = {
    **dict(OfferKind.choices),
    CONTRACT: _("Days invoiced to organisations"),
    TRAINING: _("Trainings"),
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Revenue:
    """Revenue excl. VAT of a period: by (payer, kind), and whether invoices were in view."""

    amounts: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    invoices_counted: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), Decimal("0"))

    def by_payer(self) -> dict[str, Decimal]:
        """Totals per payer kind, every payer kind listed."""
        found = dict.fromkeys(PAYERS, Decimal("0"))
        for (payer, _kind), amount in self.amounts.items():
            found[payer] += amount
        return found

    def by_kind(self) -> dict[str, Decimal]:
        """Totals per kind of offer, the kinds with revenue only, in the catalogue's order."""
        found: dict[str, Decimal] = {}
        for kind in KINDS:
            total = sum((a for (_p, k), a in self.amounts.items() if k == kind), Decimal("0"))
            if total:
                found[kind] = total
        return found


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    first = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return first, after


def _sales(sites: QuerySet[Site], start: dt.date, end: dt.date) -> dict[str, Decimal]:
    first, after = _day_bounds(start, end)
    rows = (
        SaleLine.objects.filter(
            sale__site__in=sites, sale__created_at__gte=first, sale__created_at__lt=after
        )
        .values("offer__kind")
        .annotate(amount=Sum("amount_excl_vat"))
        .order_by()
    )
    return {r["offer__kind"]: Decimal(str(r["amount"] or 0)).quantize(CENT) for r in rows}


def _invoice_payer(invoice: Invoice, training: bool) -> str:
    if training:
        return TRAINING_FUNDER
    if invoice.customer_organisation_id is not None:
        return EMPLOYER
    return OTHER


def _invoices(
    network_ids: list[int], start: dt.date, end: dt.date
) -> dict[tuple[str, str], Decimal]:
    """Invoices and credit notes issued in the period to anyone but a person."""
    lines = (
        InvoiceLine.objects.filter(
            invoice__network_id__in=network_ids,
            invoice__customer_user__isnull=True,
            invoice__issued_on__gte=start,
            invoice__issued_on__lte=end,
        )
        .exclude(invoice__status=Status.DRAFT)
        .values_list("invoice_id", "vat_exemption_code", "net_amount")
    )
    per_invoice: dict[int, list[tuple[bool, Decimal]]] = defaultdict(list)
    for invoice_id, code, amount in lines:
        per_invoice[invoice_id].append((code == TRAINING_EXEMPTION, Decimal(str(amount))))
    found: dict[tuple[str, str], Decimal] = defaultdict(lambda: Decimal("0"))
    invoices = Invoice.objects.filter(pk__in=list(per_invoice)).only(
        "pk", "kind", "customer_organisation_id", "credited_invoice_id"
    )
    for invoice in invoices:
        sign = -1 if invoice.kind == Kind.CREDIT_NOTE else 1
        rows = per_invoice[invoice.pk]
        payer = _invoice_payer(invoice, any(training for training, _a in rows))
        for training, amount in rows:
            found[(payer, TRAINING if training else CONTRACT)] += sign * amount
    return dict(found)


def revenue_for(
    *, sites: QuerySet[Site], network_ids: list[int], start: dt.date, end: dt.date
) -> Revenue:
    """Revenue excl. VAT of the sites' sales, and of the invoices of `network_ids` (the
    networks wholly in view; empty for a site host or when a site is chosen), from
    `start` to `end` (days included); see the module's docstring for the definition."""
    amounts: dict[tuple[str, str], Decimal] = {
        (INDIVIDUAL, kind): amount for kind, amount in _sales(sites, start, end).items() if amount
    }
    if network_ids:
        for key, amount in _invoices(network_ids, start, end).items():
            if amount:
                amounts[key] = amounts.get(key, Decimal("0")) + amount
    return Revenue(amounts=amounts, invoices_counted=bool(network_ids))


def invoice_networks_for(*, scope: Scope, sites: QuerySet[Site], site_chosen: bool) -> list[int]:
    """The networks whose invoices count in a view: those wholly in view, i.e. the
    networks a person administers (every network in view for a superuser), when no single
    site was chosen. A site host's view counts none (invoices are not per site)."""
    if site_chosen:
        return []
    if scope.everything:
        return sorted(set(sites.values_list("network_id", flat=True)))
    return sorted(scope.network_ids)
