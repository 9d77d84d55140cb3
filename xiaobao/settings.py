"""Xiaobao settings: one env-driven module (see .env.example for every variable)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEBUG = env_bool("XIAOBAO_DEBUG", False)
TESTING = env_bool("XIAOBAO_TESTING", False) or "PYTEST_VERSION" in os.environ
DATA_DIR = Path(os.environ.get("XIAOBAO_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()
if TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
    # The suite runs in parallel workers (pytest-xdist): each has its own files (media, vault keys, SQLite).
    DATA_DIR = DATA_DIR / os.environ["PYTEST_XDIST_WORKER"]
DATA_DIR.mkdir(parents=True, exist_ok=True)

_secret = os.environ.get("XIAOBAO_SECRET_KEY", "")
if not _secret:
    if not (DEBUG or TESTING):
        raise RuntimeError("XIAOBAO_SECRET_KEY is required when XIAOBAO_DEBUG is off (see .env.example)")
    _secret = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = _secret

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("XIAOBAO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("XIAOBAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "django_htmx",
    "template_partials",
    "xiaobao.core",  # before django_tasks_db: its `db_worker` (with a heartbeat) takes that one's place
    "django_tasks",
    "django_tasks_db",
    "xiaobao.casework",
    "xiaobao.complaints",
    "xiaobao.analytics",
    "xiaobao.early_warning",
    "xiaobao.reports",
    "xiaobao.imports",
    "xiaobao.inspections",
    "xiaobao.rectification",
    "xiaobao.sales_recording",
    "xiaobao.checker",
    "xiaobao.review",
    "xiaobao.fees",
    "xiaobao.training",
    "xiaobao.exams",
    "xiaobao.education",
    "xiaobao.surveys",
    "xiaobao.special_services",
    "xiaobao.governance",
    "xiaobao.policies",
    "xiaobao.desk",
    "xiaobao.notes",
    "xiaobao.case_library",
    "xiaobao.classification",
    "xiaobao.directory",
    "xiaobao.portal",
    "xiaobao.outreach",
    "xiaobao.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xiaobao.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xiaobao.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "xiaobao.urls"
WSGI_APPLICATION = "xiaobao.wsgi.application"

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
                "django.template.context_processors.i18n",
                "xiaobao.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{DATA_DIR / 'xiaobao.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if TESTING:
        # A file (not :memory:) so tests can prove no plaintext personal data reaches the database file.
        DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("XIAOBAO_DB_CONN_MAX_AGE", 60)
    # Memory per sort / bitmap of one query: a text search that matches a fifth of a million complaints
    # keeps an exact bitmap (64 MB: 7.7 s instead of 167 s at 1M, docs/benchmarks.md) rather than a lossy
    # one that re-extracts every candidate's bigrams.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c work_mem={os.environ.get('XIAOBAO_DB_WORK_MEM', '64MB')}"
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "xiaobao.core.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions: expire after inactivity (seconds) and on browser close.
SESSION_COOKIE_AGE = env_int("XIAOBAO_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Directory sign-in (LDAP / Active Directory, OpenID Connect): XIAOBAO_LDAP_URI, XIAOBAO_OIDC_ISSUER and the
# other directory variables (.env.example) are read by xiaobao.directory.conf, which sets the AUTH_LDAP_* and
# OIDC_* settings and AUTHENTICATION_BACKENDS when a directory or a provider is configured.
from xiaobao.directory.conf import configure as _configure_directory  # noqa: E402

_configure_directory(globals())

# The address consumers reach the public pages at (https://xiaobao.example-bank.cn): links in notices to
# complainants; without it they carry the path alone.
PUBLIC_BASE_URL = os.environ.get("XIAOBAO_PUBLIC_BASE_URL", "").rstrip("/")

# Requests the server makes to addresses it is given (webhooks, the SMS gateway): http(s) only; loopback,
# private and link-local addresses (cloud metadata at 169.254.169.254) are refused unless a host or network
# is listed here (comma-separated host names, addresses or CIDR networks).
OUTBOUND_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("XIAOBAO_OUTBOUND_ALLOWED_HOSTS", "").split(",") if h.strip()
]

# Login throttling: after N failures for one username or one address within the window, refuse logins
# for the window. Counted from the audit trail (failed-login rows).
LOGIN_FAILURE_LIMIT = env_int("XIAOBAO_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("XIAOBAO_LOGIN_FAILURE_WINDOW", 15 * 60)
REQUIRE_2FA_FOR_ADMINS = env_bool("XIAOBAO_REQUIRE_2FA_FOR_ADMINS", False)

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("XIAOBAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("XIAOBAO_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("XIAOBAO_MEDIA_ROOT", str(DATA_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Background tasks (django-tasks backport of django.tasks) ------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Cache ------------------------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("XIAOBAO_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["XIAOBAO_REDIS_URL"],
    }

# --- Personal-data vault ----------------------------------------------------------------------------
# Keys: a JSON key file {"active": "k2", "keys": {"k1": "<base64 32 bytes>", ...}, "blind_index": "<b64>"}
# or the same values from environment variables. In DEBUG/TESTING a development key derived from
# SECRET_KEY is used when none is configured; `xiaobao check --deploy` refuses that.
VAULT_KEY_FILE = os.environ.get("XIAOBAO_VAULT_KEY_FILE", "")
VAULT_KEYS = os.environ.get("XIAOBAO_VAULT_KEYS", "")  # "k1:<b64>,k2:<b64>"
VAULT_ACTIVE_KEY = os.environ.get("XIAOBAO_VAULT_ACTIVE_KEY", "")
VAULT_BLIND_INDEX_KEY = os.environ.get("XIAOBAO_VAULT_BLIND_INDEX_KEY", "")
# Masking: characters kept at the start and the end per kind (JR/T 0171 Annex A patterns are UNCONFIRMED,
# so these are configuration). Override with XIAOBAO_MASKING='{"phone": [3, 4]}'.
VAULT_MASKING = {
    "id_number": [6, 4],
    "phone": [3, 4],
    "account_number": [6, 4],
    "address": [6, 0],
    "name": [1, 0],
    "email_local": [1, 0],  # an e-mail address: its mailbox (before @); the domain stays
}
if os.environ.get("XIAOBAO_MASKING"):
    import json as _json

    VAULT_MASKING.update(_json.loads(os.environ["XIAOBAO_MASKING"]))

# --- Security ---------------------------------------------------------------------------------------
HTTPS = env_bool("XIAOBAO_HTTPS", not DEBUG and not TESTING)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("XIAOBAO_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("XIAOBAO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("XIAOBAO_BEHIND_PROXY", False) else None
)
# How many proxies in front of the application append to X-Forwarded-For: the client's address is the entry
# the outermost of them appended (the Nth from the right); 0 = the peer's address, the header is ignored.
# Default: 1 behind a proxy (XIAOBAO_BEHIND_PROXY), else 0.
TRUSTED_PROXIES = env_int("XIAOBAO_TRUSTED_PROXIES", 1 if env_bool("XIAOBAO_BEHIND_PROXY", False) else 0)
# Content-Security-Policy on every response (SecurityHeadersMiddleware): scripts only from our own static
# files, never inline or eval'd; inline *styles* stay allowed (style attributes in templates, ECharts' SVG,
# htmx's indicator style) — they cannot run code. No frames, no plugins, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# /api/v1/openapi.json and /api/v1/docs without a login: only in development and under the test suite.
API_SCHEMA_PUBLIC = env_bool("XIAOBAO_API_SCHEMA_PUBLIC", DEBUG or TESTING)
# API lists: at most 1,000 rows a page (a larger `limit` is a 422, not a database overflow).
NINJA_PAGINATION_MAX_LIMIT = 1000
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Logging: structured, and every record passes the personal-data redaction filter -----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_pii": {"()": "xiaobao.core.vault.logging.RedactPersonalDataFilter"}},
    "formatters": {
        "plain": {
            "()": "xiaobao.core.vault.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "xiaobao.core.vault.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # structured (one JSON object per line) in production, readable text in development
            "formatter": os.environ.get("XIAOBAO_LOG_FORMAT") or ("plain" if DEBUG or TESTING else "json"),
            "filters": ["redact_pii"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("XIAOBAO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # the development server's request lines: through the redacting handler, not Django's default one
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Xiaobao ----------------------------------------------------------------------------------------
INSTITUTION_NAME = os.environ.get("XIAOBAO_INSTITUTION_NAME", "Xiaobao")
EMAIL_BACKEND = os.environ.get("XIAOBAO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("XIAOBAO_FROM_EMAIL", "xiaobao@localhost")
# SMTP, for XIAOBAO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (notifications, password-reset
# links). The mail server the bank's intranet relays through.
EMAIL_HOST = os.environ.get("XIAOBAO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("XIAOBAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("XIAOBAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("XIAOBAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("XIAOBAO_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("XIAOBAO_EMAIL_TIMEOUT", 30)
# Self-service password reset ("Forgot password?" on the login page): the e-mailed link works once and for
# this many minutes; at most PASSWORD_RESET_LIMIT requests per address and per username/e-mail within the
# login throttle's window (LOGIN_FAILURE_WINDOW_SECONDS).
PASSWORD_RESET_TIMEOUT = env_int("XIAOBAO_PASSWORD_RESET_MINUTES", 60) * 60
PASSWORD_RESET_LIMIT = env_int("XIAOBAO_PASSWORD_RESET_LIMIT", 5)

# --- Complaints -------------------------------------------------------------------------------------
# Warnings before a deadline, in working days (the sweeper sends one per level), and the hours in which
# notifications are e-mailed (institution time zone, working days only).
SLA_WARN_WORKING_DAYS = tuple(
    int(x) for x in os.environ.get("XIAOBAO_SLA_WARN_DAYS", "3,1").split(",") if x.strip()
)
SLA_WORKING_HOURS = tuple(int(x) for x in os.environ.get("XIAOBAO_SLA_WORKING_HOURS", "9,18").split(","))
# A decision needs approval when the amount in dispute reaches this (besides major and forwarded cases).
COMPLAINT_APPROVAL_AMOUNT = os.environ.get("XIAOBAO_COMPLAINT_APPROVAL_AMOUNT", "50000")
# Redress at or above this amount must be approved ("approve the redress") before the case is closed;
# empty = approval is recorded when given but not required.
REDRESS_APPROVAL_AMOUNT = os.environ.get("XIAOBAO_REDRESS_APPROVAL_AMOUNT", "")
ATTACHMENT_MAX_BYTES = env_int("XIAOBAO_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
# A complaint is a repeat when the same complainant complained about the same business type within this
# many days before; statistics count repeat and secondary complaints with this window.
REPEAT_WINDOW_DAYS = env_int("XIAOBAO_REPEAT_WINDOW_DAYS", 90)

# --- Early warning ----------------------------------------------------------------------------------
# Spikes: a unit's daily count per top-level business type against its own Poisson limit (see
# xiaobao/early_warning/rules.py): alarm when count >= max(MIN_COUNT, Poisson(baseline) upper limit at
# 1 - ALPHA); baseline = mean of the previous BASELINE_DAYS days (of the same day type when SAME_DAY_TYPE),
# floored at MIN_BASELINE per day; LEVELS = the unit kinds watched (each counts its whole subtree).
WARNING_SPIKE_ALPHA = float(os.environ.get("XIAOBAO_WARNING_SPIKE_ALPHA", "0.001"))
WARNING_SPIKE_MIN_COUNT = env_int("XIAOBAO_WARNING_SPIKE_MIN_COUNT", 5)
WARNING_SPIKE_BASELINE_DAYS = env_int("XIAOBAO_WARNING_SPIKE_BASELINE_DAYS", 28)
WARNING_SPIKE_MIN_BASELINE = float(os.environ.get("XIAOBAO_WARNING_SPIKE_MIN_BASELINE", "0.5"))
WARNING_SPIKE_SAME_DAY_TYPE = env_bool("XIAOBAO_WARNING_SPIKE_SAME_DAY_TYPE", True)
WARNING_SPIKE_LEVELS = tuple(
    x.strip()
    for x in os.environ.get("XIAOBAO_WARNING_SPIKE_LEVELS", "head_office,branch,sub_branch,outlet").split(",")
    if x.strip()
)
# Repeat complainant: the same person with at least REPEAT_MIN complaints within REPEAT_DAYS days.
WARNING_REPEAT_MIN = env_int("XIAOBAO_WARNING_REPEAT_MIN", 3)
WARNING_REPEAT_DAYS = env_int("XIAOBAO_WARNING_REPEAT_DAYS", 30)
# Group complaints from this many people; sensitivity tags that raise a warning (comma-separated).
WARNING_GROUP_MIN_PEOPLE = env_int("XIAOBAO_WARNING_GROUP_MIN_PEOPLE", 5)
WARNING_SENSITIVE_TAGS = tuple(
    x.strip()
    for x in os.environ.get(
        "XIAOBAO_WARNING_SENSITIVE_TAGS", "public_opinion,judicial,petition,aggressive"
    ).split(",")
    if x.strip()
)
# Open complaints whose decision is due within this many working days warn the unit's officers.
WARNING_NEAR_BREACH_WORKING_DAYS = env_int("XIAOBAO_WARNING_NEAR_BREACH_WORKING_DAYS", 1)

# --- Bulk import of historical complaints ------------------------------------------------------------
# Largest file (MB) and most data rows one import accepts (.xlsx or CSV).
IMPORT_MAX_BYTES = env_int("XIAOBAO_IMPORT_MAX_MB", 50) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("XIAOBAO_IMPORT_MAX_ROWS", 200_000)
# An uploaded workbook (.xlsx) is refused before it is opened when its parts unpack to more than this, or one
# part is compressed more than this ratio (a zip bomb); see core.validators.check_zip_bounds.
UPLOAD_MAX_UNZIPPED_BYTES = env_int("XIAOBAO_UPLOAD_MAX_UNZIPPED_MB", 500) * 1024 * 1024
UPLOAD_MAX_COMPRESSION_RATIO = env_int("XIAOBAO_UPLOAD_MAX_COMPRESSION_RATIO", 200)
MEDIA_URL = "/media/"

# Issue 16's public survey page and education reminders (see .env.example).
SURVEYS_PUBLIC_PER_MINUTE = env_int("XIAOBAO_SURVEYS_PUBLIC_PER_MINUTE", 60)
SURVEYS_NONCE_MAX_AGE = env_int("XIAOBAO_SURVEYS_NONCE_MAX_AGE", 24 * 3600)
EDUCATION_REPORT_REMINDER_DAYS = env_int("XIAOBAO_EDUCATION_REPORT_REMINDER_DAYS", 7)
