from __future__ import annotations

import pytest

from buron.booking.tests.conftest import murat
from buron.places.models import Site


@pytest.fixture
def site(db: None) -> Site:
    """The booking tests' site: Murat, two desks and a room."""
    return murat()
