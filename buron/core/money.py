"""Money is a Decimal in euros, rounded in one place only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Round an amount to the cent, half up (the French commercial rule)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_eur(value: Decimal, *, language: str = "fr") -> str:
    """Format an amount the way a reader of that language expects: 1 234,50 € / €1,234.50."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):,.2f}".partition(".")
    if language.startswith("fr"):
        whole = whole.replace(",", "\u202f")
        text = whole if cents == "00" else f"{whole},{cents}"
        return f"{sign}{text}\u00a0€"
    text = whole if cents == "00" else f"{whole}.{cents}"
    return f"{sign}€{text}"
