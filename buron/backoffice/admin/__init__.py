"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import accounts, audit, booking, offers, places

__all__ = ["accounts", "audit", "booking", "offers", "places"]
