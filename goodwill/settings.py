"""Goodwill settings: everything comes from the environment (see CONTRACTS.md)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None or raw == "":
        return default
    # Exactly these four spellings: a typo such as "ture" or "no" must not silently mean False.
    if raw in ("1", "True"):
        return True
    if raw in ("0", "False"):
        return False
    raise ImproperlyConfigured(f"{name} must be True/False (or 1/0), not {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DATA_DIR = Path(env("GOODWILL_DATA_DIR", "./data") or "./data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env("GOODWILL_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Written whole to a temporary file, then linked into place: link() fails if the key
        # exists, so two processes starting at once agree on one key, and neither can ever read
        # a created-but-not-yet-written (empty) key file.
        fd, temporary = tempfile.mkstemp(dir=DATA_DIR, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, key_file)
        finally:
            os.unlink(temporary)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: delete it (sessions are signed out) or set GOODWILL_SECRET_KEY.")
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("GOODWILL_DEBUG", False)
ALLOWED_HOSTS = env_list("GOODWILL_ALLOWED_HOSTS", "127.0.0.1,localhost")
BASE_URL = (env("GOODWILL_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]
REDIS_URL = env("GOODWILL_REDIS_URL") or None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "goodwill.core",
    "goodwill.accounts",
    "goodwill.customers",
    "goodwill.conversations",
    "goodwill.channels.email",
    "goodwill.channels.portal",
    "goodwill.channels.webform",
    "goodwill.search",
    "goodwill.live",
    "goodwill.api",
    "goodwill.demo",
    "ninja",  # its templates and static files: Swagger UI served from here, not a CDN
    "csp",
    "goodwill.listening",
    "goodwill.data",
    "goodwill.callbacks",
    "goodwill.internal",
    "goodwill.voice",
    "goodwill.promises",
    "goodwill.memory",
    "goodwill.expectations",
    "goodwill.automation",
    "goodwill.webhooks",
    "goodwill.knowledge",
    "goodwill.recovery",
    "goodwill.insights",
    "goodwill.churn",
]
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "goodwill.core.security.PrivateByDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "goodwill.accounts.middleware.AgentTimezoneMiddleware",
]

ROOT_URLCONF = "goodwill.urls"
WSGI_APPLICATION = "goodwill.wsgi.application"
ASGI_APPLICATION = "goodwill.asgi.application"

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
            ],
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = env("GOODWILL_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'goodwill.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
# --- database memory and connections (search/scale: README "Running at scale") ---
SQLITE_CACHE_MB = int(env("GOODWILL_SQLITE_CACHE_MB", "12") or 12)
SQLITE_MMAP_MB = int(env("GOODWILL_SQLITE_MMAP_MB", "0") or 0)
# WAL checkpoints (core.checkpoints): the worker checkpoints every few seconds; the automatic one
# inside a commit is only a safety net for when no worker runs.
SQLITE_AUTOCHECKPOINT = int(env("GOODWILL_SQLITE_AUTOCHECKPOINT", "10000") or 0)
SQLITE_CHECKPOINT_SECONDS = float(env("GOODWILL_SQLITE_CHECKPOINT_SECONDS", "1") or 1)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at
        # BEGIN, so concurrent writers queue on busy_timeout instead of failing
        # with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
            # Memory per connection (README "Running at scale"): each web thread keeps
            # one connection, so a web process holds GOODWILL_WEB_THREADS page caches.
            # mmap'd pages count as the process's own memory in smaps, so it is off by
            # default; sorts and temporary tables spill to a file past the cache.
            f"PRAGMA mmap_size={SQLITE_MMAP_MB * 1024 * 1024};"
            f"PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024};"
            "PRAGMA temp_store=FILE;"
            f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT};"
        ),
    }
    _db["CONN_MAX_AGE"] = 600
    IS_SQLITE = True
else:
    _db["CONN_MAX_AGE"] = 60
    IS_SQLITE = False
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, tasks -----------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "goodwill",
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "goodwill_cache",
        }
    }
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }
# Fragments every page shows (the assignee datalist): kept in each web process's memory.
# In the database cache, reading an expired entry deletes it and refreshing it takes
# SQLite's write lock, so a page read could wait seconds behind incoming mail (#19).
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "goodwill-local"}
# Leases (core.leases): a task or send whose worker died runs again after this many seconds.
TASK_LEASE_SECONDS = float(env("GOODWILL_TASK_LEASE", "60") or 60)
DELIVERY_STUCK_AFTER = float(env("GOODWILL_DELIVERY_STUCK_AFTER", "") or 5 * TASK_LEASE_SECONDS)
QUEUE_MAX_AGE = float(env("GOODWILL_QUEUE_MAX_AGE", "300") or 300)  # /healthz/worker: oldest waiting task
TASK_SWEEPS = ["goodwill.channels.email.outbound.sweep_stuck_deliveries"]
# Database worker (core.batching): waiting tasks of a subscriber with a batch form run together, this many at most.
TASK_BATCH_LIMIT = int(env("GOODWILL_TASK_BATCH", "100") or 100)
if env_bool("GOODWILL_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Agent"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- sign-in limits, proxies, API tokens (security issue 10) ------------------
def _env_int(name: str, default: int) -> int:
    raw = env(name) or ""
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in env_list("GOODWILL_TRUSTED_PROXIES", ""):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"GOODWILL_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return networks


# Addresses/networks whose X-Forwarded-For is believed (goodwill.core.http.client_ip).
TRUSTED_PROXIES = _trusted_proxies()
# Colleagues: customers whose address is on these domains (and subdomains) are internal customers.
INTERNAL_EMAIL_DOMAINS = [
    d.strip().lower().lstrip("@") for d in (env("GOODWILL_INTERNAL_DOMAINS", "") or "").split(",") if d.strip()
]
AUTHENTICATION_BACKENDS = ["goodwill.accounts.backends.RateLimitedModelBackend"]
LOGIN_RATE_WINDOW = 15 * 60
LOGIN_RATE_LIMIT = _env_int("GOODWILL_LOGIN_RATE_LIMIT", 10)  # one account from one IP, per window
LOGIN_IP_RATE_LIMIT = _env_int("GOODWILL_LOGIN_IP_RATE_LIMIT", 30)  # failures from one IP, any account
PASSWORD_RESET_RATE_WINDOW = 60 * 60
PASSWORD_RESET_RATE_LIMIT = _env_int("GOODWILL_PASSWORD_RESET_RATE_LIMIT", 5)  # per address per hour
PASSWORD_RESET_IP_RATE_LIMIT = _env_int("GOODWILL_PASSWORD_RESET_IP_RATE_LIMIT", 20)  # per IP per hour
# --- end of security issue 10 settings ---------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- i18n, time -------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env("GOODWILL_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {  # type: ignore[dict-item]
            "bucket_name": env("GOODWILL_S3_BUCKET"),
            "endpoint_url": env("GOODWILL_S3_ENDPOINT_URL"),
            "access_key": env("GOODWILL_S3_ACCESS_KEY"),
            "secret_key": env("GOODWILL_S3_SECRET_KEY"),
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024


# --- email out ----------------------------------------------------------------
def _email_settings(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in ("smtp", "smtps"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": query.get("starttls") in ("1", "true", "True"),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_TIMEOUT": 30,
        }
    raise ImproperlyConfigured(f"GOODWILL_EMAIL_URL: unsupported scheme {parsed.scheme!r}")


EMAIL_URL = env("GOODWILL_EMAIL_URL", "console://") or "console://"
globals().update(_email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env("GOODWILL_FROM_EMAIL", "support@goodwill.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Inbound caps: beyond them a message is quarantined (reason "parts"), its raw bytes kept.
GOODWILL_EMAIL_MAX_PARTS = int(env("GOODWILL_EMAIL_MAX_PARTS", "500") or "500")
GOODWILL_EMAIL_MAX_ATTACHMENTS = int(env("GOODWILL_EMAIL_MAX_ATTACHMENTS", "100") or "100")

# --- logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"goodwill": {"level": "INFO"}},
}

# --- security headers (issue 10) ----------------------------------------------------------
# Every page, the admin and the API docs included, runs only the scripts and styles served
# from /static/: no inline code, no eval, nothing from another origin.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
IS_HTTPS = BASE_URL.startswith("https://")
# HSTS tells browsers to use HTTPS only, for this long; on whenever the base URL is HTTPS.
SECURE_HSTS_SECONDS = int(env("GOODWILL_HSTS_SECONDS", str(365 * 24 * 3600 if IS_HTTPS else 0)) or 0)
# Subdomains of Goodwill's own host (help.example.com covers *.help.example.com only).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GOODWILL_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
# Only a signal of consent: nothing is preloaded unless the owner submits the domain.
SECURE_HSTS_PRELOAD = env_bool("GOODWILL_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# Plain-HTTP requests are redirected to HTTPS. Behind a proxy that ends TLS, the proxy must
# send "X-Forwarded-Proto: https" (overwriting any the client sent), or this must be False,
# or every request is redirected again and again. Believing the header is harmless when it
# is forged: Django reads it only for is_secure(), so a client who sends it over plain HTTP
# merely skips its own redirect (and meets stricter CSRF checks).
SECURE_SSL_REDIRECT = env_bool("GOODWILL_SSL_REDIRECT", IS_HTTPS)
if IS_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # local health checks speak plain HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Uploads: files go to a temporary file on disk as they arrive, never wholly into memory, and
# goodwill.core.uploads counts them (number and total size per request) before they are stored.
FILE_UPLOAD_HANDLERS = [
    "goodwill.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_FILES = 10  # per request, portal and composer alike
UPLOAD_MAX_FILE_BYTES = 20 * 1024 * 1024
UPLOAD_MAX_TOTAL_BYTES = 25 * 1024 * 1024

# Promise ledger (goodwill/promises): how long before a promise's due time its owner is reminded.
GOODWILL_PROMISE_REMIND_MINUTES = int(env("GOODWILL_PROMISE_REMIND_MINUTES", "120") or 120)
# --- Customer memory (goodwill/memory) ---
# The greeting hint reminds of an important date this many days ahead.
GOODWILL_MEMORY_REMINDER_DAYS = 14
# --- listening ---------------------------------------------------------------------
# Callables (dotted paths) the worker runs once at start, so the first task is not slow.
WORKER_WARM_UP = ["goodwill.listening.engine.warm_up"]
# --- webhooks (automation issue 16): see README "Webhooks" ----------------------------------
WEBHOOK_TIMEOUT = float(env("GOODWILL_WEBHOOK_TIMEOUT", "10") or 10)  # seconds per connect/read
WEBHOOK_RESPONSE_LIMIT = 64 * 1024  # bytes of an answer read, at most
WEBHOOK_ATTEMPTS = 8  # tries per delivery, with exponential backoff from WEBHOOK_BACKOFF seconds
WEBHOOK_BACKOFF = 30.0
WEBHOOK_MAX_FAILURES = 10  # failed attempts in a row that switch a webhook off (admins are told)


# Webhooks post only to public addresses (webhooks/guard.py). Networks listed here (CIDR, comma
# separated, e.g. "10.20.0.0/16,127.0.0.1/32") are allowed too, for an internal receiver.
def _webhook_allow_private() -> list[str]:
    networks = []
    for item in env_list("GOODWILL_WEBHOOK_ALLOW_PRIVATE", ""):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"GOODWILL_WEBHOOK_ALLOW_PRIVATE: {item!r} is not a network (CIDR)"
            ) from None
    return networks


WEBHOOK_ALLOW_PRIVATE = _webhook_allow_private()
# --- data exports built by the worker (goodwill/data/export_files.py) ---------------------------
DATA_EXPORT_KEEP_HOURS = _env_int("GOODWILL_EXPORT_KEEP_HOURS", 48)  # a finished ZIP, then deleted
DATA_EXPORT_LEASE_SECONDS = 1800  # a build not finished by then is taken over by another worker
