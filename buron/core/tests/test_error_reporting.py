"""Error reports reach a Sentry-compatible server, here a local one, and carry no person."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import override_settings
from django.urls import path

from buron.core.error_reporting import error_reporting_configure

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("the printer is on fire")


urlpatterns = [path("boom", broken_view)]


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK's choice when brotli is installed (WeasyPrint brings it)
            import brotli

            body = brotli.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_sentry() -> Iterator[tuple[str, list[bytes]]]:
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1", FakeSentry.received
    sentry_sdk.init()  # back to no reporting
    server.shutdown()


def _events(received: list[bytes]) -> list[dict]:
    events = []
    for envelope in received:
        for line in envelope.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                events.append(item)
    return events


@override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_unhandled_error_is_reported_without_personal_data(
    client, fake_sentry, django_user_model
):
    dsn, received = fake_sentry
    assert error_reporting_configure(dsn=dsn, environment="test")
    user = django_user_model.objects.create_user("camille@example.org", "x")
    client.force_login(user)
    client.raise_request_exception = False
    response = client.get("/boom?email=camille@example.org", headers={"X-Request-ID": "rid-1"})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    events = _events(received)
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "test"
    assert event["tags"]["request_id"] == "rid-1"
    raw = b"".join(received).decode()
    assert "camille@example.org" not in raw
    assert "sessionid" not in raw
    assert "user" not in event


def test_without_a_dsn_nothing_is_set_up(fake_sentry):
    before = sentry_sdk.get_client()
    assert error_reporting_configure(dsn="") is False
    assert sentry_sdk.get_client() is before
    assert sentry_sdk.get_client().transport is None
