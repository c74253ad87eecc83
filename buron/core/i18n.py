"""Helpers for content stored in both French and English."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def localized(obj: Any, field: str) -> str:
    """The `<field>_en` or `<field>_fr` value for the active language, French as fallback."""
    language = (get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in {"fr", "en"} else ""
    return value or getattr(obj, f"{field}_fr", "")
