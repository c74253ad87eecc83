"""The operator's home in a browser on the served demo: the host of Murat reads the day at a
glance, books for a walk-in without an account end to end, finds them in the member list.

With BURON_SCREENSHOTS=1, the pages are also saved as the README's screenshots
(docs/screenshots/operator-home-360.png, walk-in-360.png)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from buron.booking.tests.browser.test_member_browser import assert_accessible, next_open_weekday
from buron.core.testing.browser import Visit
from buron.core.tests.browser.test_widths_browser import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _shot(visit: Visit, name: str) -> None:
    if os.environ.get("BURON_SCREENSHOTS"):
        # The page's main part, whole: small enough for the README (< 150 KB).
        visit.page.locator("main").screenshot(path=str(SHOTS / name))


def test_a_host_books_for_a_walk_in_without_an_account(visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 360, "height": 760})
    day = next_open_weekday(timezone.localdate() + dt.timedelta(days=14))
    sign_in(visit, "hote-murat@buron.example", "fr")
    page.goto("/gestion/")
    assert page.locator("h1").inner_text() == "Gestion"
    assert page.get_by_role("row", name=re.compile("Murat — extension")).count() >= 1
    assert_accessible(visit)
    _shot(visit, "operator-home-360.png")

    page.goto("/gestion/murat/sans-compte/")
    form = page.locator("main form")
    form.locator("input[name=first_name]").fill("Lou")
    form.locator("input[name=last_name]").fill(f"Navigateur {day:%Y%m%d}")
    form.locator("select[name=status]").select_option("freelancer")
    form.locator("input[name=commune]").fill("15138")
    form.locator("input[name=date]").fill(f"{day:%Y-%m-%d}")
    form.locator("input[name=period][value=am]").check()
    _shot(visit, "walk-in-360.png")
    page.get_by_role("button", name="Créer et réserver").click()
    page.wait_for_load_state()
    assert re.search(r"/gestion/murat/\?date=", page.url), page.url
    assert f"pour Lou Navigateur {day:%Y%m%d}" in page.locator("main").inner_text()

    page.goto(f"/gestion/reseau/membres/?q=Navigateur+{day:%Y%m%d}")
    row = page.get_by_role("row", name=re.compile(f"Navigateur {day:%Y%m%d}"))
    assert row.count() == 1
    assert "pas encore de compte" in row.inner_text()
    assert_accessible(visit)
