"""A site host reads two years of the demo's history in the observatory (the network
administrator must first enrol a second factor, which another browser test does):
charts and tables, accessible (axe), without a script, and light. Served like production
(gunicorn, whitenoise, the demo network)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from buron.core.testing.browser import Visit
from buron.demo.network import DEMO_PASSWORD, HOST_EMAIL

pytestmark = pytest.mark.browser


def test_a_host_reads_two_years_of_their_sites_figures(visit: Visit) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = visit.page
    year = timezone.localdate().year
    path = f"/en/observatoire/?start={year - 2}-01-01&end={year - 1}-12-31"
    page.goto("/en/compte/login/?next=/en/observatoire/")
    page.get_by_label("Email:").fill(HOST_EMAIL)
    page.get_by_label("Password:").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/observatoire/")
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert len(response.body()) <= 100_000
    assert page.locator("script").count() == 0
    assert page.locator("svg[role=img] title").count() == 8
    months = page.get_by_role("table", name="Month by month")
    assert months.locator("tbody tr").count() == 24
    salaried = page.get_by_role("table", name="Share of salaried remote workers")
    assert "This period" in salaried.inner_text()
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    assert serious == [], [
        (v["id"], v["help"], [n["html"][:80] for n in v["nodes"]]) for v in serious
    ]
