"""
qasite settings: one file for every environment, configured by environment variables.

Development: `DEBUG=1` and nothing else (SQLite file, a throwaway secret key).
Production: `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL` at least; see README.md.
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.getenv(name, default))


def envlist(name, default=""):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "markdownx",
    "simple_history",
    # Apps by layer, each importing only those above it in this list (ARCHITECTURE.md).
    "citations",
    "answers",
    "delivery",
    "patient_site",
    "reports",
    "desk",
    # Only for its system checks on RATELIMIT_USE_CACHE (reports/rate_limit.py).
    "django_ratelimit",
    # Failed sign-ins counted per account and client; lockouts listed in the admin.
    "axes",
]

MIDDLEWARE = [
    # First: a cached public page is answered before anything else runs (page_cache.py).
    "delivery.page_cache.PageCacheMiddleware",
    # The page's language from its address alone (/es/…), never a cookie or a header; around
    # everything that resolves or renders.
    "delivery.middleware.PathLanguage",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (the CSRF check does): a too-large form gets a page.
    "delivery.middleware.refuse_oversized_posts",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A sign-in that django-axes refused becomes the wait page (AXES_LOCKOUT_CALLABLE), which
    # every middleware above then treats like any other response. Axes asks to be last; it
    # only reads what the login view left on the request, so the 503 page can stay innermost.
    "axes.middleware.AxesMiddleware",
    # Innermost, so it sees the views' database errors: a 503 page, never a traceback.
    "delivery.middleware.DatabaseUnavailable",
]
# What a public page (a `public_page` view: the same for everyone, no forms, no user) goes
# through: the page cache, the security headers, the 503 page. qasite.wsgi sends public
# pages here, so they pay for no session, CSRF or user middleware.
PUBLIC_MIDDLEWARE = [
    "delivery.page_cache.PageCacheMiddleware",
    "delivery.middleware.PathLanguage",
    # Public pages only: they hold no secret, so compressing them gives BREACH nothing to
    # find (the admin's pages, with CSRF tokens, stay uncompressed). The page cache keeps
    # the compressed and the plain page apart, reading Accept-Encoding as this does
    # (delivery/page_cache.py: `accepts_gzip`).
    "delivery.page_cache.PublicGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "delivery.middleware.PublicPageCSP",
    "delivery.middleware.DatabaseUnavailable",
]

ROOT_URLCONF = "qasite.urls"
WSGI_APPLICATION = "qasite.wsgi.application"

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
    },
]

# Without DATABASE_URL the site runs on an embedded SQLite file, so that a newcomer
# needs nothing installed. Production and the test suite use PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        # No health-check query per request: a query that fails on a dropped connection
        # is retried or served from the page cache instead (delivery/page_cache.py).
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A server that does not answer costs a request a few seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint(
        "DATABASE_CONNECT_TIMEOUT", "5"
    )
# Read replicas (delivery/replicas.py): signed-out visitors' pages are read from one that
# has replayed the last publication; the admin, writes and commands use the primary.
for number, url in enumerate(envlist("DATABASE_REPLICA_URLS", "")):
    DATABASES[f"replica{number}"] = dj_database_url.parse(
        url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=False
    )
    # A test run makes no test database on a replica (delivery/tests/test_replicas.py
    # starts a real standby of its own).
    DATABASES[f"replica{number}"]["TEST"] = {"MIRROR": "default"}
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["delivery.replicas.ReplicaRouter"]
    for stack in (MIDDLEWARE, PUBLIC_MIDDLEWARE):
        stack.insert(1, "delivery.replicas.ReplicaReads")  # after the page cache
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The page cache holds rendered public pages (delivery/page_cache.py); publication events
# empty it. Redis when REDIS_URL is set, shared by every app server; otherwise a cache in
# files on this machine, shared by all its workers (so one publication reaches them all).
REDIS_URL = os.getenv("REDIS_URL", "")
PAGE_CACHE_DIR = os.getenv("PAGE_CACHE_DIR", str(BASE_DIR / ".page-cache"))
# Every key and channel this site uses in Redis starts with this, so that two sites can share
# one server (each database number too). By default it is drawn from SECRET_KEY, which every
# app server of one site shares and no two sites do.
CACHE_KEY_PREFIX = os.getenv(
    "CACHE_KEY_PREFIX", "qasite-" + hashlib.sha256(SECRET_KEY.encode()).hexdigest()[:12]
)
# The file cache (without Redis) stops at this size, dropping the pages used least lately.
PAGE_CACHE_MAX_MB = envint("PAGE_CACHE_MAX_MB", "1024")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # A Redis that does not answer costs a page a second, not minutes: the page is
        # rendered (or served from the worker's memory) instead.
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    if REDIS_URL
    else {
        "BACKEND": "delivery.file_cache.BoundedFileCache",
        "LOCATION": PAGE_CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": 100_000, "MAX_BYTES": PAGE_CACHE_MAX_MB * 1024 * 1024},
    }
}
PAGE_CACHE_ALIAS = "default"
# Patient reports are rate limited per client (django-ratelimit) in a cache of their own,
# which needs an atomic increment: Redis when REDIS_URL is set; otherwise files beside the
# pages, counted under a file lock that every worker on this machine shares (Django's file
# cache has no atomic increment, django-ratelimit's check E003). See reports/rate_limit.py.
RATELIMIT_USE_CACHE = "ratelimit"
CACHES[RATELIMIT_USE_CACHE] = (
    {**CACHES["default"], "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-ratelimit"}
    if REDIS_URL
    else {
        "BACKEND": "reports.rate_limit.LockedFileCache",
        "LOCATION": os.path.join(PAGE_CACHE_DIR, "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)
# Both are correct (above), but neither is on django-ratelimit's short list (W001).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# The client a rate limit counts: the address the first proxy we trust saw, found by
# walking X-Forwarded-For from the right past these proxies (nginx and Varnish, on this
# machine by default; add a load balancer's address or subnet, e.g. "10.0.0.0/24").
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "127.0.0.1,::1")
RATELIMIT_IP_META_KEY = "reports.rate_limit.client_ip"
# A count that fails (a culled file, a key gone between add and incr) limits nobody.
RATELIMIT_FAIL_OPEN = True
# How many reports one client (one IPv4 address, or one IPv6 /64) may send: "5/10m".
REPORTS_RATE_LIMIT = os.getenv("REPORTS_RATE_LIMIT", "5/10m")
# Serve public pages from the page cache: 0 only to measure the app without it.
PUBLIC_PAGE_CACHE = envbool("PUBLIC_PAGE_CACHE", "1")
# Reverse proxies (Varnish, deploy/varnish/) told to drop their pages when one changes,
# e.g. "http://127.0.0.1:6081".
PROXY_PURGE_URLS = envlist("PROXY_PURGE_URLS")
# How long browsers and CDNs may keep a public page without asking again (Cache-Control
# max-age). 0, the default: they ask each time (a 304 when it has not changed), so a page
# taken down is gone for them at once; more lets them show it that long after a take-down.
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", "0")
# How long our own Varnish keeps a public page (Qasite-Cache-Control): it is purged on
# every publication event, so this only bounds how long a page can outlive a lost purge.
PROXY_CACHE_SECONDS = envint("PROXY_CACHE_SECONDS", "300")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one account
# from one client, that account is refused to that client, right password or not, until
# LOGIN_COOLOFF_MINUTES pass with no further try. Other clients can still sign in to it, so
# a guesser cannot lock a reviewer out. Counted in the database: the limit holds across
# gunicorn workers, app servers and restarts. Superusers lift a lock early by deleting it
# (Admin → Axes → Access attempts).
AUTHENTICATION_BACKENDS = [
    # Only this one (User.objects.with_perm needs one): axes' AxesBackend, whose lock is
    # checked before any password, then Django's ModelBackend, which refuses the demo
    # accounts' public passwords unless DEBUG.
    "desk.demo_accounts.DemoPasswordsRefusedBackend",
]
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", "15")
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be 1 or more.")
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # axes reads a float as hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client as the report rate limit finds it: X-Forwarded-For walked past TRUSTED_PROXIES,
# an IPv6 /64 counted as one client (it is one subscriber's).
AXES_CLIENT_IP_CALLABLE = "reports.rate_limit.client_network"
AXES_RESET_ON_SUCCESS = True
# A try while locked out counts too and starts the wait again, so the wait the page names
# is always exactly what is left.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# Every failure is also kept (up to 1,000 an account) after its lockout ends or is lifted.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "desk.login_limits.lockout_response"
AXES_USERNAME_CALLABLE = "desk.login_limits.username"  # cut to what axes can store
# No "AXES: BEGIN" line from every process: the cron commands' output stays theirs.
AXES_VERBOSE = False

# The site's default language: its pages keep their addresses without a prefix. Each other
# language's pages live under /<code>/ (answers/languages.py; BCP 47 tags, written as Django
# writes them, lower case). The name is each language's own, for the language switcher.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("es", "Español"), ("ar", "العربية")]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# django-markdownx: the live preview goes through qasite's own renderer (the one the
# public pages use) behind a staff-only view; image upload is switched off (see urls.py).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "answers.rendering.render_markdown"
MARKDOWNX_URLS_PATH = "/admin/markdown-preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdown-upload-disabled/"
MARKDOWNX_SERVER_CALL_LATENCY = 300

# Editor-entered Markdown larger than this is refused with a message, not rendered.
MARKDOWN_MAX_CHARS = envint("MARKDOWN_MAX_CHARS", "50000")

# Email: SMTP when EMAIL_HOST is set (production), else printed to the console (make run).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
# A step waits for its mail after commit: keep a slow mail server from holding a worker.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "5")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qasite <editorial@qasite.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# 0 sends no workflow notifications at all.
EMAIL_NOTIFICATIONS = envbool("EMAIL_NOTIFICATIONS", "1")
# The site's address, for links in mail: e.g. https://qasite.example
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# The readability target of each language's formula (answers/readability.py), by language
# subtag: shown to editors as they type and to reviewers when approving; advisory, never
# blocking. English: the US school grade (Flesch-Kincaid) each section should stay within.
# Spanish: the Szigriszt-Pazos reading ease it should reach (0-100, higher is easier; the
# INFLESZ scale for patient texts calls 55-65 "normal"). A language without a formula here
# (Arabic) is not graded.
READABILITY_TARGETS = {
    "en": envint("READING_GRADE_TARGET", "8"),
    "es": envint("READING_EASE_TARGET_ES", "55"),
}
# The English target, as the approve page's help text names it.
READING_GRADE_TARGET = READABILITY_TARGETS["en"]

# Content-Security-Policy (django-csp) on the public pages: no inline script, nothing
# from other origins. The admin, with its own inline styles, is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Security: production-safe unless DEBUG is on.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if os.getenv("SECURE_PROXY_SSL_HEADER", "1" if not DEBUG else "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0" if DEBUG else "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0" if DEBUG else "1")

# Error reports hide connection strings too (their passwords), wherever they appear.
DEFAULT_EXCEPTION_REPORTER_FILTER = "qasite.reporting.ReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # bibtexparser logs a warning per unreadable block: one bad paste, thousands of lines.
    "loggers": {"bibtexparser": {"level": "ERROR"}},
}

# Reference style: "ama" (American Medical Association, the default) or "vancouver".
CITATION_STYLE = os.getenv("CITATION_STYLE", "ama")
if CITATION_STYLE not in ("ama", "vancouver"):
    raise ImproperlyConfigured("CITATION_STYLE must be 'ama' or 'vancouver'.")

# Crossref asks API users for a contact address (its "polite pool"); lookups time out.
CROSSREF_MAILTO = os.getenv("CROSSREF_MAILTO", "")
# Where Crossref's REST API answers (bench/scale.py points it at recorded responses).
CROSSREF_API_URL = os.getenv("CROSSREF_API_URL", "https://api.crossref.org").rstrip("/")
LOOKUP_TIMEOUT_SECONDS = envint("LOOKUP_TIMEOUT_SECONDS", "10")

# An approved answer is due for a new medical review this many months later.
REVIEW_INTERVAL_MONTHS = envint("REVIEW_INTERVAL_MONTHS", "12")
# Who publishes the site, as answer pages name it (schema.org publisher).
PUBLISHER_NAME = os.getenv("PUBLISHER_NAME", "qasite")

# Old revisions are restored through the answer's own "restore as draft" (never in place).
SIMPLE_HISTORY_REVERT_DISABLED = True
