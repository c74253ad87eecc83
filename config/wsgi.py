import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The URLs (and the views they import) are loaded now rather than by each worker's first
# request: with gunicorn --preload, once, in the master, shared by the forked workers.
preloaded_urls = get_resolver().url_patterns

# Everything loaded so far lives as long as the process: keep it out of the garbage
# collector's scans (and, with gunicorn --preload, shared by the forked workers).
gc.freeze()
