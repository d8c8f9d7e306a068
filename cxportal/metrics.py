"""/metrics for Prometheus: django-prometheus's request, latency and database figures, and the
operations figures an operator watches (queue depth, re-score progress, backlogs, cases past due).

Not public: it answers only with `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set
it answers 404. Under gunicorn's several processes set PROMETHEUS_MULTIPROC_DIR (an empty folder
per deployment) so the figures of every process are added up (gunicorn.conf.py cleans up after a
process ends).
"""

import hmac
import os
import time

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from cxportal.celery import app as celery_app
from interactions.models import JobRun
from notifications.services import emails_dead, emails_waiting
from inbox.models import InboxItem
from recovery.models import RecoveryCase
from webhooks.selectors import deliveries_waiting, subscriptions_failing

RESCORE = "rescore"


def celery_queue_lengths(broker_url: str | None = None) -> dict[str, int]:
    """Messages waiting in each queue the workers consume (any kombu transport: Redis or the filesystem)."""
    queues = [q.name for q in (celery_app.conf.task_queues or [])] or [celery_app.conf.task_default_queue]
    lengths = {}
    with celery_app.connection_for_read(broker_url) as connection:
        channel = connection.default_channel
        for name in queues:
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception:  # noqa: BLE001  (a queue nobody declared yet holds nothing)
                lengths[name] = 0
    return lengths


class OperationsCollector:
    """Figures read at scrape time, a handful of indexed counts."""

    NAMES = (
        "cxportal_celery_queue_length",
        "cxportal_rescore_progress_ratio",
        "cxportal_rescore_last_success_timestamp_seconds",
        "cxportal_outbox_emails",
        "cxportal_cases_past_due",
        "cxportal_webhook_deliveries_waiting",
        "cxportal_webhook_subscriptions_failing",
        "cxportal_inbox_waiting",
        "cxportal_metrics_scraped_timestamp_seconds",
    )

    def describe(self):
        """The names, without reading anything (a registry asks when the collector is registered)."""
        return [GaugeMetricFamily(name, "") for name in self.NAMES]

    def collect(self):
        now = timezone.now()
        queue = GaugeMetricFamily("cxportal_celery_queue_length", "Tasks waiting in the broker queue.", labels=["queue"])
        try:
            for name, length in celery_queue_lengths().items():
                queue.add_metric([name], length)
        except Exception:  # noqa: BLE001  (broker down: no figure rather than no page)
            pass
        yield queue

        running = JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.RUNNING).order_by("-started_at").first()
        progress = GaugeMetricFamily("cxportal_rescore_progress_ratio", "Share of the running re-score done (0 when none runs).")
        progress.add_metric([], (running.done / running.total) if running and running.total else 0.0)
        yield progress
        last = (
            JobRun.objects.filter(kind=RESCORE, status=JobRun.Status.SUCCEEDED, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        succeeded = GaugeMetricFamily(
            "cxportal_rescore_last_success_timestamp_seconds", "When the last re-score succeeded (Unix time; 0: never)."
        )
        succeeded.add_metric([], last.timestamp() if last else 0.0)
        yield succeeded

        outbox = GaugeMetricFamily("cxportal_outbox_emails", "Emails in the outbox by state.", labels=["state"])
        outbox.add_metric(["waiting"], emails_waiting().count())
        outbox.add_metric(["dead"], emails_dead().count())
        yield outbox

        past_due = GaugeMetricFamily("cxportal_cases_past_due", "Open or fixed recovery cases past their due time.")
        past_due.add_metric([], RecoveryCase.objects.filter(RecoveryCase.overdue_q(now)).count())
        yield past_due

        webhooks = GaugeMetricFamily("cxportal_webhook_deliveries_waiting", "Webhook deliveries not yet delivered nor given up.")
        webhooks.add_metric([], deliveries_waiting().count())
        yield webhooks
        failing = GaugeMetricFamily("cxportal_webhook_subscriptions_failing", "Switched-on webhooks whose last attempts failed.")
        failing.add_metric([], subscriptions_failing().count())
        yield failing
        inbox = GaugeMetricFamily("cxportal_inbox_waiting", "Customers' mails waiting to be assessed.")
        inbox.add_metric([], InboxItem.objects.filter(status=InboxItem.Status.WAITING).count())
        yield inbox

        scraped = GaugeMetricFamily("cxportal_metrics_scraped_timestamp_seconds", "When these figures were read.")
        scraped.add_metric([], time.time())
        yield scraped


_operations = OperationsCollector()
prometheus_client.REGISTRY.register(_operations)


def _registry():
    """This process's figures; under several processes (PROMETHEUS_MULTIPROC_DIR) all of theirs."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return prometheus_client.REGISTRY
    registry = prometheus_client.CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_operations)
    return registry


def _authorized(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(given[len("Bearer ") :].encode(), token.encode())


@never_cache
@require_GET
def metrics(request):
    if not settings.METRICS_TOKEN:
        raise Http404("Metrics are off: set METRICS_TOKEN.")
    if not _authorized(request):
        return HttpResponse("A bearer token is required.\n", status=401, headers={"WWW-Authenticate": "Bearer"}, content_type="text/plain")
    return HttpResponse(prometheus_client.generate_latest(_registry()), content_type=prometheus_client.CONTENT_TYPE_LATEST)
