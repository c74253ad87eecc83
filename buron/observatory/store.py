"""Hand-written SQL of the observatory: the one read the ORM cannot group.

The rollups keep their visits by visitor status as a JSON object per site and day. Summing
those objects in Python meant reading every site-day row of a period (12,000 rows for a
network of 35 sites over a year: most of the dashboard's time in `make bench`); the
database unnests and sums them here instead, grouped by month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from .models import SiteDay


def status_visits_by_month(
    *, site_ids: list[int], start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, int]]:
    """(first day of the month, visitor status, visits) of the sites' rollups from
    `start` to `end` (days included)."""
    if not site_ids:
        return []
    table = connection.ops.quote_name(SiteDay._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT date_trunc('month', r.day)::date, s.key, sum(s.value::bigint)
            FROM {table} r CROSS JOIN LATERAL jsonb_each_text(r.visits_by_status) AS s
            WHERE r.site_id = ANY(%(sites)s) AND r.day BETWEEN %(start)s AND %(end)s
            GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608 - the table name comes from _meta
        params: dict[str, Any] = {"sites": site_ids, "start": start, "end": end}
    else:
        marks = ", ".join(f"%(site_{n})s" for n in range(len(site_ids)))
        sql = f"""
            SELECT strftime('%%Y-%%m-01', r.day), s.key, sum(s.value)
            FROM {table} r, json_each(r.visits_by_status) AS s
            WHERE r.site_id IN ({marks}) AND r.day BETWEEN %(start)s AND %(end)s
            GROUP BY 1, 2 ORDER BY 1, 2"""  # noqa: S608 - the table name comes from _meta
        params = {f"site_{n}": pk for n, pk in enumerate(site_ids)}
        params.update({"start": start, "end": end})
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner guesses 100 keys per object (there are a handful) and would spend
            # more time compiling the query (JIT) than running it.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (month if isinstance(month, dt.date) else dt.date.fromisoformat(month), key, int(n))
        for month, key, n in rows
    ]
