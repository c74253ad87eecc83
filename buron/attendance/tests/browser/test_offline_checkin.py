"""A member checks in on their phone while the connection is down: the check-in is kept in
the browser and arrives, with its original time, when the connection returns; sent again,
it still counts once. Served like production (gunicorn, whitenoise, the demo network)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest

from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

SITE = "allanche"  # the demo member has no visit there


def query(served_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(served_dir / "db.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def visits(served_dir: Path) -> list[tuple]:
    return query(
        served_dir,
        "SELECT v.arrived_at, v.client_uuid, v.source FROM attendance_visit v "
        "JOIN places_site s ON s.id = v.site_id JOIN accounts_user u ON u.id = v.member_id "
        "WHERE s.slug = ? AND u.email = ?",
        SITE,
        "membre@buron.example",
    )


def as_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_an_offline_check_in_arrives_with_its_time_and_counts_once(
    visit: Visit, served_dir: Path
) -> None:
    page = visit.page
    [(token,)] = query(
        served_dir,
        "SELECT p.token FROM attendance_checkinpoint p JOIN places_site s ON s.id = p.site_id "
        "WHERE s.slug = ?",
        SITE,
    )
    checkin_path = f"/en/pointage/{token}/"
    page.goto(f"/en/compte/login/?next={checkin_path}")
    page.get_by_label("Email:").fill("membre@buron.example")
    page.get_by_label("Password:").fill("buron-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{checkin_path}")
    assert visits(served_dir) == []
    page.reload()  # without the "signed in" message (its list item has a status role)
    assert_accessible(visit)

    visit.context.set_offline(True)
    before = dt.datetime.now(dt.UTC)
    page.get_by_role("button", name="I am here: check in").click()
    status = page.locator("#checkin-status")
    status.filter(has_text="kept on this phone").wait_for()
    time.sleep(2)
    assert visits(served_dir) == []  # nothing reached the server

    restored = dt.datetime.now(dt.UTC)
    visit.context.set_offline(False)
    status.filter(has_text="Checked in at").wait_for(timeout=15_000)
    [(arrived_at, client_uuid, source)] = visits(served_dir)
    assert source == "qr"
    # The time the button was pressed, not the time it reached the server.
    assert (
        before - dt.timedelta(seconds=1) <= as_utc(arrived_at) < restored - dt.timedelta(seconds=1)
    )
    assert page.evaluate("localStorage.getItem('buron-checkins')") == "[]"

    # The phone sends the same check-in again (a retry after a lost answer): counted once.
    page.evaluate(
        """([id, at]) => {
            const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
            localStorage.setItem("buron-checkins", JSON.stringify(
                [{id: id, at: at, url: location.href, csrf: csrf}]));
            document.getElementById("checkin-status").textContent = "";
            window.dispatchEvent(new Event("online"));
        }""",
        [str(client_uuid_text(client_uuid)), as_utc(arrived_at).isoformat()],
    )
    # Polled from the test (page.wait_for_function would evaluate a string in the page,
    # which its Content-Security-Policy forbids).
    for _ in range(100):
        if page.evaluate("() => localStorage.getItem('buron-checkins')") == "[]":
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => localStorage.getItem('buron-checkins')") == "[]"
    status.filter(has_text="Checked in at").wait_for()  # accepted as a replay, not refused
    assert len(visits(served_dir)) == 1
    assert visits(served_dir)[0][0] == arrived_at


def assert_accessible(visit: Visit) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert serious == [], [(v["id"], v["help"], [n["html"] for n in v["nodes"]]) for v in serious]


def client_uuid_text(stored: str) -> str:
    """SQLite keeps a UUIDField as 32 hex digits."""
    hexa = stored.replace("-", "")
    return f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:]}"
