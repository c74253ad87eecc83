from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from buron.accounts.models import User
from buron.accounts.selectors import staff_scope
from buron.core.money import money
from buron.places.models import Site

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


_PASS_FOR_PERIOD = {"am": OfferKind.HALF_DAY_PASS, "pm": OfferKind.HALF_DAY_PASS}


def price_for_booking(
    *,
    site: Site,
    resource_kind: str,
    period: str,
    day: dt.date,
    member: User | None = None,
) -> OfferPrice | None:
    """The published price of one booking of that kind of resource and period ("am",
    "pm", "day") at a site that day, for that member: the cheapest pass of the catalogue
    on sale there (a reduced one when the member's proof of its category is validated),
    as pay-as-you-go charges it. None when the catalogue has no pass for it (rooms are
    priced by packs of hours). Three statements at most."""
    if resource_kind != "desk" or period not in ("am", "pm", "day"):
        return None
    kind = _PASS_FOR_PERIOD.get(period, OfferKind.DAY_PASS)
    on_sale = catalogue(network_ids=[site.network_id], day=day, site=site)
    found = [o for o in on_sale if o.kind == kind]
    reduced = [o for o in found if o.category]
    if reduced and member is not None and member.is_authenticated:
        categories = set(
            Proof.objects.filter(
                member=member, network_id=site.network_id, status=ProofStatus.VALIDATED
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .values_list("category", flat=True)
        )
        found = [o for o in found if not o.category or o.category in categories]
    else:
        found = [o for o in found if not o.category]
    if not found:
        return None
    return offer_price(offer=min(found, key=lambda o: (o.net_price, o.pk)))


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
        found = {"covered_by": self.covered_by, "payer": "member"}
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
