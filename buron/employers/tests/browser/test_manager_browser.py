"""The demo employer's manager, in headless Chromium: signs in, reads their employees' days
against the contract for last month (per employee and per site), finds the monthly invoice
and downloads it: a Factur-X PDF that validates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from buron.billing.tests.helpers import text_of, xml_of
from buron.core.testing.browser import Visit
from buron.demo import network as demo
from buron.demo.employers import MANAGER_EMAIL

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def test_an_employer_manager_reads_the_usage_and_downloads_the_monthly_invoice(
    visit: Visit,
) -> None:
    page = visit.page
    page.goto("/en/compte/login/")
    page.get_by_label("Email:").fill(MANAGER_EMAIL)
    page.get_by_label("Password:").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    page.goto(f"/en/employeur/?mois={last_month}")
    page.goto(page.url.split("?")[0] + f"?mois={last_month}")
    assert page.get_by_role(
        "heading", name="Laiterie des Estives (entreprise inventée)"
    ).is_visible()
    usage = page.get_by_role("table").first
    text = usage.inner_text()
    assert "Salomé Vidal" in text and "Paul Roux" in text and "/ 8" in text
    assert "Télécentre de Murat" in text or "Télécentre de Saint-Flour" in text

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert serious == [], [(v["id"], v["help"]) for v in serious]

    invoices = page.get_by_role("table").last
    assert "Laiterie des Estives" in invoices.inner_text()
    with page.expect_download() as info:
        invoices.get_by_role("link", name="Download").first.click()
    content = Path(info.value.path()).read_bytes()
    assert xml_of(content) is not None
    assert "CANTAL-" in text_of(content)
