"""Linli settings: every knob is an environment variable, and the defaults run on SQLite with no services.

Like Healthchecks' hc/settings.py, one file serves the demo, the test suite and production; production
differs only by its environment.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from linli.core.keys import resolve as resolve_keys

# Lets admin and querysets be written with type parameters (ModelAdmin[Place]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The demo (`make run`, the test suite) is an explicit switch: LINLI_DEMO=1. Only there are missing keys
# generated, once, into var/demo-secrets.json; anywhere else a missing or public SECRET_KEY or missing
# FIELD_ENCRYPTION_KEYS stops the process here with a message that says what to set (linli/core/keys.py).
DEMO = env_bool("LINLI_DEMO", False)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1,http://localhost")

# Fernet keys for personal data at rest, newest first; older keys still decrypt, which is how keys rotate
# (put a new key first, run `manage.py rotate_field_keys`, then drop the old one). Never derived from SECRET_KEY.
# FIELD_DIGEST_KEY keys the digests that find personal data by exact value (a phone at login); its own key,
# so that rotating SECRET_KEY loses no lookups and a leaked SECRET_KEY does not open the digests.
SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_DIGEST_KEY = resolve_keys(
    os.environ, demo=DEMO, demo_file=BASE_DIR / "var" / "demo-secrets.json"
)

# HTTPS, for a TLS-terminating proxy in front: on by default outside the demo, each overridable.
# SECURE_PROXY_SSL_HEADER names the header the proxy sets to "https" (e.g. X-Forwarded-Proto); unset, none is trusted.
_PROXY_SSL_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEMO else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEMO)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEMO)

INSTALLED_APPS = [
    "linli.accounts.admin_site.LinliAdminConfig",  # the stock admin, behind Linli's login with two-factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "django_tasks_db",
    "linli.core",
    "linli.places",
    "linli.orgs",
    "linli.accounts",
    "linli.dispatch",
    "linli.api",
    "linli.worktime",
    "linli.notices",
    "linli.cases",
    "linli.people",
    "linli.assessment",
    "linli.timebank",
    "linli.resources",
    "linli.volunteers",
    "linli.services",
    "linli.projects",
    "linli.participation",
    "linli.open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy header, see CONTENT_SECURITY_POLICY below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "linli.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.core.context_processors.navigation",
                "linli.notices.context_processors.unread_notices",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'linli.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; the timeout waits out short locks
    # instead of failing a resident's submission with "database is locked". Transactions begin IMMEDIATE:
    # a deferred one that read first cannot wait for another writer when it comes to write (SQLite answers
    # "locked" at once), which two workers sweeping cases and folding their figures ran into.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any password check
    "django.contrib.auth.backends.ModelBackend",
    "linli.accounts.backends.PhoneCodeBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password lockout (django-axes): this many failures within the window lock the client out for the window.
# Counted per client address and per username at that address, never per username alone, so nobody can
# keep another person locked out from elsewhere, and one client cannot try many names.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# One-time codes for residents' phone login, sent through a pluggable backend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "linli.accounts.sms.LogSMSBackend")
PHONE_CODE_TTL_SECONDS = int(os.environ.get("PHONE_CODE_TTL_SECONDS", "300"))
PHONE_CODE_RESEND_SECONDS = int(os.environ.get("PHONE_CODE_RESEND_SECONDS", "60"))
PHONE_CODE_MAX_ATTEMPTS = int(os.environ.get("PHONE_CODE_MAX_ATTEMPTS", "5"))
OTP_TOTP_ISSUER = "Linli 邻里"

# --- Doors (issue 15 deliverable 4): throttled logins, two-factor, API tokens, phone-code limits ---
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
# Success must not wipe a client's failures: one valid account would otherwise reset its address's count.
AXES_RESET_ON_SUCCESS = False
# Typed text that is not a known username is stored as a keyed hash (it may be a mistyped password).
AXES_USERNAME_CALLABLE = "linli.accounts.throttle.username_for_records"
AXES_LOCKOUT_CALLABLE = "linli.accounts.throttle.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken", "next"]
AXES_HTTP_RESPONSE_CODE = 429
# Client address: REMOTE_ADDR, unless Linli runs behind this many reverse proxies that each append the
# address they received from to X-Forwarded-For; then the client is that header's N-th entry from the right
# (entries further left are whatever the client sent, so they are never trusted).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "linli.accounts.throttle.client_ip"
# TOTP: django-otp's throttling (doubling delay after each wrong code) stays on; replay is refused by last_t.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Sends per phone per hour and per client address per hour (on top of PHONE_CODE_RESEND_SECONDS).
PHONE_CODE_MAX_PER_HOUR = int(os.environ.get("PHONE_CODE_MAX_PER_HOUR", "5"))
PHONE_CODE_MAX_PER_ADDRESS_PER_HOUR = int(os.environ.get("PHONE_CODE_MAX_PER_ADDRESS_PER_HOUR", "20"))
# The console (log) SMS backend is for the demo and tests; in production it refuses unless this is set.
SMS_ALLOW_CONSOLE_IN_PRODUCTION = env_bool("SMS_ALLOW_CONSOLE_IN_PRODUCTION", False)
# API tokens: the longest lifetime a token may be issued for.
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

# --- Notices (issue 16 deliverable 5): the in-app inbox is always written; these outside channels also
# carry each notice after commit. Comma-separated dotted paths; the real ones are
# linli.notices.channels.SMSChannel (through SMS_BACKEND) and linli.notices.channels.EmailChannel (Django's mail settings).
NOTICE_CHANNELS = [
    c.strip()
    for c in os.environ.get("NOTICE_CHANNELS", "linli.notices.channels.ConsoleChannel").split(",")
    if c.strip()
]
# The site's public address (https://linli.example.cn), so SMS and e-mail can carry a notice's link.
NOTICE_SITE_URL = os.environ.get("NOTICE_SITE_URL", "")
# Mail for EmailChannel, in Django 6.1's MAILERS form: EMAIL_BACKEND (SMTP by default) at EMAIL_HOST:EMAIL_PORT.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": (
            {"host": os.environ["EMAIL_HOST"], "port": int(os.environ.get("EMAIL_PORT", "25"))}
            if os.environ.get("EMAIL_HOST")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "linli" / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEMO)  # the demo is served over plain HTTP
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token class first: its WWW-Authenticate header makes an unauthenticated call a 401.
        # No HTTP Basic: a password alone must not open the API around two-factor.
        "linli.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in, JSON out: a form-encoded body can't say "this field is an object", so it let nonsense through.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "linli.api.pagination.BoundedLimitOffsetPagination",  # bounds in the schema
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli API",
    "DESCRIPTION": "Linli (邻里) REST API. Every list is restricted to the caller's places and units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every error status an operation can answer with, documented (linli/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "linli.api.schema.add_error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # gensim logs every word-vector epoch at INFO; a retrain should say one line, not forty.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "gensim": {"level": "WARNING"}},
}

# Background work through Django's tasks interface; the database-backed worker (`manage.py db_worker`)
# is the default, so a single machine needs no broker. TASKS_BACKEND=immediate runs tasks inline.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "dummy": "django.tasks.backends.dummy.DummyBackend",
            "celery": "linli.core.celery_tasks.CeleryBackend",
        }[os.environ.get("TASKS_BACKEND", "database")],
    }
}
# TASKS_BACKEND=celery: tasks go to this broker and any number of `celery -A linli worker` processes run
# them (linli/celery.py). Messages are acknowledged after the task ran, one at a time per worker process,
# so a worker that dies mid-task hands it to another; every task is idempotent.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# Where the dispatch engine keeps its versioned model files.
DISPATCH_MODEL_DIR = Path(os.environ.get("DISPATCH_MODEL_DIR", BASE_DIR / "var" / "models"))
# Training data the first dispatch model learns from when no corrections exist yet: the labelled
# citizen messages of the 2020 TipDM Cup (train split only), bundled with the project (xz-compressed, read
# as they are; source and licence in linli/dispatch/data/teddy2020/README.md).
_TEDDY = BASE_DIR / "linli" / "dispatch" / "data" / "teddy2020"
DISPATCH_BASE_TRAINING = Path(os.environ.get("DISPATCH_BASE_TRAINING", _TEDDY / "attachment2.csv.xz"))
# Unlabelled messages of the same city that the classifier's word vectors also learn from (attachments 3
# and 4 of the TipDM data: messages with likes, and messages with official replies). Comma-separated
# paths, plain or compressed; files that are missing are skipped.
_UNLABELLED_DEFAULT = f"{_TEDDY / 'attachment3.csv.xz'},{_TEDDY / 'attachment4.csv.xz'}"
DISPATCH_UNLABELLED = [
    Path(p.strip()) for p in os.environ.get("DISPATCH_UNLABELLED", _UNLABELLED_DEFAULT).split(",") if p.strip()
]
# Decisions whose calibrated confidence reaches this go out automatically; the rest go to a person.
DISPATCH_AUTO_THRESHOLD = float(os.environ.get("DISPATCH_AUTO_THRESHOLD", "0"))  # 0: use the model's own
# Matters learned from corrections (linli.dispatch.learned): how alike a corrected text must be, and how
# many such neighbours must agree, before their matter is proposed where no keyword names one.
DISPATCH_MATTER_SIMILARITY = float(os.environ.get("DISPATCH_MATTER_SIMILARITY", "0.45"))
DISPATCH_MATTER_MIN_VOTES = int(os.environ.get("DISPATCH_MATTER_MIN_VOTES", "1"))
DISPATCH_RETRAIN_HOURS = int(os.environ.get("DISPATCH_RETRAIN_HOURS", "24"))
# How often a serving process checks which model version is active (a promotion needs no restart).
DISPATCH_MODEL_CHECK_SECONDS = float(os.environ.get("DISPATCH_MODEL_CHECK_SECONDS", "5"))

# Content-Security-Policy (django-csp). User text is escaped on every page; this policy is the second wall:
# should a name ever slip through as markup, the browser still runs no script that is not one of our static
# files. Hence no 'unsafe-inline' and no 'unsafe-eval' for scripts: page data travels in json_script
# elements or data- attributes and is read by files under linli/static/linli/, and htmx is configured in
# base.html never to evaluate code (allowEval, allowScriptTags off). Styles come from static CSS only;
# Leaflet and htmx style elements through the CSSOM (element.style), which CSP does not govern, and htmx's
# own injected <style> is switched off (includeIndicatorStyles) with its rules moved to app.css.
# The Django admin needs no exemption (Django 6 ships it without inline script or style), and neither do
# the pages served by this project; DRF's browsable API uses a few inline style attributes for layout only,
# which the browser drops without harm. CSP_REPORT_ONLY=1 sends the same policy as report-only.
_CSP_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY
else:
    CONTENT_SECURITY_POLICY = _CSP_POLICY

# Working time (linli.worktime.clock): deadlines in hours count only the time between these two local times on
# working days; a deadline in working days falls due at WORKDAY_END of its last day.
WORKDAY_START = os.environ.get("LINLI_WORKDAY_START", "09:00")
WORKDAY_END = os.environ.get("LINLI_WORKDAY_END", "17:30")

# Case deadlines (DESIGN §4 defaults from published local rules), as deadline specs: 30m, 2h, 5wd. A matter's
# own columns on the responsibility list override these, and DeadlineRule rows (admin) override both.
CASE_DEADLINES = {
    "contact": os.environ.get("CASE_CONTACT_DEADLINE", "1wd"),
    "contact_urgent": os.environ.get("CASE_CONTACT_URGENT_DEADLINE", "2h"),
    "contact_utility": os.environ.get("CASE_CONTACT_UTILITY_DEADLINE", "24h"),
    "handle": os.environ.get("CASE_HANDLE_DEADLINE", "5wd"),
    "handle_urgent": os.environ.get("CASE_HANDLE_URGENT_DEADLINE", "1wd"),
    "handle_complex": os.environ.get("CASE_HANDLE_COMPLEX_DEADLINE", "15wd"),
    "rehandle": os.environ.get("CASE_REHANDLE_DEADLINE", "3wd"),
    "whistle": os.environ.get("CASE_WHISTLE_DEADLINE", "30m"),
}
# How soon a dispatcher routes a request the engine was not sure of (told to the resident in the preview).
CASE_DISPATCH_DEADLINE = os.environ.get("CASE_DISPATCH_DEADLINE", "2h")
# Returns a case may take before only the district can move it (争议派单 goes to arbitration).
CASE_MAX_RETURNS = int(os.environ.get("CASE_MAX_RETURNS", "2"))
# Whether a return under review stops the handling clock (DESIGN §4: "keeps or pauses, as configured").
CASE_RETURN_PAUSES_CLOCK = os.environ.get("CASE_RETURN_PAUSES_CLOCK", "0") == "1"
# Days a resolved case waits for the resident's rating before it closes unrated.
CASE_RATING_WINDOW_DAYS = int(os.environ.get("CASE_RATING_WINDOW_DAYS", "7"))
# Window and text similarity for suggesting duplicates to merge.
CASE_DUPLICATE_DAYS = int(os.environ.get("CASE_DUPLICATE_DAYS", "7"))
# Days after which a resource library entry nobody has confirmed is flagged stale and its steward reminded.
RESOURCE_STALE_DAYS = int(os.environ.get("RESOURCE_STALE_DAYS", "180"))
# How often the sweep looks for due work (overdue is marked within this plus the scheduler's wake-up) and
# how often the case chains' digest is written to the global audit chain.
CASE_SWEEP_SECONDS = int(os.environ.get("CASE_SWEEP_SECONDS", "20"))
CASE_ANCHOR_MINUTES = int(os.environ.get("CASE_ANCHOR_MINUTES", "60"))
# A unit's members told of new work (the rest see it in their queue).
CASE_NOTIFY_MAX_MEMBERS = int(os.environ.get("CASE_NOTIFY_MAX_MEMBERS", "50"))

# Photos attached to a request (linli.core.photos.check_photos): at most PHOTO_MAX_COUNT per submission, each
# upload at most PHOTO_MAX_BYTES as sent, and at most PHOTO_MAX_PIXELS once decoded. The pixel limit is the
# guard against decompression bombs (a few KB of PNG that decode to gigabytes); the default admits a 48 MP
# phone photo (8064 x 6048) and refuses anything larger before a single pixel is decoded.
PHOTO_MAX_COUNT = int(os.environ.get("LINLI_PHOTO_MAX_COUNT", "9"))
PHOTO_MAX_BYTES = int(os.environ.get("LINLI_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("LINLI_PHOTO_MAX_PIXELS", "50000000"))
