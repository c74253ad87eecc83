"""Monthly employer invoicing: one invoice per contract for the previous month's days, lines
per employee, site and unit with service dates, numbered in the seller's gapless sequence,
idempotent (also when two runs race), progress kept, PDFs rendered once and valid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from buron.billing.employer_invoicing import employer_invoicing_run, previous_month
from buron.billing.employer_tasks import employer_invoicing_queue, invoice_pdfs_render
from buron.billing.models import Invoice, Status
from buron.billing.tests.helpers import amounts, one, pdf_bytes, xml_of
from buron.core.testing.race import race
from buron.employers.models import ContractInvoice, EmployerUse, InvoicingRun, UseStatus

from .conftest import employee_of, make_contract

MARCH = dt.date(2027, 3, 1)
ISSUED = dt.date(2027, 4, 1)


def use(contract, member, site, day, period="day", status=UseStatus.USED):
    return EmployerUse.objects.create(
        contract=contract,
        member=member,
        employee_name=member.get_full_name(),
        booking_id=EmployerUse.objects.count() + 1000 + day.toordinal() * 3 + len(period),
        site=site,
        day=day,
        period=period,
        units=Decimal(1) if period == "day" else Decimal("0.5"),
        status=status,
    )


@pytest.fixture
def march(db, site, other_site, seller, employer, employee):
    contract = make_contract(employer)
    other = employee_of(employer, "paul@example.org", first_name="Paul", last_name="Roux")
    use(contract, employee, site, dt.date(2027, 3, 2))
    use(contract, employee, site, dt.date(2027, 3, 9))
    use(contract, employee, site, dt.date(2027, 3, 10), "am")
    use(contract, employee, other_site, dt.date(2027, 3, 16), "pm")
    use(contract, other, site, dt.date(2027, 3, 23), "am", status=UseStatus.CONSUMED)
    # Not invoiced: given back, or another month.
    use(contract, other, site, dt.date(2027, 3, 24), status=UseStatus.GIVEN_BACK)
    use(contract, employee, site, dt.date(2027, 4, 2))
    return contract


@pytest.mark.django_db
def test_it_issues_one_invoice_per_contract_with_lines_per_employee_site_and_unit(
    march, site, employer
):
    run, issued = employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=ISSUED)
    (invoice,) = Invoice.objects.filter(pk__in=issued)
    assert invoice.customer_organisation == employer and invoice.status == Status.DUE
    assert invoice.number == "CANTAL-2027-000001"
    lines = {
        line.description: (line.quantity, line.unit_price, line.service_start, line.service_end)
        for line in invoice.lines.all()
    }
    assert lines == {
        "Jours – Salomé Vidal – Télécentre de Murat": (
            Decimal(2),
            Decimal("16.67"),
            dt.date(2027, 3, 2),
            dt.date(2027, 3, 9),
        ),
        "Demi-journées – Salomé Vidal – Télécentre de Murat": (
            Decimal(1),
            Decimal("8.33"),
            dt.date(2027, 3, 10),
            dt.date(2027, 3, 10),
        ),
        "Demi-journées – Salomé Vidal – Télécentre d'Allanche": (
            Decimal(1),
            Decimal("8.33"),
            dt.date(2027, 3, 16),
            dt.date(2027, 3, 16),
        ),
        "Demi-journées – Paul Roux – Télécentre de Murat": (
            Decimal(1),
            Decimal("8.33"),
            dt.date(2027, 3, 23),
            dt.date(2027, 3, 23),
        ),
    }
    # 2 × 16.67 + 3 × 8.33 = 58.33 net, 11.67 VAT.
    assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (
        Decimal("58.33"),
        Decimal("11.67"),
        Decimal("70.00"),
    )
    assert (run.total, run.done, run.invoiced, run.failed, run.status) == (1, 1, 1, 0, "done")
    assert ContractInvoice.objects.get(contract=march, month=MARCH).invoice_id == invoice.pk


@pytest.mark.django_db
def test_running_again_never_invoices_twice_and_numbers_have_no_gap(march, site, employer):
    employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=ISSUED)
    run, issued = employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=ISSUED)
    assert issued == [] and Invoice.objects.count() == 1
    assert (run.total, run.done) == (1, 1)
    # The next month is its own invoice, next in the sequence.
    employer_invoicing_run(network_id=site.network_id, month=dt.date(2027, 4, 1))
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_a_contract_without_days_gets_no_invoice_and_a_refused_one_takes_no_number(
    site, seller, employer, other_employer, employee
):
    quiet = make_contract(other_employer)
    contract = make_contract(employer)
    use(contract, employee, site, dt.date(2027, 3, 2))
    # A business customer needs an address: this one is refused before numbering.
    other_employer.city = ""
    other_employer.save()
    busy_other = employee_of(other_employer, "jo@example.org", first_name="Jo", last_name="Bru")
    use(quiet, busy_other, site, dt.date(2027, 3, 3))
    run, issued = employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=ISSUED)
    assert len(issued) == 1 and Invoice.objects.get().sequence == 1
    assert (run.done, run.failed, run.invoiced) == (1, 1, 1)
    assert run.last_error.startswith("Scierie du Lioran")
    # Corrected, a second run invoices it with the next number.
    other_employer.city = "Murat"
    other_employer.save()
    run, issued = employer_invoicing_run(network_id=site.network_id, month=MARCH, issued_on=ISSUED)
    assert [i.sequence for i in Invoice.objects.filter(pk__in=issued)] == [2]
    assert (run.done, run.failed) == (2, 0)


@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_issue_each_contract_once_in_one_sequence(site, seller, employer):
    from buron.accounts.tests.factories import UserFactory

    contracts = []
    for n in range(6):
        organisation = employer if n == 0 else _org(site, n)
        contract = make_contract(organisation)
        member = UserFactory(email=f"race{n}@example.org")
        use(contract, member, site, dt.date(2027, 3, 2 + n))
        contracts.append(contract)
    calls = [
        lambda: employer_invoicing_run(
            network_id=site.network_id, month=MARCH, issued_on=ISSUED, chunk=2
        )
        for _ in range(2)
    ]
    _wins, failures = race(calls)
    assert not failures, failures
    assert Invoice.objects.count() == 6
    assert sorted(Invoice.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert ContractInvoice.objects.count() == 6


def _org(site, n):
    from buron.billing.tests.factories import make_organisation

    sirens = ["732829320", "542051180", "552100554", "356000000", "775670417"]
    return make_organisation(
        site.network, legal_name=f"Employeur {n}", siren=sirens[n - 1], siret="", vat_number=""
    )


@pytest.mark.django_db
def test_the_task_renders_each_pdf_once_and_it_is_a_valid_facturx(march, site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    networks = employer_invoicing_queue(month=MARCH)
    assert networks == [site.network_id]
    invoice = Invoice.objects.get()
    assert invoice.pdf
    root = xml_of(pdf_bytes(invoice))
    assert one(root, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert sum(amounts(root, "//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount")) == (
        invoice.total_excl_vat
    )
    name = invoice.pdf.name
    assert invoice_pdfs_render.call(invoice_ids=[invoice.pk]) == 0
    invoice.refresh_from_db()
    assert invoice.pdf.name == name


@pytest.mark.django_db
def test_the_command_queues_the_previous_month(march, site, settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(dt.datetime(2027, 4, 1, 3, 0, tzinfo=dt.UTC), tick=False)
    assert previous_month(dt.date(2027, 4, 1)) == MARCH
    call_command("employer_invoicing")
    assert InvoicingRun.objects.get().month == MARCH
    assert Invoice.objects.count() == 1
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("employer_invoicing", "--month", "mars")


@pytest.mark.django_db
def test_a_contract_at_zero_vat_gives_its_exemption(site, seller, employer, employee, settings):
    contract = make_contract(
        employer, vat_rate=Decimal(0), vat_exemption_reason="Exonération (démonstration)"
    )
    use(contract, employee, site, dt.date(2027, 3, 2))
    _run, issued = employer_invoicing_run(network_id=site.network_id, month=MARCH)
    invoice = Invoice.objects.get(pk=issued[0])
    assert invoice.total_vat == 0
    assert invoice.lines.get().vat_exemption_reason == "Exonération (démonstration)"
    assert connection.vendor in ("sqlite", "postgresql")
