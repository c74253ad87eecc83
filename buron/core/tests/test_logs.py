from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from buron.core.logs import JsonFormatter, RequestIdFilter, request_id_from

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def json_lines():
    """Every record of buron.request and django.request, formatted as the JSON lines."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("buron.request"), logging.getLogger("django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_sane_request_id_is_kept_and_sent_back(client, json_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-42.a:b_c"})
    assert response["X-Request-ID"] == "edge-42.a:b_c"
    entry = json.loads(json_lines[-1])
    assert entry["request_id"] == "edge-42.a:b_c"
    assert entry["logger"] == "buron.request"
    assert entry["status"] == 200
    assert entry["path"] == "/healthz"
    assert entry["method"] == "GET"
    assert entry["level"] == "INFO"


@pytest.mark.parametrize(
    "header",
    ["", "x" * 129, "two words", "<script>", "line\nbreak", "é"],
)
def test_an_insane_request_id_is_replaced_by_a_new_one(client, json_lines, header):
    response = client.get("/healthz", headers={"X-Request-ID": header})
    generated = response["X-Request-ID"]
    assert generated != header
    assert len(generated) == 32
    assert json.loads(json_lines[-1])["request_id"] == generated


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second


@pytest.mark.django_db
def test_an_error_logged_while_serving_carries_the_request_id(client, json_lines):
    response = client.get(
        "/readyz-nope?email=camille@example.org", headers={"X-Request-ID": "abc123"}
    )
    assert response.status_code == 404
    warnings = [json.loads(line) for line in json_lines if '"django.request"' in line]
    assert warnings
    assert warnings[-1]["request_id"] == "abc123"
    assert warnings[-1]["level"] == "WARNING"
    assert warnings[-1]["status_code"] == 404
    assert not any("camille@example.org" in line for line in json_lines)  # no query strings


def test_outside_a_request_the_id_is_a_dash():
    assert request_id_from(None) != request_id_from(None)
    record = logging.makeLogRecord({"msg": "hello %s", "args": ("there",), "levelname": "INFO"})
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello there"
    assert entry["request_id"] == "-"


def test_exceptions_are_in_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.makeLogRecord(
            {"msg": "failed", "levelname": "ERROR", "exc_info": sys.exc_info()}
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def _log_with(log_format: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "BURON_ENV_FILE": "",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "INFO",
    }
    code = "import logging; logging.getLogger('buron.test').info('hello')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr.strip()


def test_log_format_json_makes_the_project_log_json_lines():
    entry = json.loads(_log_with("json").splitlines()[-1])
    assert entry["message"] == "hello"
    assert entry["logger"] == "buron.test"
    assert entry["request_id"] == "-"


def test_the_default_log_format_is_text_with_the_request_id():
    line = _log_with("text").splitlines()[-1]
    assert line.endswith("INFO buron.test [-] hello")


def test_the_id_is_cleared_once_the_answer_is_sent(client):
    from buron.core.logs import request_id_current

    client.get("/healthz", headers={"X-Request-ID": "gone-after"})
    assert request_id_current() == "-"
