"""Every periodic job, declared once. django-celery-beat's database scheduler runs them.

After each `migrate` the entries missing from the database are created; an entry already there is
left as it is, so a schedule an operator changed in the admin stays changed. A new periodic job is one
line here (and its task).
"""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_minutes: int | None = None
    # crontab (minute, hour, day_of_week), in UTC
    crontab: tuple[str, str, str] | None = None
    kwargs: dict = field(default_factory=dict)
    description: str = ""


SCHEDULES = (
    Schedule("Send the email outbox", "notifications.send_pending_emails", every_minutes=1),
    Schedule("Send due webhook deliveries", "webhooks.send_due", every_minutes=1),
    Schedule("Fetch the inbox's mail (IMAP)", "inbox.fetch_email", every_minutes=5,
             description="Reads INBOX_IMAP_URL into the teams' inboxes; does nothing when it is not set."),
    Schedule("Check recovery SLAs every 5 minutes", "recovery.check_slas", every_minutes=5),
    Schedule(
        "Send rating requests every 5 minutes", "voice.send_rating_requests", every_minutes=5,
        description="Asks customers by email to rate an interaction: after each team's delay, outside its quiet hours.",
    ),
    Schedule("Re-score levels (incremental)", "drift.rescore_levels", every_minutes=15, kwargs={"full": False}),
    Schedule("Recompute expectation drift (nightly)", "drift.recompute_drift", crontab=("15", "2", "*")),
    Schedule("Re-score levels (full, weekly)", "drift.rescore_levels", crontab=("45", "3", "0"), kwargs={"full": True}),
    # Hourly: each team's "three days before" starts at its own midnight; one mail per occasion and date.
    Schedule("Remind personal contacts of occasions", "radar.remind_occasions", crontab=("20", "*", "*")),
    Schedule(
        "Prepare the radar's delight returns (hourly)", "radar.prepare_returns", crontab=("1", "*", "*"),
        description="Works out each team's returns once an hour, so no manager waits for the radar's costly figure.",
    ),
    Schedule(
        "Weekly level reports (hourly check)",
        "reports.send_due_weekly_reports",
        # Every team's Monday 07:00 falls into some hour whatever its offset; the ledger keeps a second
        # run from sending again.
        crontab=("5", "*", "*"),
        description="Sends each team's weekly level report from Monday 07:00 in its time zone.",
    ),
)


def schedules_create(**kwargs) -> None:
    """Create the periodic tasks the database lacks (run after `migrate`, and after a test flush)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    existing = set(PeriodicTask.objects.values_list("name", flat=True))
    for schedule in SCHEDULES:
        if schedule.name in existing:
            continue
        when = {}
        if schedule.every_minutes:
            interval = IntervalSchedule.objects.filter(every=schedule.every_minutes, period="minutes").order_by("id").first()
            when["interval"] = interval or IntervalSchedule.objects.create(every=schedule.every_minutes, period="minutes")
        else:
            minute, hour, day_of_week = schedule.crontab
            fields = dict(minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*", timezone="UTC")
            crontab = CrontabSchedule.objects.filter(**fields).order_by("id").first()
            when["crontab"] = crontab or CrontabSchedule.objects.create(**fields)
        PeriodicTask.objects.create(
            name=schedule.name, task=schedule.task, kwargs=json.dumps(schedule.kwargs), description=schedule.description, **when
        )
