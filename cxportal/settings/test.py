"""Test settings: the real database and broker named by DATABASE_URL and REDIS_URL."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="test-secret-key-not-for-production-0123456789abcdef")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)

if DATABASES["default"]["ENGINE"] == "cxportal.sqlite":  # noqa: F405
    # A file, not the in-memory shared cache: tests see SQLite as the app runs it (WAL, IMMEDIATE,
    # busy timeout), so concurrent writers wait instead of failing with "table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-cxportal.sqlite3")}

