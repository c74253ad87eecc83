"""The WSGI application the benchmark serves: the project's, with bench.settings."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from config.wsgi import application

__all__ = ["application"]
