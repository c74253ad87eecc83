from __future__ import annotations

import pytest
from pytest_django import Settings


@pytest.fixture(autouse=True)
def _public_test_settings(settings: Settings) -> None:
    """Whatever the settings choose for production, these tests talk plain HTTP to the test
    client and render {% static %} without a collected manifest (the hashed manifest storage
    exists only after collectstatic; the browser tests cover that production path)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
