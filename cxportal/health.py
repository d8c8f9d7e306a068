"""What /healthz asks: does the database answer, does the broker answer; and, as details, the outbox."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cxportal.celery import app as celery_app
from notifications.services import emails_dead, emails_waiting


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001  (any failure means "does not answer")
        return False


def broker_answers(timeout: float = 2.0) -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            # A connection object may be lazy: open a channel so the broker really has to answer.
            channel = conn.default_channel
            if conn.transport_cls in ("redis", "rediss") or conn.transport.driver_type == "redis":
                channel.client.ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def outbox_counts() -> dict | None:
    """Emails waiting to go out and dead letters (given up); None when the database does not answer."""
    try:
        return {"waiting": emails_waiting().count(), "dead": emails_dead().count()}
    except Exception:  # noqa: BLE001
        return None


@never_cache
@require_GET
def healthz(request):
    """/healthz: 200 when the database and the broker answer, else 503."""
    checks = {"database": database_answers(), "broker": broker_answers()}
    ok = all(checks.values())
    # Details, not health: dead letters need a person, not a restart, so they never turn this 503.
    details = {"outbox": outbox_counts()} if checks["database"] else {}
    return JsonResponse({"status": "ok" if ok else "unavailable", **checks, **details}, status=200 if ok else 503)
