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


def on_starting(server):
    """With PROMETHEUS_MULTIPROC_DIR, start from an empty folder: figures of an earlier run would add up."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a process that ended stops counting in /metrics' live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Import the radar's statistics library (1-3 s) as the worker starts, not on a manager's first radar."""
    from radar.returns import load_statistics

    load_statistics()
