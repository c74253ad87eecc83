from __future__ import annotations

import pytest

from buron.accounts.tests.factories import UserFactory
from buron.places.tests.factories import NetworkFactory

from .factories import make_organisation, make_seller


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def network(db):
    return NetworkFactory(slug="cantal-test", name="Cantal (test)")


@pytest.fixture
def seller(network):
    return make_seller(network)


@pytest.fixture
def organisation(network):
    return make_organisation(network)


@pytest.fixture
def member(db):
    return UserFactory(email="camille@example.org", first_name="Camille", last_name="Durand")
