"""A carnet in headless Chromium, on the served demo network: the Murat host sells it at
the desk, the member books a desk with it and reads the balance on "My rights"."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from buron.booking.tests.browser.test_member_browser import assert_accessible, next_open_weekday
from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

PASSWORD = "buron-demo-2026"


def sign_in(visit: Visit, email: str) -> None:
    page = visit.page
    page.context.clear_cookies()
    page.goto("/en/compte/login/")
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_host_sells_a_carnet_and_the_member_books_with_it(visit: Visit) -> None:
    page = visit.page
    sign_in(visit, "hote-murat@buron.example")
    page.goto("/en/gestion/murat/ventes/")
    assert_accessible(visit)
    page.get_by_label("Member's email address").fill("membre@buron.example")
    page.get_by_label("Offer").select_option(label="Carnet of 10 half-days")
    page.get_by_label("Paid").select_option("cheque")
    page.get_by_role("button", name="Record the sale").click()
    page.wait_for_load_state()
    assert "The sale is recorded." in page.content()
    assert "membre@buron.example" in page.locator("table").last.inner_text()

    sign_in(visit, "membre@buron.example")
    # The demo member may have spent credits in other tests against the same server.
    before = _balances(page)
    assert max(before) == 10  # the carnet just sold
    day = next_open_weekday(timezone.localdate())
    page.goto(f"/en/reserver/?date={day:%Y-%m-%d}&period=am&kind=desk&site=murat")
    page.get_by_role("button", name=re.compile(r"^Book — Télécentre de Murat")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My booking"
    assert "your carnet (1 credit)" in page.content()

    after = _balances(page)
    assert_accessible(visit)
    # One credit spent (from one carnet), none created.
    assert len(after) == len(before) == 2
    assert sum(after) == sum(before) - 1
    assert page.get_by_text("Carnet of 10 half-days").count() == 2


def _balances(page) -> list[int]:
    """The credits left on each of the member's carnets, from their "My rights" page."""
    page.goto("/en/compte/")
    page.get_by_role("link", name=re.compile(r"^My rights")).click()
    page.wait_for_load_state()
    return [int(t) for t in page.locator("dt:text-is('Credits left') + dd").all_inner_texts()]
