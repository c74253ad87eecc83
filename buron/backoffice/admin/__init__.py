"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import accounts, attendance, billing, booking, offers, places

__all__ = ["accounts", "attendance", "billing", "booking", "offers", "places"]
