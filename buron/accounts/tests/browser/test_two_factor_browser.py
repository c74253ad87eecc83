"""A network administrator of the served demo enrols an authenticator app in Chromium before
reaching the admin, then signs in again with a code computed from the secret shown."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters

from buron.core.testing.browser import Visit
from buron.demo import network as demo

pytestmark = pytest.mark.browser


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(counters())))


def next_window_code(secret: str, used: str) -> str:
    """A code of the next 30-second window (a code is accepted only once)."""
    while (code := current_code(secret)) == used:
        time.sleep(1)
    return code


def sign_in(visit: Visit) -> None:
    page = visit.page
    page.goto("/en/compte/login/")
    page.locator("input[name=login]").fill(demo.NETWORK_ADMIN_EMAIL)
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_network_admin_enrols_an_authenticator_app_before_the_admin(visit: Visit) -> None:
    page = visit.page
    sign_in(visit)
    assert "/compte/login/" not in page.url, page.inner_text("main")

    page.goto("/en/admin/")
    page.wait_for_load_state()
    # Changing how one signs in asks for the password again first.
    assert "/compte/reauthenticate/" in page.url
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert "/compte/2fa/totp/activate/" in page.url
    assert "authenticator app" in page.content()
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16

    page.locator("input[name=code]").fill("000000")
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert "/compte/2fa/totp/activate/" in page.url  # a wrong code activates nothing

    code = current_code(secret)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert "/totp/activate/" not in page.url

    page.goto("/en/admin/")
    assert page.url.endswith("/en/admin/")  # in, no longer sent to enrol

    # Signing in again now asks for the app's code after the password.
    visit.context.clear_cookies()
    sign_in(visit)
    assert "/compte/2fa/authenticate/" in page.url
    page.locator("input[name=code]").fill(next_window_code(secret, code))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    page.goto("/en/admin/")
    assert page.url.endswith("/en/admin/")
