"""Money is a Decimal in euros, rounded in one place only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Round an amount to the cent, half up (the French commercial rule)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_eur(value: Decimal, *, language: str = "fr", cents: bool = False) -> str:
    """Format an amount the way a reader of that language expects: 1 234,50 € / €1,234.50
    (whole euros without ",00" unless ``cents``, as invoices print them)."""
    amount = money(value)
    sign = "-" if amount < 0 else ""
    whole, _, decimals = f"{abs(amount):,.2f}".partition(".")
    short = decimals == "00" and not cents
    if language.startswith("fr"):
        whole = whole.replace(",", "\u202f")
        text = whole if short else f"{whole},{decimals}"
        return f"{sign}{text}\u00a0€"
    text = whole if short else f"{whole}.{decimals}"
    return f"{sign}€{text}"


def line_amount(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    """An invoice line's net amount: quantity × unit price, rounded once, here (EN 16931)."""
    return money(Decimal(quantity) * Decimal(unit_price))


def vat_amount(*, basis: Decimal, rate: Decimal) -> Decimal:
    """The VAT of one rate: the rate applied to the sum of that rate's line amounts, rounded
    once (EN 16931 BR-S-09), never the sum of per-line VAT."""
    return money(Decimal(basis) * Decimal(rate) / 100)
