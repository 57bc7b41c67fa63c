"""Settings for the tracker, read from the environment only (every variable is listed in .env.example).

Defaults are the safe production ones, except where noted: with nothing set, the tracker uses a SQLite file and
a filesystem broker under ``var/`` so that ``make run`` needs no server; ``DEBUG`` is off unless asked for.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# `make run` writes a local, git-ignored .env (DEBUG=1, a generated key, the embedded database and broker), so that
# every README command (manage.py, celery, the tests) works in a new shell. The environment always wins over the
# file; a deployment has no such file (the image never copies it) and still refuses to start without a key.
# TRACKER_ENV_FILE names another file; a path that does not exist means none.
ENV_FILE = Path(os.environ.get("TRACKER_ENV_FILE") or BASE_DIR / ".env")
if ENV_FILE.is_file():
    load_dotenv(ENV_FILE, override=False)
VAR_DIR = Path(os.environ.get("TRACKER_VAR_DIR", BASE_DIR / "var"))


# --- typed environment helpers: refuse nonsense instead of guessing -------------------------------------------


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- core -----------------------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)


# Commands that only read the code (models and migrations) and never sign anything: they run without a key, so a
# bare checkout can be checked (`manage.py makemigrations --check`) with no environment at all. SECRET_KEY stays
# empty for them, and Django refuses any use of an empty one.
_KEYLESS_COMMANDS = frozenset({"makemigrations", "sqlmigrate", "showmigrations"})


def _keyless_command() -> bool:
    return Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] != [] and sys.argv[1] in _KEYLESS_COMMANDS


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG and _keyless_command():
        return ""
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
    # Development only: a random key kept under var/ so sessions survive restarts of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "corsheaders",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "csp",  # Content-Security-Policy header (see the security block at the end)
    "axes",  # sign-in attempts counted, repeated failures locked out
    # Ours last, so that every other app's permissions exist when the tracker's groups are set up.
    "ingest",
    "tracker",
    "tracker.api",
    "alerts",  # Atom feeds and e-mail alerts of status changes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer by itself (errors below, CommonMiddleware), so those answers carry CORS too.
    "tracker.api.cors.ReadOnlyCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that cannot be reached: 503 with Retry-After, not a 500 (tests/test_faults_postgres_restart.py).
    "tracker.errors.DatabaseUnavailableMiddleware",
    # NUL, lone surrogates and other controls in a path, query, form or JSON body: a 400 before any view runs.
    "tracker.middleware.InvalidCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the switcher's cookie, else Accept-Language (after sessions, before CommonMiddleware,
    # as Django's i18n docs ask). Data (CSV, API, feeds) never depends on it.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.pages.context.pages",
                "tracker.opendata.context.open_data",
            ],
            # The status pages' template tags (links that keep the as-of moment, status symbols).
            "libraries": {"pages": "tracker.pages.templatetags"},
        },
    },
]

# --- database -------------------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    # WAL and immediate transactions let the web server, worker and beat share one file without
    # "database is locked" errors under ordinary load.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # A dropped connection is noticed before use instead of failing the request that inherits it.
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
    # No JIT: our queries are short index walks whose plans cost just above jit_above_cost, where compiling them
    # took longer than running them (the dashboard's disputes query: 45 ms of JIT for 80 ms of work; issue 16).
    _db["OPTIONS"].setdefault("options", "-c jit=off")
else:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://) or SQLite (sqlite:///)")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before the password is checked (both sign-in pages).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- i18n, time -----------------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The interface's languages (issue 17): Arabic is right-to-left; templates/base.html sets <html lang dir> from the
# active one. Terms follow docs/GLOSSARY.md; catalogues live in locale/ and `make setup` compiles them.
# English names, as Django expects (its catalogues translate them); the switcher shows each in its own language.
LANGUAGES = [("en", "English"), ("ar", "Arabic"), ("fr", "French")]
# Then locale-vendor/: third-party apps' languages they lack (kept apart: `make messages` would drop their msgids).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale-vendor"]
# The switcher's choice is kept a year; it names a language and nothing else.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- security (production defaults; `manage.py check --deploy` is clean with DEBUG=0) -------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Celery ---------------------------------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
_broker_scheme = urlsplit(CELERY_BROKER_URL).scheme
if _broker_scheme == "filesystem":
    # The embedded broker: messages are files under var/, so `make run` needs no server.
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    _control_dir = VAR_DIR / "broker" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
elif _broker_scheme in {"redis", "rediss"}:
    # Must exceed the hard time limit of every task, or a slow task is redelivered while still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)}
    # Each worker also reads a queue of its own: the heartbeat reaches every worker through its consumer
    # (tracker/tasks.py), so one that stops consuming shows stale.
    CELERY_WORKER_DIRECT = True
else:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be redis://, rediss:// or filesystem://")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=5)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Webhook work has its own queue and worker (`celery worker -Q webhooks`), so a partner's slow receiver can never
# take the slots that ingestion needs.
CELERY_TASK_ROUTES = {
    "tracker.api.tasks.webhook_deliver": {"queue": "webhooks"},
    "tracker.api.tasks.webhooks_sweep": {"queue": "webhooks"},
    # E-mail alerts stay on the default queue, with ingestion: SMTP has a time-out (EMAIL_TIMEOUT), a partner's
    # receiver is what the webhooks worker is kept apart from.
    "alerts.tasks.*": {"queue": "celery"},
}
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT")
if (
    "visibility_timeout" in CELERY_BROKER_TRANSPORT_OPTIONS
    and int(CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]) <= CELERY_TASK_TIME_LIMIT  # type: ignore[call-overload]
):
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT")

# A worker that has not beaten within this many seconds is reported stale by /readyz.
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 300, minimum=60)

# --- the tracker's own knobs ----------------------------------------------------------------------------------

# A status row may be recorded as taking effect at most this far in the future (clock skew between sources).
STATUS_MAX_FUTURE_SKEW_MINUTES = 5
# Where the tests and load_demo look for data that lives beside the repository, not in it.
SHARED_FIXTURES_DIR = Path(env_str("SHARED_FIXTURES_DIR") or BASE_DIR.parent / "shared" / "fixtures")

# --- cache: shared by every process when CACHE_URL names Redis (API throttling counts per token across workers) -

CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and urlsplit(CACHE_URL).scheme in {"redis", "rediss"}:
    CACHES = {"default": {"BACKEND": "tracker.caching.RedisCache", "LOCATION": CACHE_URL}}  # Django's, clients reused
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be redis:// or rediss:// (or unset for a per-process memory cache)")
else:
    # One process (make run, tests): an in-memory cache is exact. Several processes need CACHE_URL (with DEBUG off,
    # `manage.py check --deploy` says so: tracker/checks.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- outgoing HTTP (tracker/outbound.py): ingestion and webhooks ----------------------------------------------

# Hosts (or host:port) that may be reached even though they resolve to private addresses; tests use it for their
# local servers, `make run` for the demo feed the app serves itself.
OUTBOUND_ALLOWED_HOSTS = [h.lower() for h in env_list("INGEST_ALLOWED_HOSTS")]
OUTBOUND_MAX_BYTES = env_int("INGEST_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
OUTBOUND_CONNECT_TIMEOUT = env_int("OUTBOUND_CONNECT_TIMEOUT", 5, minimum=1, maximum=60)
OUTBOUND_READ_TIMEOUT = env_int("OUTBOUND_READ_TIMEOUT", 20, minimum=1, maximum=300)
OUTBOUND_TOTAL_TIMEOUT = env_int("OUTBOUND_TOTAL_TIMEOUT", 60, minimum=1, maximum=600)
OUTBOUND_USER_AGENT = "SituationTracker/0.1 (humanitarian situation tracker; feed and API reader)"

# --- partner API (tracker/api): REST framework, OpenAPI, tokens, throttling, webhooks -----------------------------

# A JSON body larger than this, or nested deeper, is a 400 (tracker/api/parsers.py).
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_BYTES", 1024 * 1024, minimum=1024)
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32, minimum=2, maximum=1000)
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.BearerTokenAuthentication",
        "tracker.api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tracker.api.permissions.ReadAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.PartnerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["tracker.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "tracker.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.negotiation.ApiContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # One form of time on every surface (tracker/timestamps.py): RFC 3339, UTC, seconds, "Z" (TIME_ZONE is UTC).
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Situation tracker: partner API",
    "DESCRIPTION": (
        "Crossings and their status per kind of traffic (now, or as of any moment), their history, aid disputes, "
        "evacuation agreements, the timeline, daily flow counts, reviewed reports, and one ordered change feed to "
        'sync from. Send `Authorization: Bearer <token>`. Errors are always `{"error": {"code", "message", '
        '"fields"}}`. Lists also come as CSV (with an HXL row), crossings as GeoJSON.'
    ),
    "VERSION": "1",
    # 3.1: nullable fields are JSON Schema's own `type: [..., "null"]` / `oneOf` with `{"type": "null"}`, which
    # strict validators, schemathesis and openapi-python-client read alike (3.0's `nullable` beside `allOf` is not).
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.finish_schema",
    ],
}
# Anonymous callers get 401 unless this opens reading to everyone (writes always need an editor).
API_ANONYMOUS_READ = env_bool("API_ANONYMOUS_READ", False)
# Per token (per account for staff sessions, per address for anonymous readers): "600/minute", "10/second" ...
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1, maximum=500)
API_MAX_PAGE_SIZE = 500
API_FEED_PAGE_SIZE = 100
API_FEED_MAX = 1000
API_CSV_CHUNK = 2000
# A token's last-used time is written at most this often (seconds), not on every request.
API_TOKEN_LAST_USED_INTERVAL = 60
# Last-Modified is sent only for data older than this (seconds): see tracker/api/conditional.py.
API_LAST_MODIFIED_SETTLE_SECONDS = 60 + 60 * STATUS_MAX_FUTURE_SKEW_MINUTES
# Webhook deliveries: attempts before giving up, pause after the first failure (doubling), longest pause, time-out.
API_WEBHOOK_MAX_ATTEMPTS = env_int("API_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1, maximum=50)
API_WEBHOOK_BACKOFF_BASE = env_int("API_WEBHOOK_BACKOFF_BASE", 30, minimum=1)
API_WEBHOOK_BACKOFF_MAX = env_int("API_WEBHOOK_BACKOFF_MAX", 3600, minimum=1)
API_WEBHOOK_TIMEOUT = env_int("API_WEBHOOK_TIMEOUT", 10, minimum=1, maximum=60)
# Failed attempts in a row after which a webhook is paused; webhooks one token may register; POSTs in flight at
# once to one receiving host.
API_WEBHOOK_PAUSE_AFTER = env_int("API_WEBHOOK_PAUSE_AFTER", 10, minimum=1, maximum=1000)
API_WEBHOOKS_PER_TOKEN = env_int("API_WEBHOOKS_PER_TOKEN", 10, minimum=1, maximum=1000)
API_WEBHOOK_HOST_CONCURRENCY = env_int("API_WEBHOOK_HOST_CONCURRENCY", 2, minimum=1, maximum=100)
# --- end of partner API ---------------------------------------------------------------------------------------

# --- open data (tracker/opendata): /data/, public downloads with a Frictionless Data Package -------------------

# Off by default: 1 publishes the reviewed record (crossings and status, history, flows, disputes, agreements) at
# /data/ as CSV with HXL and GeoJSON, without a token; off, every /data/ URL is a 404.
OPEN_DATA = env_bool("OPEN_DATA", False)
# Per client address (TRUSTED_PROXY_COUNT decides which address), counted in the shared cache like the API's.
OPEN_DATA_THROTTLE_RATE = env_str("OPEN_DATA_THROTTLE_RATE", "60/minute")
# Named as publisher and first source in datapackage.json and on the dataset pages (CC BY 4.0 asks users to name it).
OPEN_DATA_PUBLISHER = env_str("OPEN_DATA_PUBLISHER", "Situation tracker")

# --- logging: to stderr, so the process manager keeps it --------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Feed keys stand for an account and sit in URLs: masked in every line written (alerts/logs.py).
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["feed_keys"]}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "filters": {
        "header_defects": {"()": "tracker.outbound.HeaderDefectsWithoutTraceback"},
        "feed_keys": {"()": "alerts.logs.MaskFeedKeys"},
    },
    "loggers": {
        # runserver's access lines (make run), through the masking handler instead of Django's own.
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "urllib3.connection": {"filters": ["header_defects"]},
    },
}

# --- status pages (tracker/pages) -----------------------------------------------------------------------------

# Sign-in is required by default (editors, analysts, superusers); 1 lets anyone read the pages (relevant reports
# only, as for analysts).
PAGES_OPEN_TO_ANONYMOUS = env_bool("PAGES_OPEN_TO_ANONYMOUS", False)
# A status not stated again within this many days of the moment shown is marked stale.
STATUS_STALE_AFTER_DAYS = env_int("STATUS_STALE_AFTER_DAYS", 7, minimum=1, maximum=3650)

# --- ingestion (ingest/) --------------------------------------------------------------------------------------

# One entry larger than this (bytes, as served) is quarantined instead of stored.
INGEST_MAX_ENTRY_BYTES = env_int("INGEST_MAX_ENTRY_BYTES", 1024 * 1024, minimum=1024)
# Entries stored per transaction: fewer commits, and a worker lost mid-run redoes at most one batch.
INGEST_BATCH_SIZE = env_int("INGEST_BATCH_SIZE", 200, minimum=1, maximum=10_000)
# A failing source waits its poll interval doubled per failure in a row, at most this long (minutes).
INGEST_MAX_BACKOFF_MINUTES = env_int("INGEST_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1)
# Transient failures (time-outs, 5xx, 429) are retried by the task this many times, after BASE, 2*BASE ... seconds.
INGEST_TASK_MAX_RETRIES = env_int("INGEST_TASK_MAX_RETRIES", 3, minimum=0, maximum=20)
INGEST_RETRY_BASE_SECONDS = env_int("INGEST_RETRY_BASE_SECONDS", 30, minimum=1)
# The longest a task waits before retrying (seconds): a longer Retry-After moves the source's next poll instead.
# Below the broker's visibility timeout, or Redis would hand the waiting task to a second worker.
INGEST_MAX_RETRY_AFTER_SECONDS = env_int("INGEST_MAX_RETRY_AFTER_SECONDS", 600, minimum=1)
_visibility = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if _visibility is not None and int(_visibility) <= INGEST_MAX_RETRY_AFTER_SECONDS:  # type: ignore[call-overload]
    raise ImproperlyConfigured("INGEST_MAX_RETRY_AFTER_SECONDS must be below CELERY_VISIBILITY_TIMEOUT")
# A poll whose worker died this many times in a row is parked for an editor instead of tried again.
INGEST_PARK_AFTER_LOST_RUNS = env_int("INGEST_PARK_AFTER_LOST_RUNS", 3, minimum=1, maximum=100)
# A source that failed this many polls in a row is flagged on the admin index page.
INGEST_FLAG_AFTER_FAILURES = env_int("INGEST_FLAG_AFTER_FAILURES", 3, minimum=1)
# How long a worker may hold a source: longer than any task may run, so only a dead worker's lease expires.
INGEST_LEASE_SECONDS = CELERY_TASK_TIME_LIMIT + 60
# ReliefWeb's v2 API answers only pre-approved appnames; the demo's ReliefWeb source uses this one.
RELIEFWEB_APPNAME = env_str("RELIEFWEB_APPNAME", "situation-tracker-demo")
# The demo feed the app serves itself (tracker/static/demo/), polled by the demo source; follows `make run`'s PORT.
DEMO_FEED_URL = env_str("DEMO_FEED_URL") or (
    f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}/static/demo/rafah-kerem-shalom-feed.xml"
)

# --- e-mail and alerts (alerts/) -------------------------------------------------------------------------------

# Alerts are mailed through Django's e-mail. Default: SMTP at EMAIL_HOST. `make run`'s .env sets the file backend,
# which writes each message under var/outbox/ (shown at /admin/outbox/); nothing leaves the machine.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "outbox")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one")
# Seconds before an SMTP server that does not answer fails the attempt (retried later), instead of holding a worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1, maximum=300)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Situation tracker <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address links in e-mails start with (messages are written away from any request).
ALERTS_SITE_URL = env_str("ALERTS_SITE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}"
if urlsplit(ALERTS_SITE_URL).scheme not in {"http", "https"} or not urlsplit(ALERTS_SITE_URL).hostname:
    raise ImproperlyConfigured(f"ALERTS_SITE_URL must be an http(s) address, got {ALERTS_SITE_URL!r}")
# Daily digests go out at this hour (UTC).
ALERTS_DIGEST_HOUR = env_int("ALERTS_DIGEST_HOUR", 7, minimum=0, maximum=23)
# How long a sender holds a message it claimed; after that (its worker died) another sends it.
ALERTS_CLAIM_SECONDS = env_int("ALERTS_CLAIM_SECONDS", 300, minimum=30)
# A message the mail server refused this many times in a row is given up (shown in the admin); the pause between
# attempts starts at ALERTS_RETRY_BASE_SECONDS and doubles.
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", 8, minimum=1, maximum=100)
ALERTS_RETRY_BASE_SECONDS = env_int("ALERTS_RETRY_BASE_SECONDS", 60, minimum=1)

# --- security hardening (SECURITY.md): CSP, sign-in lockout, client address -------------------------------------

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline script or
# style anywhere (the admin, the pages, the API docs; tests/test_security_headers.py and the Chromium check in
# tests/browser/test_security_csp.py). data: images: the admin's and Swagger UI's CSS draw icons with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # One inline style attribute is let through by its hash: django-simple-history's history page writes
        # style="border-top: 0" on its paginator. 'unsafe-hashes' covers attributes whose hash is listed, no other.
        "style-src": ["'self'", "'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# How many proxies in front of us append to X-Forwarded-For. The client's address (for sign-in lockout) is the
# one the outermost of them saw; 0 means REMOTE_ADDR. Behind a TLS proxy a wrong value would make every sign-in
# come from the proxy's address, and one person's failures lock everyone out.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if SECURE_PROXY_SSL_HEADER else 0, minimum=0, maximum=5)
# The API's throttle reads the address by the same rule (tracker.security.client_ip); DRF is told the same count.
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT

# CORS (django-cors-headers, tracker/api/cors.py): browser tools on these origins (comma-separated, e.g.
# "https://tools.example.org") may GET and HEAD the API and its schema. None by default. No credentials: a browser
# sends the partner's bearer token itself; session cookies never go cross-origin.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "authorization", "if-none-match", "if-modified-since")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Last-Modified",
    "Link",
    "Location",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "Deprecation",
    "Sunset",
    "Content-Disposition",
)
CORS_PREFLIGHT_MAX_AGE = 3600

# Sign-in lockout (django-axes), on /admin/login/ and /accounts/login/ alike: after LOGIN_FAILURE_LIMIT failures
# for one username, or from one address, further attempts are refused (HTTP 429, the lockout page) for
# LOGIN_LOCKOUT_MINUTES. `manage.py axes_reset_username <name>` lifts a lockout early.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"
# Attempts are logged without the password; the username and address are what an investigation needs.
AXES_SENSITIVE_PARAMETERS = ["password"]
# Its start-up line and each failed sign-in, logged; `make run` turns it off to keep its terminal quiet.
AXES_VERBOSE = env_bool("AXES_VERBOSE", True)

# --- performance (bench/, README "Benchmarks") -------------------------------------------------------------------

# Full-text search ranks the most recent matches only, this many of them (a common word matches hundreds of
# thousands of reports; ranking them all reads every one). Every match stays reachable in date order.
SEARCH_RANK_WINDOW = env_int("SEARCH_RANK_WINDOW", 1000, minimum=50, maximum=100_000)
# GET answers of the API and the heaviest pages are cached under the record's version (tracker/caching.py), so a
# write is visible at once; this bounds how long an unused answer stays. 0 turns the cache off.
ANSWER_CACHE_SECONDS = env_int("ANSWER_CACHE_SECONDS", 600, minimum=0, maximum=86_400)
# How long a process waits for the page another one is building before building it itself.
ANSWER_BUILD_WAIT_SECONDS = env_int("ANSWER_BUILD_WAIT_SECONDS", 5, minimum=0, maximum=60)
# A web worker collects its youngest garbage after this many new objects rather than Python's 700, and freezes what
# it built while starting (tracker/runtime.py): a cold dashboard makes 400,000 objects, and the default passes walked
# them over and over. 700 gives Python's own behaviour back.
GC_GEN0_THRESHOLD = env_int("GC_GEN0_THRESHOLD", 10_000, minimum=100, maximum=1_000_000)
