"""The demo's employer: an invented Cantal dairy ("Laiterie des Estives") with a contract for
its remote employees at Murat and Saint-Flour, three employees who booked desks under it over
the last three months (through the booking service, so the employer's days are written as
any booking writes them), the monthly invoices issued by the monthly invoicing, a payment
and a credit note. Every name here is made up."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from buron.accounts.models import Organisation, User
from buron.accounts.services import member_create
from buron.billing.document import LineInput
from buron.billing.employer_invoicing import employer_invoicing_run
from buron.billing.models import Invoice
from buron.billing.services import credit_note_issue, payment_record
from buron.booking.errors import BookingRefused, SlotTaken
from buron.booking.services import booking_create_half_day
from buron.employers.models import EmployerContract, Employment
from buron.employers.services import month_bounds
from buron.observatory.services import rollups_refresh
from buron.places.models import Network, Site

from . import network as demo

MANAGER_EMAIL = "rh@laiterie-estives.example"
EMPLOYEES = (
    ("salome.vidal@laiterie-estives.example", "Salomé", "Vidal"),
    ("paul.roux@laiterie-estives.example", "Paul", "Roux"),
    ("ines.calvet@laiterie-estives.example", "Inès", "Calvet"),
)
CONTRACT_SITES = ("murat", "saint-flour")
DAYS_PER_MONTH = Decimal("8")
HALF_DAY_PRICE = Decimal("8.33")  # 10 € incl. VAT, the published Murat half-day
DAY_PRICE = Decimal("16.67")  # 20 € incl. VAT
MONTHS_INVOICED = 3


def _month_start(today: dt.date, months_back: int) -> dt.date:
    first = today.replace(day=1)
    for _ in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def _person(email: str, first: str, last: str, *, employer: str) -> User:
    found = User.objects.filter(email=email).first()
    if found is not None:
        return found
    return member_create(
        email=email,
        password=demo.DEMO_PASSWORD,
        status="salaried_remote",
        employer_name=employer,
        first_name=first,
        last_name=last,
        verified=True,
    )


def _book_days(
    member: User, *, sites: list[Site], days: list[dt.date], tz: zoneinfo.ZoneInfo, offset: int
) -> int:
    """Book the member's desks on those days (a day before each, as they would), at the
    contract's sites in turn; a day the site is closed or full is skipped."""
    made = 0
    for n, day in enumerate(days):
        site = sites[(n + offset) % len(sites)]
        period = ("day", "am", "pm")[(n + offset) % 3]
        try:
            booking_create_half_day(
                member=member,
                site=site,
                day=day,
                period=period,
                now=dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9), tzinfo=tz),
                notify=False,
            )
        except (BookingRefused, SlotTaken):
            continue
        made += 1
    return made


def _working_days(first: dt.date, last: dt.date, every: int, offset: int) -> list[dt.date]:
    days = []
    day = first + dt.timedelta(days=offset)
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=every)
    return days


def demo_employer_load(*, network: Network, employer: Organisation, today: dt.date) -> int:
    """Load the employer's contract, employees, their bookings and the monthly invoices once
    (a later load adds nothing); returns how many invoices the employer has."""
    if EmployerContract.objects.filter(organisation=employer).exists():
        return Invoice.objects.filter(customer_organisation=employer).count()
    manager = _person(MANAGER_EMAIL, "Hélène", "Bos (RH, démo)", employer=employer.legal_name)
    employer.managers.add(manager)
    contract = EmployerContract.objects.create(
        network=network,
        organisation=employer,
        reference="LAIT-2026",
        days_per_month=DAYS_PER_MONTH,
        half_day_price=HALF_DAY_PRICE,
        day_price=DAY_PRICE,
        starts_on=_month_start(today, MONTHS_INVOICED),
    )
    sites = list(Site.objects.filter(network=network, slug__in=CONTRACT_SITES).order_by("slug"))
    contract.sites.set(sites)
    tz = zoneinfo.ZoneInfo(network.time_zone)
    for offset, (email, first, last) in enumerate(EMPLOYEES):
        member = _person(email, first, last, employer=employer.legal_name)
        Employment.objects.get_or_create(organisation=employer, member=member)
        for back in range(MONTHS_INVOICED, -1, -1):
            start, end = month_bounds(_month_start(today, back))
            end = min(end, today + dt.timedelta(days=14))
            days = _working_days(start, end, 4, offset)
            _book_days(member, sites=sites, days=days, tz=tz, offset=offset)
    # The observatory's figures of those days, recomputed at once (the bookings' own
    # rollup tasks run only once the loading transaction has committed).
    rollups_refresh(
        sites=list(Site.objects.filter(network=network).select_related("network")),
        start=_month_start(today, MONTHS_INVOICED),
        end=today + dt.timedelta(days=14),
    )
    _invoice_months(network=network, today=today)
    return Invoice.objects.filter(customer_organisation=employer).count()


def _invoice_months(*, network: Network, today: dt.date) -> None:
    """The monthly invoicing of the last months, as the task would have run it on each
    first day; the oldest invoice paid by transfer, the next one partly credited."""
    for back in range(MONTHS_INVOICED, 0, -1):
        month = _month_start(today, back)
        issued_on = month_bounds(month)[1] + dt.timedelta(days=1)
        _run, issued = employer_invoicing_run(
            network_id=network.pk, month=month, issued_on=issued_on
        )
        invoice = Invoice.objects.filter(pk__in=issued).first()
        if invoice is not None and back == MONTHS_INVOICED:
            payment_record(
                invoice=invoice,
                amount=invoice.total_incl_vat,
                method="transfer",
                paid_on=issued_on + dt.timedelta(days=20),
                reference="DEMO-VIR-LAITERIE-1",
            )
        if invoice is not None and back == MONTHS_INVOICED - 1:
            _credit_one_line(invoice, issued_on=issued_on + dt.timedelta(days=5))


def _credit_one_line(invoice: Invoice, *, issued_on: dt.date) -> None:
    """A credit note for one unit of the invoice's first line (counted once too many)."""
    line = invoice.lines.order_by("position", "pk").first()
    if line is None:
        return
    credit_note_issue(
        invoice=invoice,
        lines=[
            LineInput(
                description=f"Avoir : une unité comptée en trop ({line.description})",
                quantity=Decimal(1),
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                service_start=line.service_start,
                service_end=line.service_end,
            )
        ],
        issued_on=issued_on,
        render=False,
    )
