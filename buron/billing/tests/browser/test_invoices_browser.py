"""A member of the demo network, in headless Chromium: signs in, opens "My invoices" (their
own and their employer's), and downloads a Factur-X PDF that validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from buron.billing.tests.helpers import text_of, xml_of
from buron.core.testing.browser import Visit
from buron.demo import network as demo

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def test_a_member_downloads_their_invoice(visit: Visit) -> None:
    page = visit.page
    page.goto("/en/compte/login/")
    page.get_by_label("Email:").fill(demo.MEMBER_EMAIL)
    page.get_by_label("Password:").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto("/en/compte/factures/")
    assert page.get_by_role("heading", name="My invoices").is_visible()
    tables = page.get_by_role("table")
    assert tables.count() == 2  # my own, and my employer's
    assert "Laiterie des Estives" in tables.nth(1).inner_text()

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert serious == [], [(v["id"], v["help"]) for v in serious]

    with page.expect_download() as info:
        tables.first.get_by_role("link", name="Download").first.click()
    content = Path(info.value.path()).read_bytes()
    root = xml_of(content)
    assert root is not None
    assert "CANTAL-" in text_of(content)
