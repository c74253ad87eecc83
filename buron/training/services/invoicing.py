"""Invoicing a session's funders through billing: one invoice per funder, a line per
learner they fund (hours attended, or the price per learner), VAT-exempt when the network
invoices as a registered training body; issued once, however often it is asked for."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import User
from buron.billing.document import LineInput
from buron.billing.models import Seller
from buron.billing.services import InvoiceRefused, invoice_issue, invoice_pdf_render

from ..errors import refusal
from ..models import (
    AttendanceSheet,
    Enrolment,
    EnrolmentStatus,
    FunderInvoice,
    InvoiceBasis,
    PartnerOrganisation,
    Session,
    SessionStatus,
)
from ..selectors import hours_attended, may_invoice_session

# Vocational training by a registered body is exempt (CGI art. 261-4-4° a; directive
# 2006/112/EC art. 132-1 i): EN 16931 category E with this exemption code and text.
TRAINING_EXEMPTION_CODE = "VATEX-EU-132-1I"
TRAINING_EXEMPTION_REASON = "Exonération de TVA, article 261-4-4° a du CGI"
STANDARD_RATE = Decimal("20")
UNIT_PRICE = Decimal("0.0001")


def _check_session(session: Session, now: dt.datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise refusal(_("A cancelled session is not invoiced."), "cancelled")
    last_end = session.half_days.aggregate(last=Max("ends_at"))["last"]
    if last_end is None or last_end > now:
        raise refusal(_("A session is invoiced once it is over."), "not_over")
    open_sheets = session.half_days.exclude(
        pk__in=AttendanceSheet.objects.filter(countersigned_at__isnull=False).values("half_day_id")
    )
    if open_sheets.exists():
        raise refusal(
            _("Every attendance sheet of the session must be countersigned first."),
            "sheets_open",
        )


def _lines(session: Session, funder: PartnerOrganisation, seller: Seller) -> list[LineInput]:
    programme = session.programme
    tz = zoneinfo.ZoneInfo(session.network.time_zone)
    days = [h.starts_at.astimezone(tz).date() for h in session.half_days.order_by("starts_at")]
    if seller.training_declaration_number:
        vat = {
            "vat_rate": Decimal("0"),
            "vat_exemption_code": TRAINING_EXEMPTION_CODE,
            "vat_exemption_reason": TRAINING_EXEMPTION_REASON,
        }
    else:
        vat = {"vat_rate": STANDARD_RATE}
    hourly = (programme.price / programme.duration_hours).quantize(UNIT_PRICE)
    lines: list[LineInput] = []
    enrolments = (
        Enrolment.objects.filter(session=session, funder=funder, status=EnrolmentStatus.CONFIRMED)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    for enrolment in enrolments:
        learner = enrolment.learner
        who = f"{learner.first_name} {learner.last_name.upper()}".strip() or learner.email
        if enrolment.france_travail_id:
            who += f" (France Travail {enrolment.france_travail_id})"
        if programme.invoice_basis == InvoiceBasis.SESSION:
            quantity, unit_price, what = Decimal(1), programme.price, "prix par stagiaire"
        else:
            quantity, unit_price = hours_attended(enrolment=enrolment), hourly
            what = "heures suivies"
        if quantity <= 0:
            continue
        lines.append(
            LineInput(
                description=f"Formation « {programme.title} » – {who} – {what}"[:300],
                quantity=quantity,
                unit_price=unit_price,
                service_start=days[0],
                service_end=days[-1],
                **vat,  # type: ignore[arg-type]
            )
        )
    return lines


def funder_invoice_issue(
    *,
    session: Session,
    funder: PartnerOrganisation,
    by: User,
    now: dt.datetime | None = None,
    render: bool = True,
) -> FunderInvoice:
    """Issue the invoice of the learners a funder pays for in a session, to the organisation
    the funder is invoiced as, by the network's seller. Asked again, it returns the invoice
    already issued (the session row is locked, so concurrent requests issue one)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Session.objects.select_for_update()
            .select_related("programme", "network")
            .get(pk=session.pk)
        )
        if not may_invoice_session(user=by, session=locked):
            raise refusal(
                _("Only the network's administrators invoice its trainings."), "not_staff"
            )
        done = FunderInvoice.objects.filter(session=locked, funder=funder).select_related("invoice")
        existing = done.first()
        if existing is not None:
            return existing
        _check_session(locked, now)
        if funder.network_id != locked.network_id:
            raise refusal(_("This funder belongs to another network."), "other_network")
        if funder.billing_organisation_id is None:
            raise refusal(
                _(
                    "Say which organisation %(funder)s is invoiced as "
                    "(Trainings › Partner organisations)."
                )
                % {"funder": funder.name},
                "no_billing_organisation",
            )
        seller = Seller.objects.filter(network_id=locked.network_id).first()
        if seller is None:
            raise refusal(_("The network has no seller identity to invoice with."), "no_seller")
        lines = _lines(locked, funder, seller)
        if not lines:
            raise refusal(_("This funder has no learner to invoice in this session."), "empty")
        try:
            invoice = invoice_issue(
                seller=seller,
                lines=lines,
                customer_organisation=funder.billing_organisation,
                issued_on=timezone.localdate(now),
                render=False,
            )
        except InvoiceRefused as refused:
            raise refusal("; ".join(refused.messages), "invoice_refused") from refused
        made = FunderInvoice.objects.create(
            session=locked, funder=funder, invoice=invoice, issued_by=by, created_at=now
        )
    if render:
        invoice_pdf_render(invoice=made.invoice)
    return made


def session_funders(*, session: Session) -> list[PartnerOrganisation]:
    """The organisations funding some learner of the session."""
    ids = (
        Enrolment.objects.filter(session=session, status=EnrolmentStatus.CONFIRMED)
        .exclude(funder=None)
        .values("funder_id")
    )
    return list(PartnerOrganisation.objects.filter(pk__in=ids).order_by("name"))


def session_invoice_funders(
    *, session: Session, by: User, now: dt.datetime | None = None, render: bool = True
) -> list[FunderInvoice]:
    """Invoice every funder of the session (each once; see funder_invoice_issue)."""
    return [
        funder_invoice_issue(session=session, funder=funder, by=by, now=now, render=render)
        for funder in session_funders(session=session)
    ]
