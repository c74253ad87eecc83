"""Reads of employer contracts: a member's payers, who paid for bookings, an organisation's
usage against its contract month by month (for its managers and the monthly invoice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from buron.accounts.models import Organisation, User

from .models import DUE_STATUSES, EmployerContract, EmployerUse, Employment, UseStatus
from .services import COVERED_BY_CONTRACT, PAYER_EMPLOYER, month_bounds


@dataclass(frozen=True)
class PayerOption:
    """An employer who may pay for the member's bookings (a contract in force or to come)."""

    organisation_id: int
    name: str
    pays_by_default: bool

    @property
    def value(self) -> str:
        return f"{PAYER_EMPLOYER}:{self.organisation_id}"


def payer_options(*, member: User, today: dt.date) -> list[PayerOption]:
    """The member's employers with a contract in force today or later (one read)."""
    in_force = EmployerContract.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    rows = (
        Employment.objects.filter(member=member, organisation__employer_contracts__in=in_force)
        .select_related("organisation")
        .order_by("organisation__legal_name", "pk")
        .distinct()
    )
    return [
        PayerOption(e.organisation_id, e.organisation.legal_name, e.pays_by_default) for e in rows
    ]


def payers_for_bookings(*, booking_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """For the bookings an employer pays (or paid) for, what the payer participant reported
    (one read)."""
    ids = list(booking_ids)
    if not ids:
        return {}
    rows = EmployerUse.objects.filter(booking_id__in=ids).values_list(
        "booking_id", "contract_id", "contract__organisation__legal_name", "status"
    )
    return {
        booking_id: {
            "payer": PAYER_EMPLOYER,
            "covered_by": COVERED_BY_CONTRACT,
            "employer": name,
            "contract": str(contract_id),
            **({"given_back": "yes"} if status == UseStatus.GIVEN_BACK else {}),
        }
        for booking_id, contract_id, name, status in rows
    }


def organisations_managed(*, user: User) -> QuerySet[Organisation]:
    """The organisations the person manages (none for anybody else)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(managers=user).order_by("legal_name")


def organisation_managed(*, user: User, organisation_id: int) -> Organisation | None:
    """One organisation the person manages, or None (whether it exists or not)."""
    return organisations_managed(user=user).filter(pk=organisation_id).first()


@dataclass
class EmployeeUsage:
    """One employee's month under a contract: days used against the days allowed, and per
    site."""

    name: str
    used: Decimal
    allowed: Decimal
    by_site: dict[str, Decimal] = field(default_factory=dict)

    @property
    def over(self) -> bool:
        return self.used > self.allowed


@dataclass
class ContractMonth:
    """A contract's month as its employer's managers read it."""

    contract: EmployerContract
    first: dt.date
    last: dt.date
    employees: list[EmployeeUsage]
    by_site: dict[str, Decimal]

    @property
    def used(self) -> Decimal:
        return sum((e.used for e in self.employees), Decimal(0))


def _contracts_in_month(
    organisation: Organisation, first: dt.date, last: dt.date
) -> list[EmployerContract]:
    return list(
        EmployerContract.objects.filter(organisation=organisation, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .prefetch_related("sites")
        .order_by("starts_on", "pk")
    )


def organisation_usage(*, organisation: Organisation, month: dt.date) -> list[ContractMonth]:
    """The organisation's contracts in force during the month, each with its employees'
    days used (bookings made, and those cancelled late) against the days allowed, per
    employee and per site; every linked employee is listed, even without a day used. Three
    reads, whatever the number of employees."""
    first, last = month_bounds(month)
    contracts = _contracts_in_month(organisation, first, last)
    if not contracts:
        return []
    linked = list(
        Employment.objects.filter(organisation=organisation)
        .select_related("member")
        .order_by("member__last_name", "member__first_name", "pk")
    )
    rows = (
        EmployerUse.objects.filter(
            contract__in=contracts, day__gte=first, day__lte=last, status__in=DUE_STATUSES
        )
        .values_list("contract_id", "member_id", "employee_name", "site__name")
        .annotate(total=Sum("units"))
        .order_by("contract_id", "employee_name", "site__name")
    )
    found: dict[int, dict[object, EmployeeUsage]] = {c.pk: {} for c in contracts}
    for contract in contracts:
        for employment in linked:
            member = employment.member
            found[contract.pk][member.pk] = EmployeeUsage(
                name=member.get_full_name() or member.email,
                used=Decimal(0),
                allowed=contract.days_per_month,
            )
    allowed = {c.pk: c.days_per_month for c in contracts}
    for contract_id, member_id, name, site_name, total in rows:
        key = member_id if member_id is not None else name
        usage = found[contract_id].setdefault(
            key, EmployeeUsage(name=name, used=Decimal(0), allowed=allowed[contract_id])
        )
        usage.used += total
        usage.by_site[site_name] = usage.by_site.get(site_name, Decimal(0)) + total
    months = []
    for contract in contracts:
        employees = list(found[contract.pk].values())
        by_site: dict[str, Decimal] = {}
        for employee in employees:
            for site_name, total in employee.by_site.items():
                by_site[site_name] = by_site.get(site_name, Decimal(0)) + total
        months.append(
            ContractMonth(contract, first, last, employees, dict(sorted(by_site.items())))
        )
    return months
