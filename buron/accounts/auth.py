"""Authentication of API requests by personal token (Authorization: Bearer TOKEN)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import User
from .services import api_token_user


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token=token)
        if user is not None:
            request.user = user
        return user


api_token_auth = ApiTokenAuth()
