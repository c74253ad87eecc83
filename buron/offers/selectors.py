from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.core.money import money
from buron.places.models import ResourceKind, Site

from .models import (
    EntryKind,
    LedgerEntry,
    MailItem,
    Offer,
    OfferKind,
    PayAsYouGo,
    PayAsYouGoStatus,
    Proof,
    ProofStatus,
    Right,
    Sale,
)

# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferPrice:
    """An offer's price both ways: businesses read it excl. VAT, individuals incl. VAT."""

    excl_vat: Decimal
    vat_rate: Decimal
    vat: Decimal
    incl_vat: Decimal
    vat_exemption_reason: str


def price_of(*, net: Decimal, vat_rate: Decimal, quantity: int = 1, reason: str = "") -> OfferPrice:
    """The amounts of a quantity at a net unit price: each rounded once (money), and the
    amount incl. VAT is their sum to the cent."""
    excl = money(net * quantity)
    vat = money(excl * vat_rate / Decimal(100))
    return OfferPrice(excl, vat_rate, vat, excl + vat, reason)


def offer_price(*, offer: Offer, quantity: int = 1) -> OfferPrice:
    """What an offer costs, excl. and incl. VAT (rounded with buron.core.money)."""
    return price_of(
        net=offer.net_price,
        vat_rate=offer.vat_rate,
        quantity=quantity,
        reason=offer.vat_exemption_reason,
    )


def offer_on_sale(offer: Offer, day: dt.date) -> bool:
    """Whether an offer may be sold (or used as a published price) that day."""
    return (
        offer.is_active
        and (offer.valid_from is None or offer.valid_from <= day)
        and (offer.valid_until is None or day <= offer.valid_until)
    )


def catalogue(*, network_ids: Iterable[int], day: dt.date, site: Site | None = None) -> list[Offer]:
    """The offers on sale that day in those networks (at that site, if given), in their
    order, each with its sites (two statements)."""
    rows = (
        Offer.objects.filter(network_id__in=list(network_ids), is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("network")
        .prefetch_related("sites")
        .order_by("network_id", "position", "net_price", "pk")
    )
    offers = list(rows)
    if site is not None:
        offers = [o for o in offers if not o.sites.all() or site in o.sites.all()]
    return offers


def offers_for_site_page(*, site: Site, day: dt.date) -> list[tuple[Offer, OfferPrice]]:
    """What a site's public page lists: the offers on sale there that day open to everyone
    and to reduced-price categories, each with its price excl. and incl. VAT (two
    statements, whatever the number of offers)."""
    return [
        (o, offer_price(offer=o))
        for o in catalogue(network_ids=[site.network_id], day=day, site=site)
    ]


def _for_everyone_or_proven(member: User | None, day: dt.date) -> Q:
    """Offers for everyone, and reduced ones whose category the member's validated proof
    shows that day (the same condition as the booking's coverage: store.coverage_candidates)."""
    if member is None or not member.is_authenticated:
        return Q(category="")
    proven = Proof.objects.filter(
        member=member,
        network_id=OuterRef("network_id"),
        category=OuterRef("category"),
        status=ProofStatus.VALIDATED,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    return Q(category="") | Q(Exists(proven))


def offer_for_sale(*, offer_id: int, site: Site, day: dt.date) -> Offer | None:
    """The offer of that id on sale that day at that site, else None."""
    found = catalogue(network_ids=[site.network_id], day=day, site=site)
    return next((o for o in found if o.pk == offer_id), None)


# --- rights -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RightView:
    """A member's right as shown to them: its balance and its ledger."""

    right: Right
    balance: int
    entries: list[LedgerEntry]
    is_current: bool


def right_balance(*, right: Right) -> int:
    """The sum of a right's ledger entries."""
    total = LedgerEntry.objects.filter(right=right).aggregate(total=Sum("credits"))["total"]
    return int(total or 0)


def member_rights(
    *, member: User, day: dt.date, network_ids: Iterable[int] | None = None
) -> list[RightView]:
    """A member's rights, newest first, each with its balance (the sum of its ledger) and
    its entries: two statements whatever the number of rights."""
    rights = Right.objects.filter(member=member).select_related("offer", "network")
    if network_ids is not None:
        rights = rights.filter(network_id__in=list(network_ids))
    found = list(rights.order_by("-expires_on", "-pk"))
    entries: dict[int, list[LedgerEntry]] = {r.pk: [] for r in found}
    for entry in LedgerEntry.objects.filter(right__in=found).order_by("pk"):
        entries[entry.right_id].append(entry)
    return [
        RightView(
            right=r,
            balance=sum(e.credits for e in entries[r.pk]),
            entries=entries[r.pk],
            is_current=r.starts_on <= day <= r.expires_on,
        )
        for r in found
    ]


# --- service packs ---------------------------------------------------------------------------


def service_pack_for(
    *, member: User, site: Site, service: str, day: dt.date, quantity: int = 0
) -> Right | None:
    """The member's service pack of that service valid at the site that day (holding at
    least `quantity` when counted), the one ending first; None when there is none."""
    rows = (
        Right.objects.filter(
            member=member,
            network_id=site.network_id,
            kind=OfferKind.SERVICE_PACK,
            service=service,
            starts_on__lte=day,
            expires_on__gte=day,
            revoked_at__isnull=True,
        )
        .filter(Q(offer__sites__isnull=True) | Q(offer__sites=site))
        .select_related("offer", "member")
        .distinct()
        .order_by("expires_on", "pk")
    )
    for right in rows:
        if quantity <= 0 or right_balance(right=right) >= quantity:
            return right
    return None


def service_packs_at_site(*, user: User, site: Site, day: dt.date) -> list[RightView]:
    """The service packs valid that day at a site, with their balances, for its staff only
    (deny by default: [] otherwise); two statements."""
    if not staff_scope(user=user).covers_site(site):
        return []
    rights = list(
        Right.objects.filter(
            network_id=site.network_id,
            kind=OfferKind.SERVICE_PACK,
            starts_on__lte=day,
            expires_on__gte=day,
            revoked_at__isnull=True,
            member__isnull=False,
        )
        .filter(Q(offer__sites__isnull=True) | Q(offer__sites=site))
        .select_related("offer", "member")
        .distinct()
        .order_by("member__email", "expires_on", "pk")
    )
    totals = dict(
        LedgerEntry.objects.filter(right__in=rights)
        .values("right")
        .annotate(total=Sum("credits"))
        .values_list("right", "total")
    )
    return [
        RightView(right=r, balance=int(totals.get(r.pk) or 0), entries=[], is_current=True)
        for r in rights
    ]


def mail_waiting(*, user: User, site: Site) -> list[MailItem]:
    """Mail received at a site and not handed over yet, for its staff only."""
    if not staff_scope(user=user).covers_site(site):
        return []
    return list(
        MailItem.objects.filter(site=site, handed_over_on__isnull=True)
        .select_related("right__member")
        .order_by("received_on", "pk")
    )


def member_mail(*, member: User, limit: int = 50) -> list[MailItem]:
    """The mail received for a member at their business addresses, newest first."""
    return list(
        MailItem.objects.filter(right__member=member)
        .select_related("site")
        .order_by("-received_on", "-pk")[:limit]
    )


# --- what covers a booking ---------------------------------------------------------------


class CoveredBy:
    """How a booking is paid for, as the API and pages name it."""

    SUBSCRIPTION = "subscription"
    CARNET = "carnet"
    WELCOME_PACK = "welcome_pack"
    PASS = "pass"  # noqa: S105 (a pass bought ahead, not a password)
    SERVICE_PACK = "service_pack"
    PAY_AS_YOU_GO = "pay_as_you_go"


@dataclass(frozen=True)
class Coverage:
    """What covers one booking: a right (and the credits it spent) or pay-as-you-go at an
    amount; `given_back` when cancelled in time."""

    covered_by: str
    right_id: int | None = None
    credits: int = 0
    amount_incl_vat: Decimal | None = None
    given_back: bool = False

    def outcome(self) -> dict[str, str]:
        """The booking participant's report (BookingChange.outcome)."""
        # A welcome pack is free: nobody pays for what it covers.
        payer = "nobody" if self.covered_by == CoveredBy.WELCOME_PACK else "member"
        found = {"covered_by": self.covered_by, "payer": payer}
        if self.right_id is not None:
            found["right"] = str(self.right_id)
            found["credits"] = str(self.credits)
        if self.amount_incl_vat is not None:
            found["amount_incl_vat"] = str(self.amount_incl_vat)
        return found


def coverage_for_bookings(*, booking_ids: Iterable[int]) -> dict[int, Coverage]:
    """What covered each of these bookings (two statements, whatever their number)."""
    ids = list(booking_ids)
    found: dict[int, Coverage] = {}
    if not ids:
        return found
    for entry in (
        LedgerEntry.objects.filter(booking_id__in=ids, kind__in=[EntryKind.SPEND, EntryKind.REFUND])
        .select_related("right")
        .order_by("pk")
    ):
        if entry.booking_id is None:
            continue
        if entry.kind == EntryKind.SPEND:
            found[entry.booking_id] = Coverage(
                covered_by=covered_by_name(entry.right.kind),
                right_id=entry.right_id,
                credits=-entry.credits,
            )
        elif entry.booking_id in found:
            previous = found[entry.booking_id]
            found[entry.booking_id] = Coverage(
                covered_by=previous.covered_by,
                right_id=previous.right_id,
                credits=previous.credits,
                given_back=True,
            )
    for row in PayAsYouGo.objects.filter(booking_id__in=ids):
        found[row.booking_id] = Coverage(
            covered_by=CoveredBy.PAY_AS_YOU_GO,
            amount_incl_vat=row.amount_incl_vat,
            given_back=row.status == PayAsYouGoStatus.CANCELLED,
        )
    return found


def covered_by_name(kind: str) -> str:
    """What covers a booking (the API's `covered_by`) when a right of that kind of offer does."""
    return {
        OfferKind.CARNET: CoveredBy.CARNET,
        OfferKind.SUBSCRIPTION: CoveredBy.SUBSCRIPTION,
        OfferKind.WELCOME_PACK: CoveredBy.WELCOME_PACK,
        OfferKind.HALF_DAY_PASS: CoveredBy.PASS,
        OfferKind.DAY_PASS: CoveredBy.PASS,
        OfferKind.SERVICE_PACK: CoveredBy.SERVICE_PACK,
    }[OfferKind(kind)]


# --- sales ---------------------------------------------------------------------------------


def sales_for_site(*, user: User, site: Site, limit: int = 100) -> list[Sale]:
    """The latest sales of a site, for its staff only (deny by default: [] otherwise)."""
    if not staff_scope(user=user).covers_site(site):
        return []
    return list(
        Sale.objects.filter(site=site)
        .select_related("member", "sold_by")
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")[:limit]
    )


def proofs_to_decide(*, user: User) -> list[Proof]:
    """The pending proofs of the sites and networks a staff member manages."""
    scope = staff_scope(user=user)
    if not scope.is_staff:
        return []
    rows = Proof.objects.filter(status=ProofStatus.PENDING).select_related("member", "site")
    if not scope.everything:
        rows = rows.filter(Q(network_id__in=scope.network_ids) | Q(site_id__in=scope.site_ids))
    return list(rows.order_by("created_at"))


def has_validated_proof(*, member: User, network_id: int, category: str, day: dt.date) -> bool:
    """Whether a host validated the member's proof of that category (still valid that day)."""
    return (
        Proof.objects.filter(
            member=member, network_id=network_id, category=category, status=ProofStatus.VALIDATED
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .exists()
    )


def member_proofs(*, member: User) -> list[Proof]:
    """A member's proofs of a category, newest first."""
    return list(Proof.objects.filter(member=member).select_related("site").order_by("-pk"))


def member_offers_export(user: User) -> dict[str, object]:
    """What offers holds about a member, for their data export: rights with their ledger,
    purchases, proofs."""
    rights = member_rights(member=user, day=dt.date.max)
    return {
        "rights": [
            {
                "id": v.right.pk,
                "kind": v.right.kind,
                "offer": v.right.offer.name,
                "starts_on": v.right.starts_on.isoformat(),
                "expires_on": v.right.expires_on.isoformat(),
                "balance": v.balance,
                "ledger": [
                    {"kind": e.kind, "credits": e.credits, "booking": e.booking_id}
                    for e in v.entries
                ],
            }
            for v in rights
        ],
        "purchases": [
            {
                "id": s.pk,
                "site": s.site.slug,
                "payment_method": s.payment_method,
                "total_incl_vat": str(s.total_incl_vat),
                "created_at": s.created_at.isoformat(),
            }
            for s in Sale.objects.filter(member=user).select_related("site")
        ],
        "proofs": [
            {"category": p.category, "status": p.status, "site": p.site.slug}
            for p in member_proofs(member=user)
        ],
    }


# --- the price a booking would have (shown beside what can be booked) ---------------------


class RightCandidate(Protocol):
    """A member's right as the choice of what covers a booking reads it."""

    @property
    def pk(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def balance(self) -> int: ...
    @property
    def week_days(self) -> int: ...
    @property
    def same_day(self) -> bool: ...
    @property
    def days_per_week(self) -> int | None: ...
    @property
    def half_day_credits(self) -> int: ...
    @property
    def day_credits(self) -> int: ...
    @property
    def expires_on(self) -> dt.date | None: ...


# The cheapest first: the welcome pack costs nothing, a subscription's day is already paid,
# a carnet's credit is spent last; among equals, the right that ends first.
RIGHT_ORDER = {
    OfferKind.WELCOME_PACK: 0,
    OfferKind.SUBSCRIPTION: 1,
    OfferKind.HALF_DAY_PASS: 2,
    OfferKind.DAY_PASS: 2,
    OfferKind.CARNET: 3,
}
# Passes bought ahead are rights of one use each (a day pass covers a half-day too).
PASSES = (OfferKind.HALF_DAY_PASS, OfferKind.DAY_PASS)

C = TypeVar("C", bound=RightCandidate)


def right_cost(candidate: RightCandidate, period: str) -> int:
    """Credits a desk booking of that period takes from the right: a carnet's per its
    offer, one from a pass bought ahead, nothing from a period right."""
    if candidate.kind in PASSES:
        return 1
    if candidate.kind != OfferKind.CARNET:
        return 0
    return candidate.day_credits if period == "day" else candidate.half_day_credits


def _usable(candidate: RightCandidate, cost: int, period: str) -> bool:
    if candidate.kind in PASSES:
        fits = candidate.kind == OfferKind.DAY_PASS or period != "day"
        return fits and candidate.balance >= cost
    if candidate.kind == OfferKind.WELCOME_PACK:
        return True
    if candidate.kind == OfferKind.SUBSCRIPTION:
        return (
            candidate.days_per_week is None
            or candidate.same_day
            or candidate.week_days < candidate.days_per_week
        )
    return candidate.kind == OfferKind.CARNET and candidate.balance >= cost


def right_to_use(candidates: Iterable[C], *, period: str) -> tuple[C, int] | None:
    """THE rule for which of a member's rights (usable at the site that day) covers a desk
    booking of that period, and how many credits it spends: the cheapest that still can
    (RIGHT_ORDER), the one ending first among equals; None when none can."""
    ordered = sorted(
        (c for c in candidates if c.kind in RIGHT_ORDER),
        key=lambda c: (RIGHT_ORDER[OfferKind(c.kind)], c.expires_on or dt.date.max, c.pk),
    )
    for candidate in ordered:
        cost = right_cost(candidate, period)
        if _usable(candidate, cost, period):
            return candidate, cost
    return None


def pass_kind_for(period: str) -> str:
    """The pass whose price a desk booking of that period pays when no right covers it."""
    return OfferKind.DAY_PASS if period == "day" else OfferKind.HALF_DAY_PASS


def right_annotations(day: dt.date) -> dict[str, Any]:
    """Annotations for Right rows that day: `balance` (the sum of the ledger), `week_days`
    (days of that week it already covers) and `same_day` (it covers a booking that day)."""
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    refunded = LedgerEntry.objects.filter(
        right_id=OuterRef("right_id"), booking_id=OuterRef("booking_id"), kind=EntryKind.REFUND
    )
    used = LedgerEntry.objects.filter(right=OuterRef("pk"), kind=EntryKind.SPEND).exclude(
        Exists(refunded)
    )
    balance = (
        LedgerEntry.objects.filter(right=OuterRef("pk"))
        .values("right")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    week = (
        used.filter(day__gte=monday, day__lte=sunday)
        .values("right")
        .annotate(n=Count("day", distinct=True))
        .values("n")
    )
    return {
        "balance": Coalesce(Subquery(balance), 0),
        "week_days": Coalesce(Subquery(week), 0),
        "same_day": Exists(used.filter(day=day)),
    }


@dataclass(frozen=True)
class RightRow:
    """A member's right with what right_to_use reads of it, and where it applies."""

    pk: int
    network_id: int
    offer_id: int
    kind: str
    balance: int
    week_days: int
    same_day: bool
    days_per_week: int | None
    half_day_credits: int
    day_credits: int
    expires_on: dt.date | None


RIGHT_ROW_FIELDS = (
    "pk",
    "network_id",
    "offer_id",
    "kind",
    "balance",
    "week_days",
    "same_day",
    "days_per_week",
    "half_day_credits",
    "day_credits",
    "expires_on",
)


@dataclass(frozen=True)
class PriceAhead:
    """What a desk booking would cost: covered by a right (`covered_by` carnet,
    subscription or welcome_pack, with the credits it would spend), else pay-as-you-go at
    the site's cheapest published pass (`price`; None when the site publishes none)."""

    covered_by: str
    credits: int = 0
    price: OfferPrice | None = None


def prices_ahead(
    *,
    member: User | None,
    sites: Iterable[tuple[int, int]],
    day: dt.date,
    period: str,
    resource_kind: str,
) -> dict[int, PriceAhead]:
    """For each site, given as (site id, network id): what a desk booking there on that
    day and period would cost the member (anyone, without a member) — the same choice as
    the booking's coverage (right_to_use, then the cheapest pass), read without writing
    anything: three statements whatever the number of sites. Empty for what rights and
    passes do not cover (offices, rooms)."""
    pairs = set(sites)
    if resource_kind != ResourceKind.DESK or period not in ("am", "pm", "day") or not pairs:
        return {}
    network_ids = {n for _s, n in pairs}
    rights: list[RightRow] = []
    if member is not None:
        counted = right_annotations(day)
        rights = [
            RightRow(*row)
            for row in Right.objects.filter(
                member=member,
                network_id__in=network_ids,
                starts_on__lte=day,
                expires_on__gte=day,
                kind__in=list(RIGHT_ORDER),
                revoked_at__isnull=True,
            )
            .annotate(
                balance=counted["balance"],
                week_days=counted["week_days"],
                same_day=counted["same_day"],
            )
            .values_list(*RIGHT_ROW_FIELDS)
        ]
    passes = list(
        Offer.objects.filter(network_id__in=network_ids, kind=pass_kind_for(period), is_active=True)
        .filter(_for_everyone_or_proven(member, day))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("net_price", "pk")
    )
    offer_sites: dict[int, set[int]] = {}
    for offer_id, site_id in Offer.sites.through.objects.filter(
        offer_id__in={r.offer_id for r in rights} | {p.pk for p in passes}
    ).values_list("offer_id", "site_id"):
        offer_sites.setdefault(offer_id, set()).add(site_id)

    def at(offer_id: int, site_id: int) -> bool:
        return offer_id not in offer_sites or site_id in offer_sites[offer_id]

    found = {}
    for site_id, network_id in pairs:
        chosen = right_to_use(
            (r for r in rights if r.network_id == network_id and at(r.offer_id, site_id)),
            period=period,
        )
        if chosen is not None:
            right, cost = chosen
            found[site_id] = PriceAhead(covered_by_name(right.kind), credits=cost)
            continue
        cheapest = next(
            (p for p in passes if p.network_id == network_id and at(p.pk, site_id)), None
        )
        found[site_id] = PriceAhead(
            CoveredBy.PAY_AS_YOU_GO,
            price=offer_price(offer=cheapest) if cheapest is not None else None,
        )
    return found
