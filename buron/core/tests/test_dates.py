"""One way of writing days and times per language, in code and in templates."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation

from buron.core.dates import format_date, format_day, format_moment, format_time

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
FIRST = dt.date(2026, 12, 1)
EVENING = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)  # 18:30 in Paris


@pytest.mark.parametrize(
    ("language", "day", "short", "date", "moment"),
    [
        (
            "fr",
            "mardi 1er décembre 2026",
            "mar 1er décembre 2026",
            "1er décembre 2026",
            "1er décembre 2026, 18:30",
        ),
        (
            "en",
            "Tuesday 1 December 2026",
            "Tue 1 December 2026",
            "1 December 2026",
            "1 December 2026, 18:30",
        ),
    ],
)
def test_each_language_has_one_way(language, day, short, date, moment):
    with translation.override(language):
        assert format_day(FIRST) == day
        assert format_day(FIRST, short=True) == short
        assert format_date(FIRST) == date
        assert format_moment(EVENING, zone="Europe/Paris") == moment
        assert format_time(EVENING, zone="Europe/Paris") == "18:30"


def test_only_the_first_of_the_month_is_1er():
    with translation.override("fr"):
        assert format_date(dt.date(2026, 12, 2)) == "2 décembre 2026"
        assert format_date(dt.date(2026, 12, 11)) == "11 décembre 2026"
        assert format_date(dt.date(2026, 12, 21)) == "21 décembre 2026"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "mardi 1er décembre 2026 | 1er décembre 2026, 18:30 | 1er décembre 2026"),
        ("en", "Tuesday 1 December 2026 | 1 December 2026, 18:30 | 1 December 2026"),
    ],
)
def test_the_template_filters_and_django_s_formats_agree(language, expected, settings):
    template = Template(
        "{% load tz %}{% timezone 'Europe/Paris' %}{{ d|day }} | {{ t|moment }} | "
        "{{ t|date:'DATE_FORMAT' }}{% endtimezone %}"
    )
    with translation.override(language):
        rendered = template.render(Context({"d": FIRST, "t": EVENING}))
    # Django's own DATE_FORMAT has no "1er": the filters are the way to write a date.
    assert rendered.split(" | ")[:2] == expected.split(" | ")[:2]
    assert rendered.split(" | ")[2].endswith(
        "décembre 2026" if language == "fr" else "December 2026"
    )


def test_english_datetimes_are_not_american_any_more():
    template = Template(
        "{% load tz %}{% timezone 'Europe/Paris' %}{{ t|date:'DATETIME_FORMAT' }}{% endtimezone %}"
    )
    with translation.override("en"):
        assert template.render(Context({"t": EVENING})) == "1 December 2026, 18:30"


def test_the_filters_leave_what_is_not_a_date_empty():
    with translation.override("fr"):
        assert Template("{{ x|day }}{{ x|moment }}{{ x|hm }}").render(Context({"x": None})) == ""
