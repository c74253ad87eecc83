"""Month-end employer invoicing at national size, on PostgreSQL (`python -m bench.invoicing`,
also run by `make bench`).

Seeds once, in its own database (buron_employer_bench): one network and its seller, 10,000
employer organisations each with a contract, three employees each and their days of the
month (about 150,000 days). Then, each run: forgets the month's invoices, times the monthly
invoicing task's numbering and lines (`employer_invoicing_run`, the body of the
`employer_invoicing` task, without queueing the PDFs), and renders the Factur-X PDF of a
sample of the invoices one by one (p50, p95). Figures go to bench/results/invoicing.json and
invoicing.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

DATABASE = "buron_employer_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
RESULTS = Path(__file__).resolve().parent / "results"
MONTH = dt.date(2026, 10, 1)
TARGET_PER_S = 200


def _siren(n: int) -> str:
    """A SIREN with a valid Luhn key, made from a number."""
    base = f"{n:08d}"
    for key in range(10):
        digits = [int(c) for c in base + str(key)]
        total = 0
        for i, d in enumerate(reversed(digits)):
            if i % 2:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        if total % 10 == 0:
            return base + str(key)
    raise AssertionError(n)


def _database_ensure() -> None:
    from .run import database_ensure

    database_ensure(DATABASE)


def _setup() -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(contracts: int, employees: int) -> float:
    """Seed the network once (kept for later runs); seconds taken (0 when already there)."""
    from django.contrib.auth.hashers import make_password

    from buron.accounts.models import Organisation, User
    from buron.billing.models import Seller
    from buron.employers.models import EmployerContract, EmployerUse, Employment
    from buron.places.models import Network, Site

    if EmployerContract.objects.count() >= contracts:
        return 0.0
    began = time.perf_counter()
    network, _ = Network.objects.get_or_create(slug="bench-employers", defaults={"name": "Banc"})
    Seller.objects.get_or_create(
        network=network,
        defaults={
            "legal_name": "Réseau du banc d'essai",
            "legal_form": "SCIC",
            "siren": "200012342",
            "siret": "20001234200016",
            "vat_number": "FR82200012342",
            "address_lines": "1 place du Banc",
            "postcode": "15000",
            "city": "Aurillac",
            "number_prefix": "BANC",
        },
    )
    sites = [
        Site.objects.get_or_create(
            network=network,
            slug=f"site-{n}",
            defaults={
                "name": f"Site {n}",
                "commune_name": "Aurillac",
                "insee_code": "15014",
                "postal_code": "15000",
                "latitude": Decimal("44.9264"),
                "longitude": Decimal("2.4396"),
            },
        )[0]
        for n in range(10)
    ]
    password = make_password(None)
    start = Organisation.objects.filter(network=network).count()
    for first in range(start, contracts, 1000):
        last = min(first + 1000, contracts)
        orgs = Organisation.objects.bulk_create(
            Organisation(
                network=network,
                legal_name=f"Employeur {n:05d}",
                siren=_siren(10_000_000 + n),
                address_lines=f"{n} route des Burons",
                postcode="15000",
                city="Aurillac",
            )
            for n in range(first, last)
        )
        contracts_made = EmployerContract.objects.bulk_create(
            EmployerContract(
                network=network,
                organisation=org,
                days_per_month=Decimal("8"),
                half_day_price=Decimal("8.33"),
                day_price=Decimal("16.67"),
                starts_on=dt.date(2026, 1, 1),
            )
            for org in orgs
        )
        users = User.objects.bulk_create(
            User(
                email=f"salarie-{org.pk}-{k}@bench.invalid",
                first_name=f"Salarié {k}",
                last_name=org.legal_name[-5:],
                password=password,
            )
            for org in orgs
            for k in range(employees)
        )
        Employment.objects.bulk_create(
            Employment(organisation=orgs[i // employees], member=user)
            for i, user in enumerate(users)
        )
        uses = []
        for i, user in enumerate(users):
            contract = contracts_made[i // employees]
            for d in range(5):
                day = MONTH + dt.timedelta(days=(i + 3 * d) % 28)
                period = ("am", "pm", "day")[(i + d) % 3]
                uses.append(
                    EmployerUse(
                        contract=contract,
                        member=user,
                        employee_name=f"{user.first_name} {user.last_name}",
                        booking_id=user.pk * 10 + d,
                        site=sites[(i + d) % 3],
                        day=day,
                        period=period,
                        units=Decimal(1) if period == "day" else Decimal("0.5"),
                    )
                )
        EmployerUse.objects.bulk_create(uses, batch_size=5000)
        print(f"seeded {last} contracts", file=sys.stderr, flush=True)
    return time.perf_counter() - began


def _forget_month(network_id: int) -> None:
    """Take the previous run's invoices away (the bench's own database only)."""
    from django.db import connection

    from buron.billing.models import Invoice, InvoiceLine, NumberCounter
    from buron.employers.models import ContractInvoice, InvoicingRun

    with connection.cursor() as cursor:
        for model in (InvoiceLine, ContractInvoice, InvoicingRun, Invoice):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    NumberCounter.objects.filter(seller__network_id=network_id).update(last=0)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(*, contracts: int, employees: int, sample: int) -> dict[str, Any]:
    """Seed when needed, run the month's invoicing, render a sample of PDFs: the figures."""
    _database_ensure()
    _setup()
    from django.conf import settings

    from buron.billing.employer_invoicing import employer_invoicing_run
    from buron.billing.models import Invoice, InvoiceLine
    from buron.billing.services import invoice_pdf_render
    from buron.places.models import Network

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    seeded_s = _seed(contracts, employees)
    network = Network.objects.get(slug="bench-employers")
    _forget_month(network.pk)
    began = time.perf_counter()
    run, issued = employer_invoicing_run(
        network_id=network.pk, month=MONTH, issued_on=dt.date(2026, 11, 1)
    )
    seconds = time.perf_counter() - began
    lines = InvoiceLine.objects.filter(invoice__in=issued).count()
    again = time.perf_counter()
    _run, twice = employer_invoicing_run(network_id=network.pk, month=MONTH)
    rerun_s = time.perf_counter() - again
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="buron-invoicing-bench-")
    timings = []
    for invoice in Invoice.objects.filter(pk__in=issued[:: max(1, len(issued) // sample)][:sample]):
        start = time.perf_counter()
        invoice_pdf_render(invoice=invoice)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "contracts": run.total,
        "employees_per_contract": employees,
        "seed_s": round(seeded_s, 1),
        "invoices": len(issued),
        "lines": lines,
        "numbering_and_lines_s": round(seconds, 2),
        "invoices_per_s": round(len(issued) / seconds, 1),
        "target_invoices_per_s": TARGET_PER_S,
        "rerun_invoices": len(twice),
        "rerun_s": round(rerun_s, 2),
        "pdf_sample": len(timings),
        "pdf_ms_p50": round(statistics.median(timings), 1),
        "pdf_ms_p95": round(_percentile(timings, 0.95), 1),
    }


def markdown(found: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    met = "met" if found["invoices_per_s"] >= found["target_invoices_per_s"] else "not met"
    rows = [
        (
            "contracts invoiced (employees each)",
            f"{found['contracts']:,} ({found['employees_per_contract']})",
            "10,000",
        ),
        ("invoices, lines", f"{found['invoices']:,}, {found['lines']:,}", ""),
        (
            "numbering and lines, in the task",
            f"{found['numbering_and_lines_s']} s, **{found['invoices_per_s']:,} invoices/s** "
            f"({met})",
            f"≥ {found['target_invoices_per_s']}/s",
        ),
        (
            "the same month run again",
            f"{found['rerun_invoices']} new invoices, {found['rerun_s']} s",
            "0",
        ),
        (
            f"Factur-X PDF per invoice, sample of {found['pdf_sample']}",
            f"p50 {found['pdf_ms_p50']} ms, p95 {found['pdf_ms_p95']} ms",
            "rendered once, kept",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return (
        f"# Month-end employer invoicing ({found['when']})\n\n"
        f"PostgreSQL, {found['cpus']} cores, load average {found['load_average_at_start']}.\n\n"
        f"| figure | value | target |\n| --- | --- | --- |\n{table}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.invoicing", description=__doc__)
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--employees", type=int, default=3)
    parser.add_argument("--sample", type=int, default=40, help="PDFs rendered and timed")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    found = measure(contracts=args.contracts, employees=args.employees, sample=args.sample)
    summary = markdown(found)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "invoicing.json").write_text(json.dumps(found, indent=2) + "\n")
        (RESULTS / "invoicing.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
