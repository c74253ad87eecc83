"""A fake online card provider, for tests and the demo: nothing leaves the machine.

`FakeCardPayments.checkout` sends the payer to a local page (`/paiement/test/`) standing
for the provider's: it shows the amount and lets them pay or decline. The page then does
what a provider does: it calls the payment callback with a signed confirmation (here, in
the same process) and sends the payer back to the shop. The confirmation is signed with
`BURON_PAYMENT_SECRET` and dated: a forged or altered one, or one older than an hour, is
refused; one replayed records nothing more (the payment reference is recorded once).

Never use it in production: it takes no money (a deployment check refuses it there).
"""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Invoice
from .payments import Checkout, Confirmation, OfflinePayments
from .services import InvoiceRefused

CHECKOUT_SALT = "buron.billing.fakecard.checkout"
CALLBACK_SALT = "buron.billing.fakecard.callback"
CALLBACK_MAX_AGE = 3600


def _secret() -> str:
    secret: str = getattr(settings, "BURON_PAYMENT_SECRET", "") or settings.SECRET_KEY
    return secret


class FakeCardPayments(OfflinePayments):
    """Offline payments as the default adapter, plus a fake card provider."""

    online = True

    def checkout(self, *, invoice: Invoice, amount: Decimal, return_url: str = "") -> Checkout:
        reference = f"FAKE-{invoice.pk}-{secrets.token_hex(8)}"
        request = signing.dumps(
            {"ref": reference, "invoice": invoice.pk, "amount": str(amount), "back": return_url},
            salt=CHECKOUT_SALT,
        )
        url = reverse("billing:fake_card") + "?" + urlencode({"c": request})
        return Checkout(reference=reference, url=url)

    def verify(self, *, payload: dict[str, Any]) -> Confirmation:
        try:
            data = signing.loads(
                str(payload.get("data", "")),
                key=_secret(),
                salt=CALLBACK_SALT,
                max_age=CALLBACK_MAX_AGE,
            )
            return Confirmation(
                invoice_id=int(data["invoice"]),
                reference=str(data["ref"]),
                amount=Decimal(str(data["amount"])),
                paid=data["status"] == "paid",
            )
        except signing.SignatureExpired as exc:
            raise InvoiceRefused(_("This payment notice has expired."), code="expired") from exc
        except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise InvoiceRefused(
                _("This payment notice is not signed by the provider."), code="forged"
            ) from exc


def checkout_read(token: str) -> dict[str, Any]:
    """The checkout the shop asked the fake provider for (signed by the shop)."""
    try:
        data: dict[str, Any] = signing.loads(token, salt=CHECKOUT_SALT, max_age=CALLBACK_MAX_AGE)
    except signing.BadSignature as exc:
        raise InvoiceRefused(_("This payment link is not valid."), code="bad_checkout") from exc
    return data


def provider_notice(*, checkout: dict[str, Any], paid: bool) -> dict[str, str]:
    """The callback the fake provider sends: the checkout's reference, invoice and amount,
    and whether the card was accepted, signed with the provider's secret."""
    data = {
        "ref": checkout["ref"],
        "invoice": checkout["invoice"],
        "amount": checkout["amount"],
        "status": "paid" if paid else "declined",
    }
    return {"data": signing.dumps(data, key=_secret(), salt=CALLBACK_SALT)}
