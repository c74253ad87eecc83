"""How django-allauth sends the account emails: Buron's own words, in the network's name
and the page's language, HTML with a plain-text part, sent in the background."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.utils.translation import get_language

from buron.core.emails import email_deliver, email_render

from .selectors import email_sender_name


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now (in the request's language), send from the background queue."""
        name = email_sender_name()
        try:
            message = email_render(
                prefix=template_prefix,
                context={
                    **context,
                    "email": email,
                    "network_name": name,
                    "site_url": settings.SITE_URL,
                    "language": (get_language() or "fr")[:2],
                },
            )
        except TemplateDoesNotExist:
            # An email Buron does not write itself (notifications it leaves off).
            super().send_mail(template_prefix, email, context)
            return
        # In the database's queue the task commits with the request's writes (the account,
        # the key); the immediate queue of tests sends at once.
        email_deliver.enqueue(
            to=[email],
            subject=message.subject,
            text=message.text,
            html=message.html,
            sender_name=name,
        )
