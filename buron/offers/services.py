"""Writes of the catalogue: sales, rights and the credit ledger.

Every ledger write runs under the member's lock (their user row, FOR UPDATE on PostgreSQL;
SQLite's transactions begin IMMEDIATE and hold its single write lock): a balance is
recounted from the ledger under that lock before credits leave it, so it never goes
negative, and concurrent purchases and bookings of one member queue instead of losing or
creating a credit. Bookings hold the same lock already (booking's lock_member) when they
call coverage_for_booking inside their transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Exists,
    OuterRef,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from buron.accounts.models import Organisation, User
from buron.accounts.selectors import staff_scope
from buron.places.models import ResourceKind, Site

from . import selectors, store
from .models import (
    DEFAULT_VALIDITY_DAYS,
    RIGHT_KINDS,
    EntryKind,
    LedgerEntry,
    MailItem,
    Offer,
    OfferKind,
    PayAsYouGo,
    PayAsYouGoStatus,
    PaymentMethod,
    Proof,
    ProofStatus,
    Right,
    Sale,
    SaleLine,
    ServiceKind,
)
from .selectors import Coverage, CoveredBy


class OfferRefused(ValidationError):
    """A sale, a grant or a ledger change the rules refuse; nothing was written."""


def member_lock(member: User) -> None:
    """Serialise one member's ledger writes (see the module's docstring)."""
    if connection.features.has_select_for_update:
        list(User.objects.select_for_update().filter(pk=member.pk).values_list("pk"))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def right_period(*, offer: Offer, starts_on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (included) of a right bought that day."""
    if offer.validity_months:
        end = add_months(starts_on, offer.validity_months) - dt.timedelta(days=1)
    else:
        end = starts_on + dt.timedelta(days=(offer.validity_days or DEFAULT_VALIDITY_DAYS) - 1)
    return starts_on, end


def right_credits(offer: Offer) -> int:
    """What a right of that offer holds when granted: a carnet's credits, one booking for a
    pass bought ahead, a service pack's hours or pages (nothing for a period right)."""
    if offer.kind == OfferKind.CARNET:
        return offer.credits or 0
    if offer.kind in (OfferKind.HALF_DAY_PASS, OfferKind.DAY_PASS):
        return 1
    if offer.kind == OfferKind.SERVICE_PACK:
        return offer.quantity or 0
    return 0


# --- sale listeners ----------------------------------------------------------------------------

# Apps above offers (billing invoices every sale) hear of each sale inside its transaction:
# a listener that raises rolls the sale back.
SaleListener = Callable[[Sale], object]
_sale_listeners: dict[str, SaleListener] = {}


def sale_listener_register(*, name: str, listener: SaleListener) -> None:
    """Register (or replace) the function called with every sale recorded, inside the
    sale's transaction, once its lines and rights are written."""
    _sale_listeners[name] = listener


def sale_listener_unregister(*, name: str) -> None:
    """Forget a sale listener (tests)."""
    _sale_listeners.pop(name, None)


def _sale_recorded(sale: Sale) -> None:
    for listener in list(_sale_listeners.values()):
        listener(sale)


# --- selling ---------------------------------------------------------------------------------


def _check_can_buy(*, member: User, offer: Offer, site: Site, day: dt.date) -> None:
    if offer.network_id != site.network_id:
        raise OfferRefused(_("This offer is not sold at this site."), code="other_network")
    if not selectors.offer_on_sale(offer, day):
        raise OfferRefused(_("This offer is not on sale any more."), code="offer_not_on_sale")
    sites = list(offer.sites.all())
    if sites and site not in sites:
        raise OfferRefused(_("This offer is not sold at this site."), code="other_site")
    if offer.category and not selectors.has_validated_proof(
        member=member, network_id=offer.network_id, category=offer.category, day=day
    ):
        raise OfferRefused(
            _("This reduced price needs a proof validated by a host (%(category)s).")
            % {"category": offer.get_category_display()},
            code="proof_required",
        )


@transaction.atomic
def sale_record(
    *,
    site: Site,
    member: User,
    offers: Sequence[tuple[Offer, int]],
    payment_method: str,
    sold_by: User | None,
    now: dt.datetime | None = None,
    grant: bool = True,
    organisation: Organisation | None = None,
) -> Sale:
    """Record a sale at a site (sold at the desk by its staff, or bought by the member)
    and grant the rights it buys (or later, once paid: `grant=False`, then
    sale_rights_grant); refused as a whole when one line may not be sold. The sale
    listeners (billing's invoice) run inside the same transaction."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if payment_method not in PaymentMethod.values:
        raise OfferRefused(_("Choose how it was paid."), code="payment_method")
    if (
        sold_by is not None
        and sold_by.pk != member.pk
        and not staff_scope(user=sold_by).covers_site(site)
    ):
        raise OfferRefused(_("You do not manage this site."), code="not_staff")
    if not offers:
        raise OfferRefused(_("Choose what is sold."), code="empty")
    for offer, quantity in offers:
        if quantity < 1:
            raise OfferRefused(_("The quantity is at least 1."), code="quantity")
        _check_can_buy(member=member, offer=offer, site=site, day=day)
    member_lock(member)
    prices = [
        (offer, quantity, selectors.offer_price(offer=offer, quantity=quantity))
        for offer, quantity in offers
    ]
    total_excl = sum((p.excl_vat for _o, _q, p in prices), Decimal(0))
    total_vat = sum((p.vat for _o, _q, p in prices), Decimal(0))
    sale = Sale.objects.create(
        network_id=site.network_id,
        site=site,
        member=member,
        sold_by=sold_by,
        organisation=organisation,
        payment_method=payment_method,
        total_excl_vat=total_excl,
        total_vat=total_vat,
        total_incl_vat=total_excl + total_vat,
    )
    SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            offer=offer,
            description=offer.name,
            quantity=quantity,
            unit_price_excl_vat=offer.net_price,
            vat_rate=offer.vat_rate,
            vat_exemption_reason=offer.vat_exemption_reason,
            vat_exemption_code=offer.vat_exemption_code,
            amount_excl_vat=price.excl_vat,
            vat=price.vat,
            amount_incl_vat=price.incl_vat,
        )
        for offer, quantity, price in prices
    )
    if grant:
        sale_rights_grant(sale=sale, day=day, by=sold_by)
    _sale_recorded(sale)
    return sale


@transaction.atomic
def sale_rights_grant(*, sale: Sale, day: dt.date | None = None, by: User | None = None) -> int:
    """Grant the rights a sale buys, once (a second call grants nothing): when it is
    recorded, or when it is paid (online card payments). How many rights were granted."""
    if sale.member is None:
        return 0
    member_lock(sale.member)
    if Right.objects.filter(sale=sale).exists():
        return 0
    start = day or timezone.localdate()
    granted = 0
    for line in sale.lines.select_related("offer").order_by("pk"):
        if line.offer.kind not in RIGHT_KINDS:
            continue
        for _n in range(line.quantity):
            right_grant(member=sale.member, offer=line.offer, sale=sale, starts_on=start, by=by)
            granted += 1
    return granted


def sale_has_rights(*, sale: Sale) -> bool:
    """Whether the rights of a sale were granted."""
    return Right.objects.filter(sale=sale).exists()


@transaction.atomic
def sale_rights_revoke(
    *, sale: Sale, by: User | None = None, now: dt.datetime | None = None
) -> int:
    """Take back the rights of a sale that is refunded: refused when any of them was used
    (a credit spent and not given back, a mail item, a service used); what is left on each
    is written off in its ledger and the right covers nothing more. How many rights."""
    if sale.member is not None:
        member_lock(sale.member)
    rights = list(Right.objects.filter(sale=sale, revoked_at__isnull=True))
    for right in rights:
        if _right_used(right):
            raise OfferRefused(
                _("This purchase has been used already: it cannot be refunded."), code="used"
            )
    moment = now or timezone.now()
    for right in rights:
        balance = selectors.right_balance(right=right)
        if balance:
            LedgerEntry.objects.create(
                right=right, kind=EntryKind.ADJUST, credits=-balance, by=by, note="refund"
            )
        right.revoked_at = moment
        right.auto_renew = False
        right.save(update_fields=["revoked_at", "auto_renew"])
    return len(rights)


def _right_used(right: Right) -> bool:
    if LedgerEntry.objects.filter(right=right, kind=EntryKind.EXPIRE).exists():
        return True  # what expired was not refunded in time
    spends = LedgerEntry.objects.filter(right=right, kind=EntryKind.SPEND)
    for spend in spends:
        if (
            spend.booking_id is None
            or not LedgerEntry.objects.filter(
                right=right, booking_id=spend.booking_id, kind=EntryKind.REFUND, pk__gt=spend.pk
            ).exists()
        ):
            return True
    return MailItem.objects.filter(right=right).exists()


@transaction.atomic
def right_grant(
    *,
    member: User,
    offer: Offer,
    starts_on: dt.date,
    sale: Sale | None = None,
    by: User | None = None,
    auto_renew: bool | None = None,
    renews: Right | None = None,
) -> Right:
    """Give a member the right an offer sells (a carnet's credits, a subscription's days,
    the welcome pack's free period), from starts_on; its grant is the ledger's first entry.
    Called when a sale is paid. The welcome pack is given once per person."""
    if offer.kind not in RIGHT_KINDS:
        raise OfferRefused(_("This offer gives no right to book."), code="not_a_right")
    member_lock(member)
    if (
        offer.kind == OfferKind.WELCOME_PACK
        and Right.objects.filter(
            member=member, network_id=offer.network_id, kind=OfferKind.WELCOME_PACK
        ).exists()
    ):
        raise OfferRefused(_("The welcome pack is given once per person."), code="welcome_once")
    first, last = right_period(offer=offer, starts_on=starts_on)
    try:
        with transaction.atomic():
            right = Right.objects.create(
                member=member,
                network_id=offer.network_id,
                offer=offer,
                kind=offer.kind,
                sale=sale,
                renews=renews,
                starts_on=first,
                expires_on=last,
                days_per_week=offer.days_per_week,
                service=offer.service,
                half_day_credits=offer.half_day_credits,
                day_credits=offer.day_credits,
                auto_renew=(offer.kind == OfferKind.SUBSCRIPTION)
                if auto_renew is None
                else auto_renew,
            )
    except IntegrityError as exc:
        raise OfferRefused(
            _("The welcome pack is given once per person."), code="welcome_once"
        ) from exc
    LedgerEntry.objects.create(
        right=right, kind=EntryKind.GRANT, credits=right_credits(offer), by=by
    )
    return right


@transaction.atomic
def right_adjust(*, right: Right, credits: int, by: User, note: str) -> LedgerEntry:
    """Correct a right's balance by hand (staff of its network); never below zero."""
    if (
        not staff_scope(user=by).everything
        and right.network_id not in staff_scope(user=by).network_ids
    ):
        raise OfferRefused(_("You do not manage this network."), code="not_staff")
    if right.member is not None:
        member_lock(right.member)
    if selectors.right_balance(right=right) + credits < 0:
        raise OfferRefused(_("A balance cannot go below zero."), code="negative_balance")
    return LedgerEntry.objects.create(
        right=right, kind=EntryKind.ADJUST, credits=credits, by=by, note=note
    )


@transaction.atomic
def right_expire_one(*, right: Right, today: dt.date) -> LedgerEntry | None:
    """Write off what is left of a right past its last day (nothing when none is left)."""
    if right.expires_on >= today:
        return None
    if right.member is not None:
        member_lock(right.member)
    balance = selectors.right_balance(right=right)
    if balance <= 0:
        return None
    return LedgerEntry.objects.create(
        right=right, kind=EntryKind.EXPIRE, credits=-balance, note=str(right.expires_on)
    )


def rights_expire(*, today: dt.date) -> int:
    """Expire every right past its last day that still holds credits; how many."""
    balances = (
        LedgerEntry.objects.filter(right=OuterRef("pk"))
        .values("right")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    stale = (
        Right.objects.filter(expires_on__lt=today)
        .annotate(balance=Coalesce(Subquery(balances), 0))
        .filter(balance__gt=0)
        .select_related("member")
    )
    return sum(1 for right in stale if right_expire_one(right=right, today=today) is not None)


def subscription_stop(*, right: Right, by: User, now: dt.datetime | None = None) -> Right:
    """Stop a subscription's automatic renewal (its member or the network's staff); the
    month already paid runs to its end."""
    if right.kind != OfferKind.SUBSCRIPTION:
        raise OfferRefused(_("Only a subscription is renewed."), code="not_subscription")
    scope = staff_scope(user=by)
    if right.member_id != by.pk and not (scope.everything or right.network_id in scope.network_ids):
        raise OfferRefused(_("This subscription is not yours."), code="not_owner")
    right.auto_renew = False
    right.stopped_at = now or timezone.now()
    right.save(update_fields=["auto_renew", "stopped_at"])
    return right


def subscriptions_renew(*, today: dt.date) -> int:
    """Renew every subscription ending before `today` that is still renewed automatically,
    once (a new right from the next day, and a sale to be paid); one whose offer is no
    longer on sale lapses. How many were renewed."""
    renewed = 0
    due = Right.objects.filter(
        kind=OfferKind.SUBSCRIPTION,
        auto_renew=True,
        expires_on__lt=today,
        member__isnull=False,
        revoked_at__isnull=True,
    ).select_related("offer", "member", "sale")
    for right in due:
        with transaction.atomic():
            if right.member is None:
                continue
            member_lock(right.member)
            if Right.objects.filter(renews=right).exists():
                continue
            Right.objects.filter(pk=right.pk).update(auto_renew=False)
            if not selectors.offer_on_sale(right.offer, today) or right.sale is None:
                continue
            price = selectors.offer_price(offer=right.offer)
            sale = Sale.objects.create(
                network_id=right.network_id,
                site_id=right.sale.site_id,
                member=right.member,
                payment_method=PaymentMethod.RENEWAL,
                total_excl_vat=price.excl_vat,
                total_vat=price.vat,
                total_incl_vat=price.incl_vat,
            )
            SaleLine.objects.create(
                sale=sale,
                offer=right.offer,
                description=right.offer.name,
                unit_price_excl_vat=right.offer.net_price,
                vat_rate=right.offer.vat_rate,
                vat_exemption_reason=right.offer.vat_exemption_reason,
                vat_exemption_code=right.offer.vat_exemption_code,
                amount_excl_vat=price.excl_vat,
                vat=price.vat,
                amount_incl_vat=price.incl_vat,
            )
            right_grant(
                member=right.member,
                offer=right.offer,
                sale=sale,
                starts_on=right.expires_on + dt.timedelta(days=1),
                renews=right,
            )
            _sale_recorded(sale)
            renewed += 1
    return renewed


# --- proofs ----------------------------------------------------------------------------------


def proof_submit(*, member: User, site: Site, category: str, description: str = "") -> Proof:
    """A member shows a proof of a category at a site; a host decides on it."""
    return Proof.objects.create(
        member=member,
        network_id=site.network_id,
        site=site,
        category=category,
        description=description,
    )


def proof_decide(
    *,
    proof: Proof,
    by: User,
    validated: bool,
    valid_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Proof:
    """A host of the proof's site, or an administrator of its network, validates or refuses
    it."""
    if not staff_scope(user=by).covers_site(proof.site):
        raise OfferRefused(_("You do not manage this site."), code="not_staff")
    proof.status = ProofStatus.VALIDATED if validated else ProofStatus.REFUSED
    proof.decided_by = by
    proof.decided_at = now or timezone.now()
    proof.valid_until = valid_until
    proof.save(update_fields=["status", "decided_by", "decided_at", "valid_until"])
    return proof


# --- what covers a booking -----------------------------------------------------------------


_Candidate = store.CoverageCandidate


def _candidates(
    *, member_id: int, network_id: int, site_id: int, day: dt.date, pass_kind: str
) -> list[_Candidate]:
    """The member's rights usable at that site that day, with their balance and the days
    of that week already covered, and the site's published passes of the kind: one
    statement (a union, written by hand: store.coverage_candidates), read under the
    member's lock."""
    return store.coverage_candidates(
        member_id=member_id, network_id=network_id, site_id=site_id, day=day, pass_kind=pass_kind
    )


def coverage_for_booking(
    *,
    member: User,
    network_id: int,
    site_id: int,
    booking_id: int,
    day: dt.date,
    period: str,
    resource_kind: str,
    by: User | None = None,
) -> Coverage | None:
    """Cover a desk booking just made, inside its transaction (the member already locked):
    by the cheapest right that applies, else pay-as-you-go at the site's published pass.
    Two statements: one read (the rights with their balances, and the passes) and one
    write (the ledger's spend, or the pay-as-you-go row). None for what rights do not
    cover (rooms, offices)."""
    if resource_kind != ResourceKind.DESK or period not in ("am", "pm", "day"):
        return None
    found = _candidates(
        member_id=member.pk,
        network_id=network_id,
        site_id=site_id,
        day=day,
        pass_kind=selectors.pass_kind_for(period),
    )
    chosen = selectors.right_to_use((c for c in found if c.source == "right"), period=period)
    if chosen is not None:
        candidate, cost = chosen
        LedgerEntry.objects.create(
            right_id=candidate.pk,
            kind=EntryKind.SPEND,
            credits=-cost,
            booking_id=booking_id,
            day=day,
            by=by,
        )
        return Coverage(
            covered_by=selectors.covered_by_name(candidate.kind),
            right_id=candidate.pk,
            credits=cost,
        )
    passes = sorted((c for c in found if c.source == "pass"), key=lambda c: (c.net_price, c.pk))
    if not passes:
        net, rate, offer_id = Decimal(0), Decimal(0), None
    else:
        net, rate, offer_id = passes[0].net_price, passes[0].vat_rate, passes[0].pk
    price = selectors.price_of(net=net, vat_rate=rate)
    PayAsYouGo.objects.create(
        booking_id=booking_id,
        member=member,
        network_id=network_id,
        offer_id=offer_id,
        day=day,
        amount_excl_vat=price.excl_vat,
        vat_rate=rate,
        amount_incl_vat=price.incl_vat,
    )
    return Coverage(covered_by=CoveredBy.PAY_AS_YOU_GO, amount_incl_vat=price.incl_vat)


def coverage_give_back(*, booking_id: int, late: bool, by: User | None = None) -> Coverage | None:
    """A booking was cancelled (inside its transaction): in time, its credit comes back
    (or its pay-as-you-go is cancelled); late, it is consumed. What covered it, or None."""
    spend = (
        LedgerEntry.objects.filter(booking_id=booking_id, kind=EntryKind.SPEND)
        .select_related("right")
        .order_by("-pk")
        .first()
    )
    if spend is not None:
        already = LedgerEntry.objects.filter(
            booking_id=booking_id, right_id=spend.right_id, kind=EntryKind.REFUND, pk__gt=spend.pk
        ).exists()
        coverage = Coverage(
            covered_by=selectors.covered_by_name(spend.right.kind),
            right_id=spend.right_id,
            credits=-spend.credits,
            given_back=not late,
        )
        if not late and not already:
            LedgerEntry.objects.create(
                right_id=spend.right_id,
                kind=EntryKind.REFUND,
                credits=-spend.credits,
                booking_id=booking_id,
                day=spend.day,
                by=by,
            )
        return coverage
    row = PayAsYouGo.objects.filter(booking_id=booking_id).first()
    if row is None:
        return None
    if not late and row.status == PayAsYouGoStatus.DUE:
        row.status = PayAsYouGoStatus.CANCELLED
        row.save(update_fields=["status"])
    return Coverage(
        covered_by=CoveredBy.PAY_AS_YOU_GO, amount_incl_vat=row.amount_incl_vat, given_back=not late
    )


def coverage_move(
    *, from_booking_id: int, to_booking_id: int, by: User | None = None
) -> Coverage | None:
    """A booking moved to another resource (same times): its coverage follows it. A
    credit moves by a refund of the old booking and a spend of the new one on the same
    right; a pay-as-you-go row is re-pointed."""
    spend = (
        LedgerEntry.objects.filter(booking_id=from_booking_id, kind=EntryKind.SPEND)
        .select_related("right")
        .order_by("-pk")
        .first()
    )
    if spend is not None:
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    right_id=spend.right_id,
                    kind=EntryKind.REFUND,
                    credits=-spend.credits,
                    booking_id=from_booking_id,
                    day=spend.day,
                    by=by,
                    note="moved",
                ),
                LedgerEntry(
                    right_id=spend.right_id,
                    kind=EntryKind.SPEND,
                    credits=spend.credits,
                    booking_id=to_booking_id,
                    day=spend.day,
                    by=by,
                    note="moved",
                ),
            ]
        )
        return Coverage(
            covered_by=selectors.covered_by_name(spend.right.kind),
            right_id=spend.right_id,
            credits=-spend.credits,
        )
    updated = PayAsYouGo.objects.filter(booking_id=from_booking_id).update(booking_id=to_booking_id)
    if not updated:
        return None
    row = PayAsYouGo.objects.get(booking_id=to_booking_id)
    return Coverage(covered_by=CoveredBy.PAY_AS_YOU_GO, amount_incl_vat=row.amount_incl_vat)


# --- service packs ---------------------------------------------------------------------------


def _check_staff_of(*, by: User, site: Site, right: Right) -> None:
    if right.network_id != site.network_id or not staff_scope(user=by).covers_site(site):
        raise OfferRefused(_("You do not manage this site."), code="not_staff")


@transaction.atomic
def service_use(
    *,
    right: Right,
    site: Site,
    quantity: int,
    by: User,
    note: str = "",
    day: dt.date | None = None,
) -> LedgerEntry:
    """A host records a member's use of a service pack at the desk (pages printed, room
    hours): spent from its quota in the ledger, never beyond its balance."""
    _check_staff_of(by=by, site=site, right=right)
    day = day or timezone.localdate()
    if right.kind != OfferKind.SERVICE_PACK or right.offer.quantity is None:
        raise OfferRefused(_("This pack has no quota to count."), code="no_quota")
    if quantity < 1:
        raise OfferRefused(_("The quantity is at least 1."), code="quantity")
    if right.revoked_at is not None or not right.starts_on <= day <= right.expires_on:
        raise OfferRefused(_("This pack is not valid today."), code="not_valid")
    if right.member is not None:
        member_lock(right.member)
    if selectors.right_balance(right=right) < quantity:
        raise OfferRefused(_("Not enough left on this pack."), code="negative_balance")
    return LedgerEntry.objects.create(
        right=right, kind=EntryKind.SPEND, credits=-quantity, day=day, by=by, note=note[:200]
    )


def room_hours_spend(
    *,
    member: User,
    network_id: int,
    site_id: int,
    booking_id: int,
    day: dt.date,
    hours: int,
    resource_kind: str,
    by: User | None = None,
) -> Coverage | None:
    """A meeting or visio room booked by the hour, inside its transaction (the member
    already locked): its hours are spent from the member's pack of room hours of that kind
    when one valid at the site holds enough; None otherwise (the room is paid another way)."""
    service = (
        {
            ResourceKind.MEETING_ROOM: ServiceKind.MEETING_ROOM_HOURS,
            ResourceKind.VISIO_ROOM: ServiceKind.VISIO_ROOM_HOURS,
        }.get(ResourceKind(resource_kind))
        if resource_kind in ResourceKind.values
        else None
    )
    if service is None or hours < 1:
        return None
    balance = (
        LedgerEntry.objects.filter(right=OuterRef("pk"))
        .values("right")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    offer_sites = Offer.sites.through.objects
    at_site = ~Exists(offer_sites.filter(offer_id=OuterRef("offer_id"))) | Exists(
        offer_sites.filter(offer_id=OuterRef("offer_id"), site_id=site_id)
    )
    right = (
        Right.objects.filter(
            member_id=member.pk,
            network_id=network_id,
            kind=OfferKind.SERVICE_PACK,
            service=service,
            starts_on__lte=day,
            expires_on__gte=day,
            revoked_at__isnull=True,
        )
        .filter(at_site)
        .annotate(balance=Coalesce(Subquery(balance), 0))
        .filter(balance__gte=hours)
        .order_by("expires_on", "pk")
        .first()
    )
    if right is None:
        return None
    LedgerEntry.objects.create(
        right=right,
        kind=EntryKind.SPEND,
        credits=-hours,
        booking_id=booking_id,
        day=day,
        by=by,
    )
    return Coverage(covered_by=CoveredBy.SERVICE_PACK, right_id=right.pk, credits=hours)


@transaction.atomic
def mail_record(
    *,
    right: Right,
    site: Site,
    by: User,
    received_on: dt.date,
    kind: str = "letter",
    sender: str = "",
) -> MailItem:
    """A host records mail received for a member domiciled at the site."""
    _check_staff_of(by=by, site=site, right=right)
    if right.kind != OfferKind.SERVICE_PACK or right.service != ServiceKind.DOMICILIATION:
        raise OfferRefused(_("This member has no business address here."), code="no_address")
    if right.revoked_at is not None or not right.starts_on <= received_on <= right.expires_on:
        raise OfferRefused(_("This business address is not valid that day."), code="not_valid")
    return MailItem.objects.create(
        right=right,
        site=site,
        kind=kind,
        sender=sender[:200],
        received_on=received_on,
        recorded_by=by,
    )


def mail_hand_over(*, item: MailItem, by: User, day: dt.date | None = None) -> MailItem:
    """A host hands mail over to its member (once)."""
    _check_staff_of(by=by, site=item.site, right=item.right)
    if item.handed_over_on is None:
        item.handed_over_on = day or timezone.localdate()
        item.save(update_fields=["handed_over_on"])
    return item


def member_offers_forget(user: User) -> None:
    """On closing an account: what the member wrote about their proofs goes; rights, their
    ledger and sales stay for the accounts and statistics (pointing at the anonymous user)."""
    Proof.objects.filter(member=user).update(description="")
