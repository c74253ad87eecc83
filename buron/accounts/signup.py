"""The sign-up form: allauth's, with the email bounded like the account's field, and the
account written in one transaction with what the member adds (names, commune, status), so
that a sign-up that fails leaves nothing behind."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import HttpRequest

from .models import User


class MemberAccountSignupForm(SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = User._meta.get_field("email").max_length or 254
        field = self.fields["email"]
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)

    def try_save(self, request: HttpRequest) -> Any:
        with transaction.atomic():
            return super().try_save(request)
