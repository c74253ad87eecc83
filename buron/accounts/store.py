"""Statements written by hand on accounts' tables, for the booking's hot path.

Only where a benchmark showed the ORM was the cost (`make bench`, README "Performance"):
every API call reads its token; every booking locks its member and reads the member's
status periods with their bookings of the day. Other apps never name these tables: they
call the functions and fragments here. Table and column names come from the models'
_meta; values go as named parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from buron.core import sql

from .models import ApiToken, StatusPeriod, User
from .selectors import StatusOnDay

USER_ROW = sql.Selected(User, "u")


@cache
def user_lock_parts() -> tuple[str, str]:
    """The user's row, to be locked with other apps' rows in one statement: `FROM` text
    (alias lu) and its condition (parameter `user_id`)."""
    return f"{sql.table(User)} lu", "lu.id = %(user_id)s"


@dataclass(frozen=True)
class TokenUser:
    """An API token's row and the active user it belongs to."""

    token_id: int
    last_used_at: dt.datetime | None
    user: User


@cache
def _token_statement() -> str:
    return sql.select(
        "t.id",
        "t.last_used_at",
        USER_ROW,
        rest=sql.compose(
            "FROM {token} t JOIN {user} u ON u.id = t.user_id"
            " WHERE t.digest = %(digest)s AND u.is_active",
            token=sql.table(ApiToken),
            user=sql.table(User),
        ),
    )


def token_user(*, digest: str) -> TokenUser | None:
    """The token with that digest and its active user (one statement)."""
    rows = sql.fetch_all(_token_statement(), {"digest": digest})
    if not rows:
        return None
    row = rows[0]
    return TokenUser(
        token_id=row[0],
        last_used_at=sql.read(ApiToken, "last_used_at", row[1]),
        user=USER_ROW.load(row, 2),
    )


# --- A member and their status periods, for another app's one-statement read ---------------

# The columns member_source() gives, first in the caller's SELECT.
MEMBER_COLUMNS = ("u.is_active", "p.status", "p.employer_name", "p.valid_from")


@cache
def member_source() -> str:
    """`FROM` text for a member (alias u) and their status periods (alias p, one row per
    period, none when they have none): the caller adds its own joins after it and
    `WHERE u.id = %(member_id)s` (periods ordered by p.valid_from)."""
    return sql.compose(
        "{user} u LEFT JOIN {period} p ON p.user_id = u.id",
        user=sql.table(User),
        period=sql.table(StatusPeriod),
    )


@dataclass(frozen=True)
class MemberRows:
    """What member_source's columns said: the account's state and its status periods,
    oldest first."""

    is_active: bool
    periods: list[StatusOnDay]


def member_from_rows(rows: Sequence[Sequence[Any]], start: int = 0) -> MemberRows:
    """The member from rows whose columns from `start` are MEMBER_COLUMNS (a period may
    repeat when the caller's joins repeat it)."""
    if not rows:
        return MemberRows(is_active=False, periods=[])
    periods: list[StatusOnDay] = []
    for row in rows:
        status, employer_name, valid_from = row[start + 1 : start + 4]
        if status is None:
            continue
        period = StatusOnDay(
            valid_from=sql.read(StatusPeriod, "valid_from", valid_from),
            status=status,
            employer_name=employer_name,
        )
        if not periods or periods[-1] != period:
            periods.append(period)
    return MemberRows(is_active=bool(rows[0][start]), periods=periods)
