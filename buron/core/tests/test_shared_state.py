"""What must agree between processes is kept where all of them see it; what sits on the
booking's hot path stays in each process's memory. And pages carry a strict CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from buron.booking.site_rules import day_rules
from buron.booking.tests.conftest import DAY, site  # noqa: F401 - the fixture

PROJECT = Path(settings.BASE_DIR)


def test_the_shared_cache_is_the_database_unless_redis_is_configured():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "django_redis.cache.RedisCache"
    else:
        assert backend == "django.core.cache.backends.db.DatabaseCache"
    assert settings.CACHES["local"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    assert settings.CACHES["default"]["LOCATION"] in connection.introspection.table_names()


@pytest.mark.django_db
def test_a_sites_rules_are_cached_in_the_process_not_in_the_shared_store(site):  # noqa: F811
    site = type(site).objects.select_related("network").get(pk=site.pk)
    day_rules(site, DAY)
    local = caches["local"]
    keys = [k for k in local._cache if "booking:rules" in k]  # type: ignore[attr-defined]
    assert keys
    shared = caches["default"]
    assert all(shared.get(k.split(":", 2)[-1]) is None for k in keys)


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(
        [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def _is_page(path: Path) -> bool:
    """Templates a browser loads under the CSP: not emails (mail clients need their styles
    inline) nor documents WeasyPrint renders to PDF."""
    name = str(path)
    documents = ("_pdf.html", "poster.html", "observatory/report.html")
    return not ("/email/" in name or "/pdf/" in name or name.endswith(documents))


def _templates() -> list[Path]:
    return [
        path
        for path in [
            *PROJECT.glob("templates/**/*.html"),
            *PROJECT.glob("buron/*/templates/**/*.html"),
        ]
        if ".venv" not in path.parts and _is_page(path)
    ]


def test_no_template_has_inline_script_or_style():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"
        r"|<style\b|\sstyle=|\son[a-z]+=",
        re.IGNORECASE,
    )
    found = {
        str(path.relative_to(PROJECT)): inline.findall(path.read_text())
        for path in _templates()
        if inline.search(path.read_text())
    }
    assert len(_templates()) > 20
    assert found == {}
