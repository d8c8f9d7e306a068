"""Production: no unsafe defaults and none of the embedded ones. Refuses to start without
SECRET_KEY, DATABASE_URL, a broker URL (CELERY_BROKER_URL or REDIS_URL) or ALLOWED_HOSTS, or with
DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import TRUSTED_PROXY_COUNT, env

# Every missing or unsafe setting is named in one message, so a deployment is fixed in one go.
# base.py falls back to a SQLite file and a filesystem broker for one developer's machine; in
# production either would lose data or tasks as soon as there is a second machine.
_problems = []
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    _problems.append("SECRET_KEY must be set to a random string of at least 50 characters.")
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    _problems.append("DEBUG must be off in production.")
if not env.str("DATABASE_URL", default=""):
    _problems.append("DATABASE_URL must be set in production, e.g. postgres://user:password@host:5432/cxportal.")
if not (env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")):
    _problems.append(
        "CELERY_BROKER_URL or REDIS_URL must be set in production (the Celery broker), e.g. redis://host:6379/0."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    _problems.append("ALLOWED_HOSTS must list the host names the site answers to, e.g. cx.example.com.")
if _problems:
    raise ImproperlyConfigured("production settings refused:\n  " + "\n  ".join(_problems))

# X-Forwarded-Proto says "this came in over HTTPS" only when a proxy we trust wrote it (and that
# proxy must overwrite what the client sent); without a declared proxy any client could claim it.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Webhooks carry customers' data: only over https in production.
WEBHOOK_REQUIRE_HTTPS = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # probes and scrapers inside the network
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Log lines as JSON objects (one a line) unless LOG_FORMAT=plain.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "plain" if LOG_FORMAT == "plain" else "json"  # noqa: F405
