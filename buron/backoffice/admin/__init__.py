"""Admin registrations of every domain app (imported by Django's admin autodiscovery)."""

from . import accounts, booking, offers, places, training

__all__ = ["accounts", "booking", "offers", "places", "training"]
