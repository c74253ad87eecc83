"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import accounts, attendance, booking, observatory, offers, places

__all__ = ["accounts", "attendance", "booking", "observatory", "offers", "places"]
