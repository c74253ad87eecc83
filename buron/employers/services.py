"""Writes of employer contracts: who pays for a booking (inside its transaction), days given
back or consumed when it is cancelled, employees linked to their employer.

The payer of a booking is decided under the member's lock, which the booking already holds
(booking's lock_member): an employee's monthly quota is counted from the EmployerUse rows
of that month, so concurrent bookings of one member never go past it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from buron.accounts.models import Organisation, StatusPeriod, User

from .models import (
    DUE_STATUSES,
    EmployerContract,
    EmployerUse,
    Employment,
    UseStatus,
)

# What a booking's `payer` says (the API's field, the member page's choice).
PAYER_MEMBER = "member"
PAYER_EMPLOYER = "employer"
PAYER_NOBODY = "nobody"
COVERED_BY_CONTRACT = "employer_contract"

HALF_DAY_PERIODS = ("am", "pm")
DAY_PERIOD = "day"


class PayerRefused(ValidationError):
    """The payer chosen (or remembered) cannot pay for this booking; nothing was written."""


@dataclass(frozen=True)
class PayerChoice:
    """What the person booking asked: the member pays, the default employer, or one employer
    (its organisation's id); `explicit` when they chose rather than took the default."""

    kind: str  # "", "member" or "employer"
    organisation_id: int | None = None

    @property
    def explicit(self) -> bool:
        return bool(self.kind)


def no_employer_message() -> str:
    """Why an employer cannot pay when the member's status that day names none."""
    return _(
        "Your status on that day names no employer: update your status, or choose to pay yourself."
    )


def payer_choice_parse(value: str | None) -> PayerChoice:
    """`member`, `employer` or `employer:<id>` (empty: the remembered default); anything
    else is refused with a message for the `payer` field."""
    text = (value or "").strip()
    if not text:
        return PayerChoice("")
    if text in (PAYER_MEMBER, PAYER_EMPLOYER):
        return PayerChoice(text)
    kind, _sep, ident = text.partition(":")
    if kind == PAYER_EMPLOYER and ident.isdigit() and len(ident) <= 12:
        return PayerChoice(PAYER_EMPLOYER, int(ident))
    raise PayerRefused(
        _("Choose who pays: member, employer or employer:<id>."), code="invalid_payer"
    )


@dataclass(frozen=True)
class EmployerPays:
    """An employer pays for a booking under a contract (what the participant reports)."""

    contract_id: int
    organisation_name: str
    units: Decimal

    def outcome(self) -> dict[str, str]:
        return {
            "payer": PAYER_EMPLOYER,
            "covered_by": COVERED_BY_CONTRACT,
            "employer": self.organisation_name,
            "contract": str(self.contract_id),
        }


@dataclass(frozen=True)
class _Option:
    contract_id: int
    organisation_id: int
    organisation_name: str
    days_per_month: Decimal
    site_ok: bool
    used: Decimal
    pays_by_default: bool


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the day's month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def units_of(period: str) -> Decimal:
    """Days a booking counts: 1 for a day, 0.5 for a half-day."""
    return Decimal(1) if period == DAY_PERIOD else Decimal("0.5")


def _options(*, member_id: int, network_id: int, site_id: int, day: dt.date) -> list[_Option]:
    """The member's employers' contracts in force that day in the network, with whether
    they allow the site and the days already used that month: one statement."""
    first, last = month_bounds(day)
    used = (
        EmployerUse.objects.filter(
            contract_id=OuterRef("pk"),
            member_id=member_id,
            day__gte=first,
            day__lte=last,
            status__in=DUE_STATUSES,
        )
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("units"))
        .values("total")
    )
    employment = Employment.objects.filter(
        organisation_id=OuterRef("organisation_id"), member_id=member_id
    )
    allowed = EmployerContract.sites.through.objects
    site_ok = ~Exists(allowed.filter(employercontract_id=OuterRef("pk"))) | Exists(
        allowed.filter(employercontract_id=OuterRef("pk"), site_id=site_id)
    )
    rows = (
        EmployerContract.objects.filter(network_id=network_id, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(Exists(employment))
        .annotate(
            site_ok=site_ok,
            used=Coalesce(Subquery(used), Decimal(0)),
            default=Subquery(employment.values("pays_by_default")[:1]),
            org_name=F("organisation__legal_name"),
        )
        .order_by("organisation_id", "pk")
        .values_list(
            "pk",
            "organisation_id",
            "org_name",
            "days_per_month",
            "site_ok",
            "used",
            "default",
        )
    )
    return [
        _Option(
            contract_id=row[0],
            organisation_id=row[1],
            organisation_name=row[2],
            days_per_month=Decimal(row[3]),
            site_ok=bool(row[4]),
            used=Decimal(row[5] or 0),
            pays_by_default=bool(row[6]),
        )
        for row in rows
    ]


def _chosen(options: list[_Option], choice: PayerChoice) -> _Option | None:
    """The contract that pays: the one asked for, else the remembered default (the first
    employer the member did not turn away), else none (the member pays)."""
    if choice.kind == PAYER_MEMBER:
        return None
    if choice.organisation_id is not None:
        found = [o for o in options if o.organisation_id == choice.organisation_id]
    elif choice.kind == PAYER_EMPLOYER:
        found = sorted(options, key=lambda o: not o.pays_by_default)
    else:
        found = [o for o in options if o.pays_by_default]
    if found:
        return found[0]
    if choice.kind == PAYER_EMPLOYER:
        raise PayerRefused(
            _("No contract of this employer covers you on that day: choose to pay yourself."),
            code="no_contract",
        )
    return None


def _check_contract(option: _Option, *, site_name: str, day: dt.date, units: Decimal) -> None:
    if not option.site_ok:
        raise PayerRefused(
            _(
                "The contract of %(employer)s does not cover %(site)s: choose one of its "
                "sites, or to pay yourself."
            )
            % {"employer": option.organisation_name, "site": site_name},
            code="site_outside_contract",
        )
    if option.used + units > option.days_per_month:
        raise PayerRefused(
            _(
                "The contract of %(employer)s gives you %(quota)s days in %(month)s and "
                "%(used)s are already booked: this booking goes beyond it. Choose to pay "
                "yourself."
            )
            % {
                "employer": option.organisation_name,
                "quota": _days(option.days_per_month),
                "used": _days(option.used),
                "month": date_format(day, "YEAR_MONTH_FORMAT"),
            },
            code="quota_exceeded",
        )


def _days(value: Decimal) -> str:
    """A number of days as people write it: 3, 2.5 (2,5 in French)."""
    return number_format(value if value % 1 else value.to_integral_value())


@dataclass(frozen=True)
class UseAsk:
    """A desk booking just made, as the payer decision needs it."""

    member: User
    network_id: int
    site_id: int
    site_name: str
    booking_id: int
    day: dt.date
    period: str
    by_member: bool = True  # False: staff book for them (their usual choice stays)


def use_for_booking(*, ask: UseAsk, choice: PayerChoice) -> EmployerPays | None:
    """Decide who pays for a desk booking just made, inside its transaction (the member
    already locked): the employer chosen, or remembered, under its contract in force that
    day, if the site is allowed and the month's quota not passed (else PayerRefused); None
    when the member pays. One read, and one write when an employer pays (one more when the
    member's remembered choice changes: only by their own explicit choice)."""
    if ask.period not in (*HALF_DAY_PERIODS, DAY_PERIOD):
        if choice.kind == PAYER_EMPLOYER:
            raise PayerRefused(
                _("An employer's contract pays for desks by the half-day or the day."),
                code="not_covered",
            )
        return None
    options = _options(
        member_id=ask.member.pk, network_id=ask.network_id, site_id=ask.site_id, day=ask.day
    )
    chosen = _chosen(options, choice)
    if choice.explicit and ask.by_member:
        _remember(ask.member, options, chosen)
    if chosen is None:
        return None
    units = units_of(ask.period)
    _check_contract(chosen, site_name=ask.site_name, day=ask.day, units=units)
    EmployerUse.objects.create(
        contract_id=chosen.contract_id,
        member=ask.member,
        employee_name=ask.member.get_full_name() or ask.member.email,
        booking_id=ask.booking_id,
        site_id=ask.site_id,
        day=ask.day,
        period=ask.period,
        units=units,
    )
    return EmployerPays(chosen.contract_id, chosen.organisation_name, units)


def _remember(member: User, options: list[_Option], chosen: _Option | None) -> None:
    """Keep the member's explicit choice as their default (a write only when it changes)."""
    wanted = {o.organisation_id: chosen is not None and o is chosen for o in options}
    if all(o.pays_by_default == wanted[o.organisation_id] for o in options):
        return
    if chosen is None:
        Employment.objects.filter(member=member).update(pays_by_default=False)
        return
    Employment.objects.filter(member=member).update(
        pays_by_default=_is_organisation(chosen.organisation_id)
    )


def payer_default_set(*, member: User, organisation_id: int | None) -> None:
    """Remember who pays by default for the member: one of their employers, or themselves
    (None)."""
    employments = Employment.objects.filter(member=member)
    if (
        organisation_id is not None
        and not employments.filter(organisation_id=organisation_id).exists()
    ):
        raise PayerRefused(_("You are not linked to this employer."), code="no_employment")
    employments.update(pays_by_default=_is_organisation(organisation_id or 0))


def _is_organisation(organisation_id: int) -> Case:
    return Case(
        When(organisation_id=organisation_id, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def use_give_back(*, booking_id: int, late: bool) -> bool:
    """A booking was cancelled (inside its transaction): in time, its day goes back to the
    quota and is not invoiced; late, it stays due. Whether an employer paid for it (one
    write)."""
    status = UseStatus.CONSUMED if late else UseStatus.GIVEN_BACK
    return bool(
        EmployerUse.objects.filter(booking_id=booking_id, status=UseStatus.USED).update(
            status=status
        )
    )


def use_move(*, from_booking_id: int, to_booking_id: int, site_id: int) -> EmployerPays | None:
    """A booking moved to another resource (same times): the employer still pays for it."""
    moved = EmployerUse.objects.filter(booking_id=from_booking_id, status=UseStatus.USED).update(
        booking_id=to_booking_id, site_id=site_id
    )
    if not moved:
        return None
    use = EmployerUse.objects.select_related("contract__organisation").get(booking_id=to_booking_id)
    return EmployerPays(use.contract_id, use.contract.organisation.legal_name, use.units)


# --- employees ------------------------------------------------------------------------------


def _normalised(name: str) -> str:
    return " ".join(name.casefold().split())


@transaction.atomic
def employment_link(
    *, organisation: Organisation, member: User, from_status: bool = False
) -> Employment:
    """Link a member to an organisation as its employee (once)."""
    employment, _created = Employment.objects.get_or_create(
        organisation=organisation, member=member, defaults={"from_status": from_status}
    )
    return employment


def employment_link_from_status(user: User, valid_from: dt.date) -> int:
    """After a member's status changed: when the employer it names is an organisation's
    legal name (letters' case and spaces aside), link the member to it. How many links were
    made."""
    period = StatusPeriod.objects.filter(user=user, valid_from=valid_from).first()
    if period is None or not period.employer_name.strip():
        return 0
    wanted = _normalised(period.employer_name)
    made = 0
    candidates = Organisation.objects.filter(legal_name__iexact=period.employer_name.strip())
    for organisation in candidates:
        if _normalised(organisation.legal_name) == wanted:
            employment_link(organisation=organisation, member=user, from_status=True)
            made += 1
    return made


def employees_link_from_statuses(*, organisation: Organisation) -> int:
    """Link to the organisation every member whose status names it (the network's
    administrator runs it from the admin). How many new links were made."""
    wanted = _normalised(organisation.legal_name)
    periods = StatusPeriod.objects.filter(
        employer_name__iexact=organisation.legal_name.strip()
    ).select_related("user")
    made = 0
    for period in periods:
        if _normalised(period.employer_name) != wanted:
            continue
        _employment, created = Employment.objects.get_or_create(
            organisation=organisation, member=period.user, defaults={"from_status": True}
        )
        made += int(created)
    return made
