"""Emails: one HTML part and one plain-text part rendered from templates, sent in the
background (django-tasks), in a network's name.

A message is made of `<prefix>_subject.txt`, `<prefix>_message.txt` and
`<prefix>_message.html`. The subject and the plain text are rendered without HTML escaping
(an apostrophe stays an apostrophe); the HTML part is escaped as any page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string
from django_tasks import task


@dataclass(frozen=True)
class Message:
    """A rendered email: its subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def _render_plain(name: str, context: dict[str, Any]) -> str:
    """A template rendered without escaping (plain text has no entities), its parents too."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    return str(engine.get_template(name).render(Context(context, autoescape=False)))


def email_render(*, prefix: str, context: dict[str, Any]) -> Message:
    """Render the subject (one line), the plain text and the HTML of an email."""
    # One line; non-breaking spaces (French typography) stay.
    subject = re.sub(r"[ \t\r\n]+", " ", _render_plain(f"{prefix}_subject.txt", context)).strip()
    text = _render_plain(f"{prefix}_message.txt", context).strip() + "\n"
    html = render_to_string(f"{prefix}_message.html", context)
    return Message(subject=subject, text=text, html=html)


def sender(name: str) -> str:
    """The From header: the sending address of the settings under the given name."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return str(Address(display_name=name, addr_spec=address))


def deliverable(addresses: list[str]) -> list[str]:
    """The addresses mail can reach: none under the reserved `.invalid` domain (RFC 2606),
    which placeholder addresses use (e.g. a light member without email)."""
    return [a for a in addresses if not a.lower().rstrip(">").endswith(".invalid")]


def email_send_now(*, to: list[str], message: Message, sender_name: str) -> None:
    """Send a rendered email at once (from a background task), to the addresses it can
    reach (none: nothing is sent)."""
    to = deliverable(to)
    if not to:
        return
    email = EmailMultiAlternatives(message.subject, message.text, sender(sender_name), to)
    email.attach_alternative(message.html, "text/html")
    email.send()


@task()
def email_deliver(*, to: list[str], subject: str, text: str, html: str, sender_name: str) -> None:
    """Send an email already rendered (in the language of the request that asked for it)."""
    email_send_now(
        to=to, message=Message(subject=subject, text=text, html=html), sender_name=sender_name
    )
