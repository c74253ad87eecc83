"""The project's settings, plus the benchmark's minimal view (see bench.urls).

Every server of a benchmark run uses this module, so the minimal view and the API are
served by the same processes with the same middleware.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
