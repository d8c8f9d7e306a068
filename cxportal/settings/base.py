"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Where the embedded defaults (SQLite file, filesystem broker, file cache, mail as files) keep their
# files. Importing settings creates nothing: each default makes its folder when it is first used.
VAR_DIR = Path(env.str("CXPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
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
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
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

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username tried from one address, never a whole account for
# everyone (an attacker at one address cannot lock every user out).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# No "AXES: BEGIN ..." line from every process at start; lockouts are still logged.
AXES_VERBOSE = False

# How many proxies in front of the app append to X-Forwarded-For (0: none, the connection's address
# is the client's). Throttles, the lockout and the HTTPS header all follow it
# (core/client_address.py); a wrong value lets clients choose their own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# Two-factor sign-in (TOTP): admins must set it up at their first login; everyone may.
TWO_FACTOR_REQUIRED_FOR_ADMINS = env.bool("TWO_FACTOR_REQUIRED_FOR_ADMINS", default=True)
OTP_TOTP_ISSUER = env.str("SITE_NAME", default="CX Portal")

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
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:pass@host:port) or EMAIL_HOST/EMAIL_PORT; by default mail is written
# as files under var/mail/ where a developer can read it.
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# EMAIL_PROVIDER (e.g. "postmark", "mailgun", "amazon_ses", "sendgrid") sends through that provider's
# API with django-anymail instead of SMTP; its settings come from ANYMAIL_* variables, e.g.
# ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_MAILGUN_API_KEY (docs/voice.md). SMTP stays the default.
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
EMAIL_TIMEOUT = 20
# An outbox email that failed this many times (about 4.5 hours of backoff at 10) is a dead letter:
# no more retries, shown on the jobs page and in /healthz. One that can never be sent dies at once.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CX Portal <cxportal@localhost>")
# The address in the mailto: half of List-Unsubscribe (default: the sender's address).
UNSUBSCRIBE_MAILTO = env.str("UNSUBSCRIBE_MAILTO", default="")
# A weekly-report send that has shown no progress for this long is a crashed sender; another run takes over.
WEEKLY_REPORT_STALE_SECONDS = env.int("WEEKLY_REPORT_STALE_SECONDS", default=30 * 60)

# --- Celery ---------------------------------------------------------------------------------
# CELERY_BROKER_URL or REDIS_URL; by default kombu's filesystem transport under var/broker/,
# which needs no server: a real worker and beat run against it on one machine. The default names a
# host (which the transport ignores) so kombu does not warn "No hostname was supplied" on every
# connection.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task (a full re-score), so a slow task is not delivered twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Every folder the transport writes, the exchange tables ("control") included, under var/broker/;
    # cxportal/celery.py creates them when the Celery app is first configured.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(_broker_dir / "queue"),
            "data_folder_out": str(_broker_dir / "queue"),
            "processed_folder": str(_broker_dir / "processed"),
            "control_folder": str(_broker_dir / "control"),
            "store_processed": False,
        }
    )
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 3 * 3600
CELERY_TASK_SOFT_TIME_LIMIT = 3 * 3600 - 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Workers log through LOGGING below (JSON lines with the request id in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Re-score job (drift/) --------------------------------------------------------------------
# Customers per chunk (one transaction and one checkpoint each), the lock's lifetime without a
# heartbeat, and an optional pause between chunks to leave room to the web on small machines.
RESCORE_CHUNK_CUSTOMERS = env.int("RESCORE_CHUNK_CUSTOMERS", default=5000)
RESCORE_LOCK_TTL_SECONDS = env.int("RESCORE_LOCK_TTL_SECONDS", default=900)
RESCORE_CHUNK_PAUSE_SECONDS = env.float("RESCORE_CHUNK_PAUSE_SECONDS", default=0.0)

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
# Largest request body accepted (the summary field alone is bounded far below this).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# API tokens (POST /api/auth/token/) stop working after this many days; logging out revokes one.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)

# Customer links (feedback, status) stop working after this many days.
PUBLIC_LINK_MAX_AGE_DAYS = env.int("PUBLIC_LINK_MAX_AGE_DAYS", default=90)

# The highest say-yes threshold anyone may set, admins included (managers: their approval limit).
SAY_YES_THRESHOLD_MAX = Decimal(env.str("SAY_YES_THRESHOLD_MAX", default="1000"))

# LOG_FORMAT=json writes one JSON object a line (production's default), with the request id that
# also reaches the Celery tasks the request started (core/request_id.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less form field; harmless either way
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything is served from our own origin: no CDN, no inline scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

# Prometheus at /metrics (cxportal/metrics.py): only with `Authorization: Bearer <METRICS_TOKEN>`;
# without a token set, /metrics is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Errors to Sentry when SENTRY_DSN is set: web requests, Celery tasks, and ERROR log lines. No personal
# data by default (no user, address, cookies or request bodies); traces only when a rate is given.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        integrations=[DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
    )

# --- Outbound webhooks (webhooks/) --------------------------------------------------------------
# URLs that resolve to private, loopback, link-local or metadata addresses are refused, at creation and
# at every send, unless this is on (a deployment whose receivers live on its own network).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# http:// URLs are refused where this is on (always in production).
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)
# One attempt's limit (connect, send, answer), and how much of an answer is read.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)

# --- The inbox (inbox/) ---------------------------------------------------------------------------
# fetch_email reads this mailbox (imaps://user:password@host[:port]/MAILBOX), every 5 minutes when set.
INBOX_IMAP_URL = env.str("INBOX_IMAP_URL", default="")
# A CA bundle to trust for the IMAP server (a private CA); the system's by default.
INBOX_IMAP_CAFILE = env.str("INBOX_IMAP_CAFILE", default="")
INBOX_IMAP_TIMEOUT_SECONDS = env.int("INBOX_IMAP_TIMEOUT_SECONDS", default=30)
# Providers' inbound webhooks (/anymail/<provider>/inbound/): each enabled one has its own basic-auth
# secret, "mailgun=user:password,postmark=user:password"; Mailgun also needs its signing key.
INBOX_WEBHOOK_SECRETS = env.dict("INBOX_WEBHOOK_SECRETS", default={})
INBOX_MAILGUN_SIGNING_KEY = env.str("INBOX_MAILGUN_SIGNING_KEY", default="")
# A body longer than this is cut (and marked so); a message larger than this many bytes is read only that far.
INBOX_MAX_BODY_CHARS = env.int("INBOX_MAX_BODY_CHARS", default=20000)
INBOX_MAX_MESSAGE_BYTES = env.int("INBOX_MAX_MESSAGE_BYTES", default=10 * 1024 * 1024)
