"""Test settings: the real database and broker named by DATABASE_URL and REDIS_URL."""

import os

from .base import *  # noqa: F401,F403
from .base import REDIS_URL, VAR_DIR, env

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

# The Redis that REDIS_URL names may hold someone's data: the tests' cache keys carry a prefix of their
# own (one per xdist worker, shared with the servers a test starts) and clearing the cache deletes
# only those keys, never the whole database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tests.cache.OwnKeysRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cxportal-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "test-cache"),  # not the running app's var/cache/
        }
    }
