"""Who the load clients are and what each one asks for.

Each client has its own member and API token (created through the accounts services). Half
the clients book half-days spread over all sites and days, each on a different day at each
request so that a member's own limits never refuse them; the other half hammer one site on
one day, where most answers are "taken" (409, with alternatives) or "you already have a
booking then" (422). In the carnet load, other clients of the same two shapes hold a carnet
in every network: each booking they make spends its credits (offers' coverage).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from buron.accounts.models import User
from buron.accounts.services import api_token_create, member_create
from buron.booking.models import Booking
from buron.offers.models import EntryKind, LedgerEntry, Offer, OfferKind, Right
from buron.offers.services import right_period
from buron.places.models import Network, Resource, Site
from buron.places.selectors import site_schedules

from .client import Plan, Request
from .config import LOAD_EMAIL_DOMAIN

BOOKINGS_PATH = "/api/v1/bookings"
STATUSES = ("salaried_remote", "freelancer", "startup", "job_seeker", "student", "public_agent")


@dataclass(frozen=True)
class Member:
    user_id: int
    token: str


def members_reset() -> int:
    """Delete the load members of earlier runs and what they booked; returns how many."""
    old = User.objects.filter(email__endswith="@" + LOAD_EMAIL_DOMAIN)
    Booking.objects.filter(member__in=old).delete()
    count = old.count()
    old.delete()
    from django_tasks_db.models import DBTaskResult

    # The carnets of earlier runs and their ledgers (the bench's own offer).
    rights = Right.objects.filter(offer__name_fr=CARNET_NAME)
    LedgerEntry.objects.filter(right__in=rights).delete()
    rights.delete()

    # Confirmation emails queued by earlier runs (nothing works this queue in a bench database).
    DBTaskResult.objects.all().delete()
    return count


@transaction.atomic
def members_create(count: int, run_id: str) -> list[Member]:
    members = []
    for n in range(count):
        status = STATUSES[n % len(STATUSES)]
        user = member_create(
            email=f"load-{run_id}-{n}@{LOAD_EMAIL_DOMAIN}",
            password=None,
            status=status,
            employer_name="Employeur du banc d'essai" if status == "salaried_remote" else "",
            first_name="Client",
            last_name=str(n),
        )
        members.append(Member(user.pk, api_token_create(user=user, name="bench")))
    return members


CARNET_NAME = "Carnet du banc d'essai"
CARNET_CREDITS = 1_000_000


@transaction.atomic
def carnets_grant(members: list[Member], today: dt.date) -> int:
    """A carnet in every network for each member, valid a year from today, with credits
    enough for the run: what offers' right_grant writes (the right and the ledger's grant),
    in bulk. Returns how many rights were given."""
    rights = []
    for network in Network.objects.order_by("pk"):
        offer, _created = Offer.objects.get_or_create(
            network=network,
            kind=OfferKind.CARNET,
            name_fr=CARNET_NAME,
            defaults={
                "net_price": 75,
                "credits": CARNET_CREDITS,
                "validity_months": 12,
                "is_active": False,  # not on sale: given to the bench's members only
            },
        )
        first, last = right_period(offer=offer, starts_on=today)
        rights += [
            Right(
                member_id=member.user_id,
                network_id=network.pk,
                offer=offer,
                kind=OfferKind.CARNET,
                starts_on=first,
                expires_on=last,
                half_day_credits=offer.half_day_credits,
                day_credits=offer.day_credits,
            )
            for member in members
        ]
    Right.objects.bulk_create(rights)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(right=right, kind=EntryKind.GRANT, credits=CARNET_CREDITS) for right in rights
    )
    return len(rights)


def carnet_spent(members: list[Member]) -> dict[str, int]:
    """The carnet members' credits spent, and the bookings they hold: every active booking
    of theirs must have spent a credit."""
    from django.db.models import Sum

    entries = LedgerEntry.objects.filter(
        right__member_id__in=[m.user_id for m in members], right__offer__name_fr=CARNET_NAME
    )
    granted = entries.filter(kind=EntryKind.GRANT).aggregate(n=Sum("credits"))["n"] or 0
    balance = entries.aggregate(n=Sum("credits"))["n"] or 0
    return {
        "spent_credits": granted - balance,
        "spends": entries.filter(kind=EntryKind.SPEND).count(),
        "active_bookings": load_bookings(members),
    }


def load_bookings(members: list[Member]) -> int:
    """Active bookings held by the load members now."""
    return Booking.objects.filter(
        member_id__in=[m.user_id for m in members], status="active"
    ).count()


@dataclass(frozen=True)
class Targets:
    """Open half-days per day: day → period → slugs of sites open then with desks."""

    days: list[dt.date]
    open_sites: dict[dt.date, dict[str, list[str]]]


def spread_targets(today: dt.date, horizon_days: int = 89) -> Targets:
    """The half-days each site is open, from tomorrow to the end of the booking horizon."""
    with_desks = Resource.objects.filter(kind="desk", is_active=True).values("site_id")
    sites = list(Site.objects.filter(is_published=True, pk__in=with_desks).order_by("pk"))
    start = today + dt.timedelta(days=1)
    end = today + dt.timedelta(days=horizon_days)
    schedules = site_schedules(sites, start, end)
    open_sites: dict[dt.date, dict[str, list[str]]] = defaultdict(lambda: {"am": [], "pm": []})
    for site in sites:
        for day, schedule in schedules[site.pk].items():
            for half_day in ("am", "pm"):
                if schedule.period(half_day) is not None:
                    open_sites[day][half_day].append(site.slug)
    days = sorted(d for d, periods in open_sites.items() if periods["am"] and periods["pm"])
    return Targets(days=days, open_sites=dict(open_sites))


def _booking(member: Member, site: str, day: dt.date, period: str) -> Request:
    return Request(
        "POST",
        BOOKINGS_PATH,
        json.dumps({"site": site, "date": day.isoformat(), "period": period}).encode(),
        {"Authorization": f"Bearer {member.token}", "Content-Type": "application/json"},
    )


def spread_plan(member: Member, targets: Targets, seed: int) -> Plan:
    """A different day at each request, mornings first then afternoons: a member never
    holds two bookings at once nor more than two a day."""
    rng = random.Random(seed)
    offset = rng.randrange(len(targets.days))

    limit = spread_limit(targets)

    def plan(k: int) -> Request | None:
        if k >= limit:
            return None
        day = targets.days[(offset + k) % len(targets.days)]
        period = "am" if (k // len(targets.days)) % 2 == 0 else "pm"
        return _booking(member, rng.choice(targets.open_sites[day][period]), day, period)

    return plan


def spread_limit(targets: Targets) -> int:
    """Requests a spread client makes at most (after that its member's days are full)."""
    return 2 * len(targets.days)


def hot_plan(member: Member, site: str, day: dt.date, seed: int) -> Plan:
    periods = ("day", "am", "pm")

    def plan(k: int) -> Request | None:
        return _booking(member, site, day, periods[(k + seed) % len(periods)])

    return plan
