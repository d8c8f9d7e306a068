"""Developer machine and the embedded demo: SQLite and the filesystem broker by default."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-never-use-in-production")
