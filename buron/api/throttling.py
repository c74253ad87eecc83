"""How many API calls a client may make, per token: counted in a store every worker
process shares (buron.core.ratelimit), so the limit holds however many serve the API; a
client over it gets 429 with Retry-After. Calls without a token (the public sites and
availability) are not counted here: limit them per address at the reverse proxy if needed."""

from __future__ import annotations

import hashlib
import re
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from buron.core.ratelimit import rate_hit

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse(rate: str) -> tuple[int, int] | None:
    """'600/60s' or '600/m' → (600, 60); an empty rate or 'off' → no limit."""
    if not rate or rate.strip().lower() == "off":
        return None
    found = _RATE.match(rate)
    if found is None:
        raise ImproperlyConfigured(f"Not a rate: {rate!r} (e.g. 600/60s).")
    count, times, unit = found.groups()
    return int(count), max(1, int(times or 1) * _UNIT_SECONDS[unit])


class _WindowThrottle(BaseThrottle):
    scope = ""
    setting = ""

    def __init__(self) -> None:
        # One instance serves every request of an operation, threads included.
        self._local = threading.local()

    def _ident(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        rate = _parse(getattr(settings, self.setting))
        ident = self._ident(request)
        if rate is None or ident is None:
            return True
        limit, period = rate
        hit = rate_hit(name=f"api:{self.scope}:{ident}", limit=limit, period=period)
        if not hit.allowed:
            self._local.wait = hit.retry_after
        return hit.allowed

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait


class TokenRateThrottle(_WindowThrottle):
    """Calls authenticated by a token, counted per token (settings.API_RATE_PER_TOKEN)."""

    scope = "token"
    setting = "API_RATE_PER_TOKEN"

    def _ident(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is None:
            return None
        _scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        return hashlib.sha256(token.strip().encode()).hexdigest()
