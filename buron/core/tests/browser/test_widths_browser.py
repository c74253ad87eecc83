"""Every member and host page fits a 360 px phone without horizontal scrolling, and a
1280 px screen; each is axe clean at both widths (headless Chromium, the served demo)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from buron.booking.tests.browser.test_member_browser import assert_accessible, next_open_weekday
from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser

PASSWORD = "buron-demo-2026"
WIDTHS = (360, 1280)


def sign_in(visit: Visit, email: str, language: str) -> None:
    page = visit.page
    prefix = "/en" if language == "en" else ""
    page.goto(f"{prefix}/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def overflow(page: Any) -> list[str]:
    """What sticks out to the right of the viewport (empty when the page fits)."""
    return list(
        page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .filter(e => !e.closest('.visually-hidden'))
                .slice(0, 8)
                .map(e => e.tagName + '.' + e.className + ' ' +
                     Math.round(e.getBoundingClientRect().right) + 'px');
            }"""
        )
    )


def check(visit: Visit, paths: list[str]) -> None:
    """Every path at every width: answered, no wider than the screen, axe clean."""
    page = visit.page
    problems: list[Any] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(path)
            if response is None or response.status != 200:
                problems.append((path, width, response and response.status))
                continue
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append((path, width, scroll, overflow(page)))
            try:
                assert_accessible(visit)
            except AssertionError as exc:
                problems.append((path, width, str(exc).splitlines()[0]))
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_member_page_fits_a_phone(visit: Visit, language: str) -> None:
    # One day per language: each run books its own afternoon.
    day = next_open_weekday(timezone.localdate() + dt.timedelta(days=7 if language == "en" else 0))
    prefix = "/en" if language == "en" else ""
    sign_in(visit, "membre@buron.example", language)
    page = visit.page
    # A booking to come, so that "my bookings" has its table and a detail page exists.
    page.goto(f"{prefix}/reserver/?date={day:%Y-%m-%d}&period=pm&kind=desk&site=murat")
    page.locator("main form button[type=submit]").filter(
        has_text=re.compile("Télécentre de Murat")
    ).first.click()
    page.wait_for_load_state()
    detail = page.url.removeprefix(visit.base_url)
    assert re.search(r"/mes-reservations/\d+/$", detail), detail
    week_end = day + dt.timedelta(days=6)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The booking's page offers it as a calendar file; the site's page leads to its
    # availability, with the price beside what can be booked.
    assert page.locator("main a[href$='/agenda.ics']").count() == 1
    page.goto(f"{prefix}/sites/murat/")
    page.locator("main").get_by_role(
        "link", name=re.compile(r"^(Réserver|Book) — Télécentre de Murat")
    ).click()
    page.wait_for_load_state()
    assert "/reserver/?site=murat" in page.url
    assert page.locator("main .price").count() >= 1
    # The shop: its catalogue, and one offer's page to buy it.
    page.goto(f"{prefix}/acheter/")
    buy = page.locator("main a[href*='/acheter/'][href$='/']").first.get_attribute("href")
    assert buy and re.search(r"/acheter/[\w-]+/\d+/$", buy), buy
    check(
        visit,
        [
            f"{prefix}/",
            f"{prefix}/sites/murat/",
            f"{prefix}/reserver/?site=murat&date={day:%Y-%m-%d}&period=day&kind=desk",
            f"{prefix}/reserver/?date={yesterday:%Y-%m-%d}&period=am&kind=desk",
            f"{prefix}/reserver/confirmer/?site=aurillac&date={day:%Y-%m-%d}",
            f"{prefix}/reserver/",
            f"{prefix}/reserver/?date={day:%Y-%m-%d}&period=am&kind=desk",
            f"{prefix}/reserver/?date={day:%Y-%m-%d}&end_date={week_end:%Y-%m-%d}&period=am&kind=desk",
            f"{prefix}/reserver/?date={day:%Y-%m-%d}&period=am&kind=meeting_room",
            f"{prefix}/reserver/recurrente/",
            f"{prefix}/mes-reservations/",
            detail,
            detail + "annuler/",
            f"{prefix}/compte/",
            f"{prefix}/compte/profil/",
            f"{prefix}/compte/statut/",
            f"{prefix}/compte/courriels/",
            f"{prefix}/compte/email/",
            f"{prefix}/compte/password/change/",
            f"{prefix}/compte/fermer/",
            f"{prefix}/acheter/",
            buy,
            f"{prefix}/compte/factures/",
            f"{prefix}/mes-droits/",
            f"{prefix}/formations/",
            f"{prefix}/formations/mes-formations/",
        ],
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_host_page_fits_a_phone(visit: Visit, language: str) -> None:
    day = next_open_weekday(timezone.localdate())
    prefix = "/en" if language == "en" else ""
    sign_in(visit, "hote-murat@buron.example", language)
    header = visit.page.locator("header nav")
    visit.page.goto(f"{prefix}/")
    assert header.get_by_role("link", name=re.compile("Gestion|Management")).count() == 1
    check(
        visit,
        [
            f"{prefix}/gestion/",
            f"{prefix}/gestion/murat/",
            f"{prefix}/gestion/murat/?date={day:%Y-%m-%d}",
            f"{prefix}/gestion/murat/semaine/",
            f"{prefix}/gestion/murat/reserver/",
            f"{prefix}/gestion/murat/recurrente/",
            f"{prefix}/gestion/murat/bloquer/",
            # The annex of Murat's telecentre is managed by Murat's host.
            f"{prefix}/gestion/murat-extension/",
            f"{prefix}/gestion/murat-extension/semaine/",
            # The operator's home: members, their search, the rules, a walk-in's booking.
            f"{prefix}/gestion/reseau/membres/",
            f"{prefix}/gestion/reseau/membres/?q=a&status=freelancer",
            f"{prefix}/gestion/reseau/regles/",
            f"{prefix}/gestion/murat/sans-compte/",
            f"{prefix}/gestion/murat-extension/sans-compte/",
            # Arrivals, and the site's sales, proofs and services.
            f"{prefix}/gestion/murat/arrivees/",
            f"{prefix}/gestion/murat/ventes/",
            f"{prefix}/gestion/murat/justificatifs/",
            f"{prefix}/gestion/murat/services/",
        ],
    )
