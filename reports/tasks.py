"""Celery entry points of the weekly report: the hourly check fans out one task per due team."""

from smtplib import SMTPException

from celery import shared_task

from accounts.models import Team

from . import services
from .weeks import IsoWeek


@shared_task(name="reports.send_due_weekly_reports", acks_late=True, ignore_result=True)
def send_due_weekly_reports() -> int:
    """Hourly (beat, minute 5): queue the report of every team past Monday 07:00 local without a ledger row."""
    due = services.weekly_reports_due()
    for team, week in due:
        send_weekly_report.delay(team.id, str(week))
    return len(due)


@shared_task(
    name="reports.send_weekly_report",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_weekly_report(team_id: int, week: str) -> list[str]:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:  # deleted since it was queued
        return []
    return services.weekly_report_send(team=team, week=IsoWeek.parse(week)).sent_to
