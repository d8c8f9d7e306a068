"""gunicorn's settings for CX Portal, read from the working directory (flags on the command line win).

Chosen by measurement on a 2-core machine with PostgreSQL beside it: docs/performance.md, "Choosing
the gunicorn setting" (`bench/load.py --compare-servers`). Override with the environment on other
hardware: WEB_CONCURRENCY (processes), GUNICORN_WORKER_CLASS, GUNICORN_THREADS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
accesslog = "-"
# Customer-link tokens are credentials: the access log shows only their first characters.
logger_class = "cxportal.access_log.MaskedTokenLogger"
