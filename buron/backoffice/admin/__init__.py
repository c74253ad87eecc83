"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import (
    accounts,
    attendance,
    audit,
    billing,
    booking,
    employers,
    mail,
    observatory,
    offers,
    places,
    training,
)

__all__ = [
    "accounts",
    "attendance",
    "audit",
    "billing",
    "booking",
    "employers",
    "mail",
    "observatory",
    "offers",
    "places",
    "training",
]
