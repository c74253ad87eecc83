"""Project-wide test set-up: the same suite runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.conf import settings

pytest_plugins = ["buron.core.testing.browser"]


@pytest.fixture(autouse=True)
def _french_by_default() -> None:
    """Each test starts in the default language, whatever a previous test activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty local cache: ids are reused from one test to the next.
    The shared cache lives in the database: each test's transaction rolls its entries back,
    and with them the rate counts this process holds reservations of (forgotten too)."""
    from django.core.cache import caches

    from buron.core.ratelimit import rate_reservations_forget

    caches["local"].clear()
    rate_reservations_forget()


def pytest_report_header() -> str:
    return f"database: {settings.DATABASES['default']['ENGINE']}"
