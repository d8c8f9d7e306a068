"""Settings for the load benchmark: production behaviour (DEBUG off, real middleware), plus the
ceiling endpoints of bench/urls.py. Never used by the product."""

from cxportal.settings.base import *  # noqa: F401,F403
from cxportal.settings.base import LOGGING, env

SECRET_KEY = env.str("SECRET_KEY", default="bench-only-secret-key-0123456789-0123456789-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
AXES_ENABLED = False  # one load generator on one address would trip the lockout
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
