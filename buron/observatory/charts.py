"""Charts drawn on the server as SVG: readable without JavaScript, with a title and a
description for screen readers, each value written beside its bar (no information by
colour alone). The table of the same figures is always shown beside the chart."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 150
BAR_WIDTH = 300
VALUE_WIDTH = 90


def bar_chart(
    *, ident: str, title: str, desc: str, bars: list[tuple[str, float, str]]
) -> SafeString:
    """A horizontal bar chart: `bars` are (label, value, value as shown)."""
    top = max((value for _l, value, _t in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    rows = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1d4e89" stroke="#000"></rect>'
        '<text x="{}" y="{}">{}</text></g>',
        (
            (
                LABEL_WIDTH - 6,
                GAP + n * (BAR_HEIGHT + GAP) + 16,
                label,
                LABEL_WIDTH,
                GAP + n * (BAR_HEIGHT + GAP),
                round(BAR_WIDTH * value / top, 1),
                BAR_HEIGHT,
                LABEL_WIDTH + round(BAR_WIDTH * value / top, 1) + 6,
                GAP + n * (BAR_HEIGHT + GAP) + 16,
                shown,
            )
            for n, (label, value, shown) in enumerate(bars)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" aria-labelledby="{i}-title {i}-desc" font-family="sans-serif" '
        'font-size="13"><title id="{i}-title">{t}</title><desc id="{i}-desc">{d}</desc>'
        "{rows}</svg>",
        w=width,
        h=height,
        i=ident,
        t=title,
        d=desc,
        rows=rows,
    )
