"""A member's whole path in headless Chromium, on the served demo network: sign up, confirm
the email address, search, book, find the booking in "my bookings", cancel it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import holidays
import pytest
from django.utils import timezone

from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def next_open_weekday(today: dt.date) -> dt.date:
    """A weekday at least two days ahead that is neither a public holiday nor in the demo's
    year-end closure (24 December to 1 January): the Murat telecentre is open then."""
    bank = holidays.country_holidays("FR", years=[today.year, today.year + 1])
    day = today + dt.timedelta(days=2)
    while (
        day.weekday() >= 5
        or day in bank
        or (day.month == 12 and day.day >= 24)
        or (day.month == 1 and day.day == 1)
    ):
        day += dt.timedelta(days=1)
    return day


def confirmation_link(mail_dir: Path, address: str) -> str:
    for path in sorted(mail_dir.glob("*.log")):
        text = path.read_text(encoding="utf-8")
        if address in text:
            found = re.search(r"https?://\S+/compte/confirm-email/\S+/", text)
            if found:
                return found.group(0)
    raise AssertionError(f"no confirmation email for {address} in {mail_dir}")


def assert_accessible(visit: Visit) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert serious == [], [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def test_a_member_signs_up_books_a_desk_and_cancels_it(visit: Visit, mail_dir: Path) -> None:
    page = visit.page
    day = next_open_weekday(timezone.localdate())
    address = f"claude.browser.{day:%Y%m%d}@example.org"

    page.goto("/en/compte/signup/")
    assert_accessible(visit)
    page.get_by_label("Email:").fill(address)
    page.get_by_label("Password:", exact=True).fill("a long demo password 42")
    page.get_by_label("Password (again):").fill("a long demo password 42")
    page.get_by_label("First name:").fill("Claude")
    page.get_by_label("Last name:").fill("Browser")
    page.get_by_label("I am:").select_option("salaried_remote")
    page.get_by_label("Employer:").fill("Acme")
    page.get_by_label("Commune of residence:").fill("Murat (15300)")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your email address"

    # The email's link is absolute (https in production); follow its path on this server.
    path = urlsplit(confirmation_link(mail_dir, address)).path
    page.goto(path if path.startswith("/en/") else "/en" + path)
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_load_state()

    page.goto(f"/en/reserver/?date={day:%Y-%m-%d}&period=am&kind=desk&site=murat")
    assert_accessible(visit)
    page.get_by_role("button", name=re.compile(r"^Book — Télécentre de Murat")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My booking"

    page.goto("/en/mes-reservations/")
    assert_accessible(visit)
    row = page.locator("table").first.locator("tbody tr")
    assert row.count() == 1
    assert "Télécentre de Murat" in row.inner_text()
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.get_by_role("button", name="Yes, cancel this booking").click()
    page.wait_for_load_state()

    page.goto("/en/mes-reservations/")
    assert "No booking to come." in page.content()
    past = page.get_by_role("region", name="Past and cancelled")
    assert "Télécentre de Murat" in past.inner_text()
