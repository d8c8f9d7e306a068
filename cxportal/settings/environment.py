"""Where settings come from: the environment (and an optional `.env` file beside manage.py), and the
folder the embedded defaults keep their files in. Every part of the settings reads from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Where the embedded defaults (SQLite file, filesystem broker, file cache, mail as files) keep their
# files. Importing settings creates nothing: each default makes its folder when it is first used.
VAR_DIR = Path(env.str("CXPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
# Redis, when given: the cache, the Celery broker and its results.
REDIS_URL = env.str("REDIS_URL", default="")
