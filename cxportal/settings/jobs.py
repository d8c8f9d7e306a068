"""Background jobs: Celery (its broker, results and limits) and the re-score job's pace."""

from .environment import REDIS_URL, VAR_DIR, env

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
