"""Buying online in headless Chromium, on the served demo network: a newcomer signs up,
buys a carnet from the Murat catalogue, pays it on the fake card provider's page, books a
desk with it, reads the balance on "My rights" and downloads the invoice (a Factur-X PDF
that validates)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from buron.billing.tests.helpers import text_of, xml_of
from buron.booking.tests.browser.test_member_browser import (
    assert_accessible,
    confirmation_link,
    next_open_weekday,
)
from buron.core.testing.browser import Visit

pytestmark = pytest.mark.browser


def sign_up(visit: Visit, mail_dir: Path, address: str) -> None:
    page = visit.page
    page.goto("/en/compte/signup/")
    page.get_by_label("Email:").fill(address)
    page.get_by_label("Password:", exact=True).fill("a long demo password 42")
    page.get_by_label("Password (again):").fill("a long demo password 42")
    page.get_by_label("First name:").fill("Dominique")
    page.get_by_label("Last name:").fill("Acheteur")
    page.get_by_label("I am:").select_option("freelancer")
    page.get_by_label("Commune of residence:").fill("Murat (15300)")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()
    path = urlsplit(confirmation_link(mail_dir, address)).path
    page.goto(path if path.startswith("/en/") else "/en" + path)
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_load_state()


def test_a_member_buys_a_carnet_online_books_with_it_and_downloads_the_invoice(
    visit: Visit, mail_dir: Path
) -> None:
    page = visit.page
    day = next_open_weekday(timezone.localdate())
    sign_up(visit, mail_dir, f"dominique.shop.{day:%Y%m%d}@example.org")

    # The site's public page lists the catalogue and leads to the shop.
    page.goto("/en/sites/murat/")
    prices = page.get_by_role("table", name=re.compile("Offers on sale at this site"))
    assert "Carnet of 10 half-days" in prices.inner_text()
    page.get_by_role("link", name="Buy online").click()
    page.wait_for_load_state()
    assert_accessible(visit)
    page.get_by_role("link", name="Buy Carnet of 10 half-days").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Carnet of 10 half-days"
    assert_accessible(visit)
    page.get_by_label("By card, online (now)").check()
    page.get_by_role("button", name="Buy").click()
    page.wait_for_load_state()

    # The fake provider's page, then back to the purchase, paid.
    assert page.get_by_role("heading", level=1).inner_text() == "Test card payment"
    assert "90.00" in page.content()
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My purchase"
    assert "Payment accepted" in page.content()
    assert "Paid" in page.content()
    assert_accessible(visit)

    # Book a desk: the carnet covers it.
    page.goto(f"/en/reserver/?date={day:%Y-%m-%d}&period=am&kind=desk&site=murat")
    page.get_by_role("button", name=re.compile(r"^Book — Télécentre de Murat")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My booking"
    assert "your carnet (1 credit)" in page.content()

    page.goto("/en/mes-droits/")
    assert page.locator("dt:text-is('Credits left') + dd").all_inner_texts() == ["9"]

    page.goto("/en/compte/factures/")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download")).first.click()
    content = Path(info.value.path()).read_bytes()
    assert xml_of(content) is not None
    text = text_of(content)
    assert "Carnet" in text and "CANTAL-" in text
