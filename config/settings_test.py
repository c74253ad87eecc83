"""Settings for the test suite: the project's settings with what tests need changed.

pytest uses this module (pyproject.toml); nothing else should. Browser tests serve the
project with the real settings (config.settings) in a separate process.
"""

import os

# A developer's demo `.env` must not change how the suite runs.
os.environ["BURON_ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-in-production")

from config.settings import *  # noqa: F403

# Plain HTTP and static files straight from the apps, as with the development server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, in the request that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A fast hasher keeps the suite quick; production keeps Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
