"""Light members: a person a site host books for at the desk, without an account of their
own yet (the walk-in who has no account). THE definition, used by the host's walk-in
booking and by the member lists:

- a light member is a user with no usable password (nobody can sign in as them) who never
  signed in; they have a name, a status and a commune like any member;
- their email is optional: without one, they get a placeholder address under the reserved
  `.invalid` domain (RFC 2606: never deliverable), so the account stays unique by email,
  and no email is ever sent to it (buron.core.emails drops such addresses);
- with an email, they are invited to claim the account: the invitation holds a signed,
  single-use link of allauth's password reset, where they choose a password. Once they
  have, they are a member like any other.

A check-in without a booking (buron.attendance's walk-in) records an anonymous visit (a
status and a commune on the visit itself, no person): it needs no light member. A booking
needs a person, hence this record.
"""

from __future__ import annotations

import secrets

from .models import User

PLACEHOLDER_DOMAIN = "sans-courriel.invalid"


def placeholder_email() -> str:
    """A unique address nobody can receive mail at, for a light member without email."""
    return f"{secrets.token_hex(8)}@{PLACEHOLDER_DOMAIN}"


def is_placeholder_email(email: str) -> bool:
    """Whether an address is a light member's placeholder (never shown, never written to)."""
    return email.lower().endswith("@" + PLACEHOLDER_DOMAIN)


def is_light_member(user: User) -> bool:
    """A person booked for by a host who has not claimed their account (yet)."""
    return not user.has_usable_password() and user.last_login is None and user.is_active
