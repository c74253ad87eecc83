"""The mentions French law asks of an invoice, beside its lines and totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from buron.core.money import format_eur

FIXED_RECOVERY_INDEMNITY = Decimal("40.00")


@dataclass(frozen=True)
class Mentions:
    """Texts printed at the foot of an invoice and noted in its XML."""

    operation_category: str
    vat_scheme: str
    late_penalties: str
    recovery_indemnity: str
    no_discount: str
    training_body: str


def _rate(value: Decimal, language: str) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if language.startswith("fr") else text


def mentions_for(
    *,
    penalty_rate: Decimal,
    vat_on_debits: bool,
    business_customer: bool,
    training_number: str,
    language: str = "fr",
) -> Mentions:
    """The mentions of one invoice, in that language."""
    with translation.override(language):
        return _mentions(
            penalty_rate=penalty_rate,
            vat_on_debits=vat_on_debits,
            business_customer=business_customer,
            training_number=training_number,
            language=language,
        )


def _mentions(
    *,
    penalty_rate: Decimal,
    vat_on_debits: bool,
    business_customer: bool,
    training_number: str,
    language: str,
) -> Mentions:
    return Mentions(
        operation_category=_("Category of operation: provision of services."),
        vat_scheme=(_("VAT option on debits.") if vat_on_debits else _("VAT due on receipts.")),
        late_penalties=_(
            "Late payment bears penalties at %(rate)s %% a year from the day after the due "
            "date (art. L441-10 of the French Commercial Code)."
        )
        % {"rate": _rate(penalty_rate, language)},
        recovery_indemnity=(
            _("A fixed indemnity of %(amount)s for recovery costs is due for late payment.")
            % {"amount": format_eur(FIXED_RECOVERY_INDEMNITY, language=language)}
            if business_customer
            else ""
        ),
        no_discount=_("No discount for early payment."),
        training_body=(
            _("Training body declaration number: %(number)s.") % {"number": training_number}
            if training_number
            else ""
        ),
    )
