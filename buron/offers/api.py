"""The offers API: the catalogue of the caller's networks, and the caller's rights
(mounted by buron.api)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from buron.accounts.auth import api_token_auth
from buron.accounts.requests import signed_in_user
from buron.accounts.selectors import staff_scope
from buron.places.models import Network

from . import selectors
from .models import Offer

router = Router(tags=["offers"])


class OfferOut(Schema):
    id: int
    network: str
    kind: str
    name: str
    sites: list[str]
    price_excl_vat: Decimal
    vat_rate: Decimal
    vat: Decimal
    price_incl_vat: Decimal
    vat_exemption_reason: str
    vat_exemption_code: str
    category: str
    credits: int | None
    validity_days: int | None
    validity_months: int | None
    days_per_week: int | None
    half_day_credits: int
    day_credits: int
    service: str
    quantity: int | None
    valid_until: dt.date | None


class EntryOut(Schema):
    id: int
    kind: str
    credits: int
    booking: int | None
    day: dt.date | None
    at: dt.datetime


class RightOut(Schema):
    id: int
    kind: str
    offer: str
    network: str
    starts_on: dt.date
    expires_on: dt.date
    current: bool
    balance: int
    days_per_week: int | None
    auto_renew: bool
    ledger: list[EntryOut]


def _networks(user: Any) -> list[int]:
    """The networks whose catalogue the caller reads: where they booked or hold a right,
    and those they run; every network that takes bookings otherwise (a public catalogue
    of published prices)."""
    scope = staff_scope(user=user)
    if scope.everything:
        return list(Network.objects.values_list("pk", flat=True))
    return list(
        Network.objects.filter(
            Q(pk__in=scope.network_ids)
            | Q(sites__pk__in=scope.site_ids)
            | Q(sites__is_published=True)
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def offer_out(offer: Offer) -> dict[str, Any]:
    """An offer as the API gives it: both prices, rounded once."""
    price = selectors.offer_price(offer=offer)
    return {
        "id": offer.pk,
        "network": offer.network.slug,
        "kind": offer.kind,
        "name": offer.name,
        "sites": [s.slug for s in offer.sites.all()],
        "price_excl_vat": price.excl_vat,
        "vat_rate": price.vat_rate,
        "vat": price.vat,
        "price_incl_vat": price.incl_vat,
        "vat_exemption_reason": offer.vat_exemption_reason,
        "vat_exemption_code": offer.vat_exemption_code,
        "category": offer.category,
        "credits": offer.credits,
        "validity_days": offer.validity_days,
        "validity_months": offer.validity_months,
        "days_per_week": offer.days_per_week,
        "half_day_credits": offer.half_day_credits,
        "day_credits": offer.day_credits,
        "service": offer.service,
        "quantity": offer.quantity,
        "valid_until": offer.valid_until,
    }


@router.get("/offers", auth=api_token_auth, response=list[OfferOut], summary="The catalogue")
def offer_list(request: HttpRequest) -> list[dict[str, Any]]:
    """What the caller's networks sell today, with net price, VAT rate and price incl. VAT."""
    user = signed_in_user(request)
    offers = selectors.catalogue(network_ids=_networks(user), day=timezone.localdate())
    return [offer_out(o) for o in offers]


@router.get("/rights", auth=api_token_auth, response=list[RightOut], summary="My rights")
def right_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's carnets, subscriptions and welcome pack, with balances and ledger."""
    user = signed_in_user(request)
    views = selectors.member_rights(member=user, day=timezone.localdate())
    return [
        {
            "id": v.right.pk,
            "kind": v.right.kind,
            "offer": v.right.offer.name,
            "network": v.right.network.slug,
            "starts_on": v.right.starts_on,
            "expires_on": v.right.expires_on,
            "current": v.is_current,
            "balance": v.balance,
            "days_per_week": v.right.days_per_week,
            "auto_renew": v.right.auto_renew,
            "ledger": [
                {
                    "id": e.pk,
                    "kind": e.kind,
                    "credits": e.credits,
                    "booking": e.booking_id,
                    "day": e.day,
                    "at": e.created_at,
                }
                for e in v.entries
            ],
        }
        for v in views
    ]
