"""Linli settings: every knob is an environment variable, and the defaults run on SQLite with no services.

Like Healthchecks' hc/settings.py, one file serves the demo, the test suite and production; production
differs only by its environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

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


SECRET_KEY = os.environ.get("SECRET_KEY", "linli-insecure-development-key-change-me-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1,http://localhost")

# Fernet keys for personal data at rest, newest first; older keys still decrypt, which is how keys rotate.
# Without the variable a key is derived from SECRET_KEY so the demo runs with nothing configured.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "django_tasks_db",
    "linli.core",
    "linli.places",
    "linli.orgs",
    "linli.accounts",
    "linli.dispatch",
    "linli.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
    # instead of failing a resident's submission with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "linli.accounts.backends.LockoutModelBackend",
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

# Password lockout: this many failures for one username within the window lock it for the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# One-time codes for residents' phone login, sent through a pluggable backend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "linli.accounts.sms.LogSMSBackend")
PHONE_CODE_TTL_SECONDS = int(os.environ.get("PHONE_CODE_TTL_SECONDS", "300"))
PHONE_CODE_RESEND_SECONDS = int(os.environ.get("PHONE_CODE_RESEND_SECONDS", "60"))
PHONE_CODE_MAX_ATTEMPTS = int(os.environ.get("PHONE_CODE_MAX_ATTEMPTS", "5"))
OTP_TOTP_ISSUER = "Linli 邻里"

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
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli API",
    "DESCRIPTION": "Linli (邻里) REST API. Every list is restricted to the caller's places and units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
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
        }[os.environ.get("TASKS_BACKEND", "database")],
    }
}

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
DISPATCH_RETRAIN_HOURS = int(os.environ.get("DISPATCH_RETRAIN_HOURS", "24"))
# How often a serving process checks which model version is active (a promotion needs no restart).
DISPATCH_MODEL_CHECK_SECONDS = float(os.environ.get("DISPATCH_MODEL_CHECK_SECONDS", "5"))
