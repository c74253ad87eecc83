"""Buron settings, driven by environment variables.

Every setting a deployment changes is read from the environment; the defaults give a working
demo on SQLite. See the README's "Configuration" section for the list.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Model admins, forms and sitemaps name their model as a type parameter (mypy strict); this
# lets those subscripts run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_local_env(path: Path) -> None:
    """Variables from a local `.env` (KEY=VALUE lines) that the environment does not set.

    `make demo` writes one (DEBUG=1 and a generated SECRET_KEY) so that the README's commands
    work as written on the demo; production sets real environment variables and has none.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


if os.environ.get("BURON_ENV_FILE", "-") != "":
    _read_local_env(Path(os.environ.get("BURON_ENV_FILE") or BASE_DIR / ".env"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "buron.accounts",  # before allauth: its account/*.html templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "buron.core",  # before django_tasks_db: its db_worker adds a heartbeat for /readyz
    "django_tasks",
    "django_tasks_db",
    "buron.places",
    "buron.offers",
    "buron.employers",
    "buron.booking",
    "buron.attendance",
    "buron.observatory",
    "buron.billing",
    "buron.audit",
    "buron.training",
    "buron.public",
    "buron.backoffice",
    "buron.demo",
    "buron.api",
    "csp",
]

MIDDLEWARE = [
    "buron.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "buron.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "buron.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "buron.accounts.mfa.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buron.public.context_processors.buron",
            ],
            "builtins": ["buron.core.templatetags.buron_dates"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (zero set-up), PostgreSQL through DATABASE_URL.
SQLITE_PATH = BASE_DIR / os.environ.get("SQLITE_NAME", "db.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue behind one another (IMMEDIATE takes the write lock at BEGIN) instead of
    # failing with "database is locked"; WAL lets readers go on while one writer writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file, not shared memory, so that threads racing for a desk each get their
    # own real connection (shared-cache memory databases lock whole tables instead).
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / os.environ.get("SQLITE_TEST_NAME", ".test-db.sqlite3"))
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED", True
):
    # Parameters sent apart from the SQL, and statements a connection runs often prepared
    # once: PostgreSQL then stops planning the booking's queries again at every request.
    # Set DATABASE_PREPARED=0 behind a pooler in transaction mode (PgBouncer), which cannot
    # keep a connection's prepared statements.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now
AUTH_USER_MODEL = "accounts.User"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"
FORMAT_MODULE_PATH = ["buron.core.formats"]

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
)
if os.environ.get("EMAIL_URL"):
    _email = urlparse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buron <noreply@buron.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Maps --------------------------------------------------------------------------------------
# Tiles come from a remote server; an empty value disables the tile layer (the list and the
# coordinate table still show everything).
BURON_TILE_URL = os.environ.get("BURON_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BURON_TILE_ATTRIBUTION = os.environ.get(
    "BURON_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)

# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Probes may come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not env_bool("SECURE_HSTS_PRELOAD", False) else []

# Content-Security-Policy: scripts and styles only from files of this site (no inline
# script or style), images also from the map's tile server.
_TILE_ORIGIN = urlparse(BURON_TILE_URL.replace("{s}", "*")) if BURON_TILE_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *([f"{_TILE_ORIGIN.scheme}://{_TILE_ORIGIN.netloc}"] if _TILE_ORIGIN else []),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# LOG_FORMAT=json: one JSON object per line; every line carries the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "buron.core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "buron.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Each refused or conflicting answer (4xx) is a WARNING of django.request, whose
    # level is Django's own unless set here: LOG_LEVEL=ERROR keeps only errors. (Setting
    # the "django" logger instead would reset its children, runserver's log among them.)
    "loggers": {"django.request": {"level": LOG_LEVEL}},
}

# --- Accounts (django-allauth): email login, mandatory verification, rate limits ------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "buron.accounts.forms.MemberSignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the sender's name says who writes
ACCOUNT_ADAPTER = "buron.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "buron.accounts.signup.MemberAccountSignupForm"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Two-factor authentication: an authenticator app (TOTP) and recovery codes; required for
# network administrators and superusers (buron/accounts/mfa.py), offered to site hosts.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Buron"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "booking:search"
ACCOUNT_LOGOUT_REDIRECT_URL = "public:home"

# --- Background tasks (django-tasks): the database queue, worked by `manage.py db_worker` --
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Cache ------------------------------------------------------------------------------------
# "default" is shared by every process (rate limits, login lockouts, API throttling must hold
# however many workers run): Redis when REDIS_URL is set, else a table of the database
# (created by a migration of buron.core; run `manage.py createcachetable` after switching
# from Redis back to it). "local" is each process's memory, for what may differ between
# processes and sits on the booking's hot path: a site's rules under version numbers and
# the "just taken" alternatives.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "buron")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "buron_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}
# How long the "just taken" answer's alternatives are reused for the same site, day and
# period (everyone who lost the same rush gets the same suggestions without a new search).
BOOKING_ALTERNATIVES_SECONDS = int(os.environ.get("BOOKING_ALTERNATIVES_SECONDS", "10"))
# How long a site's rules for a day (hours, closures, policy) are kept: any change to them
# is seen at once anyway (the keys carry versions raised by the change).
BOOKING_RULES_SECONDS = int(os.environ.get("BOOKING_RULES_SECONDS", "300"))

# /readyz fails when no background worker was seen for this long.
WORKER_STALE_SECONDS = int(os.environ.get("WORKER_STALE_SECONDS", "300"))
# --- Limits and abuse ----------------------------------------------------------------------------
# Proxies in front of the application that add themselves to X-Forwarded-For: the client's
# address (which per-address limits count) is read that many hops from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
# Failed logins: an account is locked after LOGIN_FAILURES_PER_ACCOUNT, an address after
# LOGIN_FAILURES_PER_ADDRESS (high enough for a telecentre whose members share one address),
# each within LOGIN_LOCKOUT_SECONDS. The admin signs in through the same login.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# Sign-in attempts (right or wrong) per address and minute: a room signing in at opening.
LOGINS_PER_ADDRESS_PER_MINUTE = int(os.environ.get("LOGINS_PER_ADDRESS_PER_MINUTE", "120"))
ACCOUNT_RATE_LIMITS = {
    "login": f"{LOGINS_PER_ADDRESS_PER_MINUTE}/m/ip",
    "login_failed": (
        f"{LOGIN_FAILURES_PER_ADDRESS}/{LOGIN_LOCKOUT_SECONDS}s/ip,"
        f"{LOGIN_FAILURES_PER_ACCOUNT}/{LOGIN_LOCKOUT_SECONDS}s/key"
    ),
}
# API calls per token in a window ("600/60s", "6000/h"; "off" for none): then 429 with
# Retry-After. Counted in Redis with REDIS_URL, else in one database row per token.
API_RATE_PER_TOKEN = os.environ.get("API_RATE_PER_TOKEN", "600/60s")
# The largest request body accepted (413 beyond), uploads included.
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(10 * 1024 * 1024)))

# Demo: a visible notice on every page when the loaded data is the demo network.
BURON_DEMO = env_bool("BURON_DEMO", False)

# Payments: the adapter recording them (offline by default: desk, transfer, cheque, public
# cash office); an online card provider's class and the secret its callbacks are signed
# with. "buron.billing.fakecard.FakeCardPayments" is a local fake, for tests and the demo.
BURON_PAYMENT_ADAPTER = os.environ.get(
    "BURON_PAYMENT_ADAPTER", "buron.billing.payments.OfflinePayments"
)
BURON_PAYMENT_SECRET = os.environ.get("BURON_PAYMENT_SECRET", "")

# Legal notice: the hosting provider's name, address and phone (several lines allowed).
BURON_HOSTING = os.environ.get("BURON_HOSTING", "")

# Error reporting: Sentry (or a compatible server) when SENTRY_DSN is set, nothing otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from buron.core.error_reporting import error_reporting_configure

    error_reporting_configure(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
    )
