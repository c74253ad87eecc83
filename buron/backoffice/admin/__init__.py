"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import accounts, billing, booking, offers, places

__all__ = ["accounts", "billing", "booking", "offers", "places"]
