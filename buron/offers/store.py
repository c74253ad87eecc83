"""Statements written by hand on offers' tables, for the booking's hot path.

Only where a benchmark showed the ORM was the cost (`make bench`, README "Performance"):
covering a booking reads the member's rights with their balances and the site's passes
inside the booking's transaction, under its lock; built by the ORM, that one statement
(a union with five subqueries) cost most of a booking's time in Python, with the
database's write lock held on SQLite. Table and column names come from the models' _meta;
values go as named parameters; values read come back through the ORM's converters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from buron.core import sql

from .models import EntryKind, LedgerEntry, Offer, Proof, ProofStatus, Right
from .selectors import RIGHT_ORDER


@dataclass(frozen=True)
class CoverageCandidate:
    """A right the member holds that day at that site (source "right", with its balance,
    the days of that week already covered and whether that day already is), or a pass of
    the site on sale that day (source "pass", with its price)."""

    source: str  # "right" or "pass"
    pk: int
    kind: str
    balance: int
    week_days: int
    same_day: bool
    days_per_week: int | None
    half_day_credits: int
    day_credits: int
    expires_on: dt.date | None
    net_price: Decimal
    vat_rate: Decimal


def _names() -> dict[str, str]:
    sites = Offer.sites.through
    return {
        "right": sql.table(Right),
        "proof": sql.table(Proof),
        "entry": sql.table(LedgerEntry),
        "offer": sql.table(Offer),
        "offer_sites": sql.table(sites),
        "os_offer": sql.column(sites, "offer"),
        "os_site": sql.column(sites, "site"),
    }


@cache
def _candidates_statement() -> str:
    names = _names()
    # A spend counts as used unless the same booking's credit on that right came back.
    used = sql.compose(
        "FROM {entry} u WHERE u.right_id = r.id AND u.kind = %(spend)s"
        " AND NOT EXISTS (SELECT 1 FROM {entry} x WHERE x.right_id = u.right_id"
        " AND x.booking_id = u.booking_id AND x.kind = %(refund)s)",
        **names,
    )

    def at_site(offer_id: str) -> str:
        """An offer sold for some sites only, else for every site of its network."""
        return sql.compose(
            "(NOT EXISTS (SELECT 1 FROM {offer_sites} os WHERE os.{os_offer} = {offer_id})"
            " OR EXISTS (SELECT 1 FROM {offer_sites} os WHERE os.{os_offer} = {offer_id}"
            " AND os.{os_site} = %(site_id)s))",
            offer_id=offer_id,
            **names,
        )

    return sql.compose(
        "SELECT 'right', r.id, r.kind,"
        " COALESCE((SELECT SUM(e.credits) FROM {entry} e WHERE e.right_id = r.id), 0),"
        " (SELECT COUNT(DISTINCT u.day) {used} AND u.day >= %(monday)s"
        " AND u.day <= %(sunday)s),"
        " EXISTS (SELECT 1 {used} AND u.day = %(day)s),"
        " r.days_per_week, r.half_day_credits, r.day_credits, r.expires_on, NULL, NULL"
        " FROM {right} r WHERE r.member_id = %(member_id)s AND r.network_id = %(network_id)s"
        " AND r.starts_on <= %(day)s AND r.expires_on >= %(day)s AND r.revoked_at IS NULL"
        " AND r.kind IN ({covering_kinds}) AND {right_at_site}"
        " UNION ALL"
        " SELECT 'pass', o.id, o.kind, 0, 0, FALSE, o.days_per_week, o.half_day_credits,"
        " o.day_credits, o.valid_until, COALESCE(o.net_price, 0), COALESCE(o.vat_rate, 0)"
        " FROM {offer} o WHERE o.network_id = %(network_id)s AND o.kind = %(pass_kind)s"
        " AND (o.category = '' OR EXISTS (SELECT 1 FROM {proof} p"
        " WHERE p.member_id = %(member_id)s AND p.network_id = o.network_id"
        " AND p.category = o.category AND p.status = %(validated)s"
        " AND (p.valid_until IS NULL OR p.valid_until >= %(day)s))) AND o.is_active"
        " AND (o.valid_from IS NULL OR o.valid_from <= %(day)s)"
        " AND (o.valid_until IS NULL OR o.valid_until >= %(day)s) AND {offer_at_site}",
        used=used,
        # The kinds that may cover a desk booking (the selectors' order: service packs never
        # do), constants of the code written into the statement, not values of a request.
        covering_kinds=", ".join(f"'{kind}'" for kind in RIGHT_ORDER),
        right_at_site=at_site("r.offer_id"),
        offer_at_site=at_site("o.id"),
        **names,
    )


def _candidate(row: Sequence[Any]) -> CoverageCandidate:
    expires = sql.read(Right, "expires_on", row[9]) if row[9] is not None else None
    net = sql.read(Offer, "net_price", row[10]) if row[10] is not None else Decimal(0)
    rate = sql.read(Offer, "vat_rate", row[11]) if row[11] is not None else Decimal(0)
    return CoverageCandidate(
        source=row[0],
        pk=int(row[1]),
        kind=row[2],
        balance=int(row[3] or 0),
        week_days=int(row[4] or 0),
        same_day=bool(row[5]),
        days_per_week=row[6],
        half_day_credits=int(row[7]),
        day_credits=int(row[8]),
        expires_on=expires,
        net_price=Decimal(net),
        vat_rate=Decimal(rate),
    )


def coverage_candidates(
    *, member_id: int, network_id: int, site_id: int, day: dt.date, pass_kind: str
) -> list[CoverageCandidate]:
    """The member's rights usable at that site that day, with their balance and the days
    of that week already covered, and the site's published passes of the kind on sale that
    day (for everyone, or at a reduced price for a category the member's validated proof
    shows): one statement."""
    monday = day - dt.timedelta(days=day.weekday())
    params = {
        "member_id": member_id,
        "network_id": network_id,
        "site_id": site_id,
        "day": sql.param(Right, "starts_on", day),
        "monday": sql.param(LedgerEntry, "day", monday),
        "sunday": sql.param(LedgerEntry, "day", monday + dt.timedelta(days=6)),
        "spend": EntryKind.SPEND.value,
        "refund": EntryKind.REFUND.value,
        "validated": ProofStatus.VALIDATED.value,
        "pass_kind": pass_kind,
    }
    return [_candidate(row) for row in sql.fetch_all(_candidates_statement(), params)]
