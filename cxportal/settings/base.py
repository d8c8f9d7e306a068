"""Settings shared by every environment. Everything that differs comes from the environment.

This module holds the application itself (apps, middleware, templates, database, cache, languages,
static files, the API); the other concerns each have a module of their own, gathered here:
`environment` (where values come from), `security`, `mail`, `jobs` (Celery and the re-score job),
`observability` (logs, metrics, Sentry) and `integrations` (webhooks, the inbox).
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, REDIS_URL, VAR_DIR, env
from .integrations import *
from .jobs import *
from .mail import *
from .observability import *
from .security import *
from .security import TRUSTED_PROXY_COUNT

# Where links in emails point (the customer feedback and status links, the report page).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="CX Portal")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, no CDN
    "django_celery_beat",
    "django_prometheus",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "interactions",
    "recovery",
    "radar",
    "reports",
    "drift",
    "notifications",
    "audit",
    "voice",
    # After recovery: its receivers run after recovery's, so an event shows the case a change opened.
    "webhooks",
    "imports",
    "inbox",
    "web",
    "anymail",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.two_factor.SecondFactorSetupMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "web.middleware.TeamTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last
]

ROOT_URLCONF = "cxportal.urls"
WSGI_APPLICATION = "cxportal.wsgi.application"

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
                "core.context_processors.site",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (production, tests). The embedded default is a SQLite file in
# WAL mode with IMMEDIATE transactions, so concurrent writers wait for the lock instead of failing.
SQLITE_PATH = VAR_DIR / "cxportal.sqlite3"
# An empty DATABASE_URL (a compose file's `${DATABASE_URL}` with nothing behind it) means unset.
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, plus: the file's folder is created when the first connection opens, and
    # connections, queries and their durations are counted for /metrics.
    DATABASES["default"]["ENGINE"] = "cxportal.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, counting connections, queries and their durations for /metrics.
        DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Cache ----------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request gets 401 with WWW-Authenticate, not 403.
        "accounts.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",  # 10,000 nested brackets are a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CountedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.ListFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.CXAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public_token": env.str("PUBLIC_TOKEN_THROTTLE", default="60/min"),
        "login": env.str("LOGIN_THROTTLE", default="30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # DRF's client ident: the same rule as core/client_address.py
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CX Portal API",
    "DESCRIPTION": "Kaufman's six levels of service: interactions, recovery, rule bends, reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "accounts.models.LANGUAGE_CHOICES",
        "ChannelEnum": "interactions.levels.Channel",
        "LevelEnum": "interactions.levels.Level",
        "IdeaKindEnum": "radar.models.Idea.Kind",
        "OccasionKindEnum": "interactions.models.OccasionKind",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "InboxItemStatusEnum": "inbox.models.ItemStatus",
    },
}

# The highest say-yes threshold anyone may set, admins included (managers: their approval limit).
SAY_YES_THRESHOLD_MAX = Decimal(env.str("SAY_YES_THRESHOLD_MAX", default="1000"))
