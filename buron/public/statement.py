"""Facts of the accessibility statement that change only when the site is assessed again."""

from __future__ import annotations

import datetime as dt

# Date of the last self-assessment of the public pages (automated axe-core checks in
# Chromium on the home, site and statement pages in French and English, plus a manual
# review of keyboard use, headings, landmarks, forms, tables and colour contrast).
ACCESSIBILITY_ASSESSED_ON = dt.date(2026, 11, 28)
RGAA_VERSION = "4.1.2"
