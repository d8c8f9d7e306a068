"""Sending the weekly level report: one mail per manager per team and ISO week, exactly once.

The ledger row (`WeeklyReportSend`, unique per team and week) is claimed with an INSERT before
anything is sent; whoever loses the race to insert sends nothing. The mail goes out after the
claim commits. An SMTP failure marks the row failed and re-raises so the task retries with
backoff; a retry re-claims only a failed (or long-stalled) row and skips the managers who already
received the report. A sent row never sends again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.selectors import team_managers
from interactions.levels import Level

from .announcements import report_sent
from .figures import WeeklyReport, weekly_report
from .models import WeeklyReportSend
from .weeks import IsoWeek, last_full_week

logger = logging.getLogger(__name__)

# Reports go out from Monday 07:00 in the team's own time zone.
SEND_WEEKDAY, SEND_HOUR = 0, 7
# A claim whose sender has not reported progress (claimed_at is its heartbeat, moved on at every mail)
# for this long is a crashed sender: a new run may take it over. WEEKLY_REPORT_STALE_SECONDS, default 30 min.
STALE_CLAIM = timedelta(seconds=getattr(settings, "WEEKLY_REPORT_STALE_SECONDS", 30 * 60))


def report_url(team_id: int, week: IsoWeek) -> str:
    return f"{settings.SITE_URL}{reverse('reports:weekly')}?{urlencode({'team': team_id, 'week': str(week)})}"


def report_context(report: WeeklyReport, *, chart_src: str) -> dict:
    """What the page's and the mail's templates read. `chart_src` is the prefix of a chart's address:
    the chart's name completes it (`cid:` in the mail, the chart view's query on the page)."""
    return {
        "report": report,
        "chart_src": chart_src,
        "levels": list(Level),
        "report_url": report_url(report.team_id, report.week),
        "site_name": settings.SITE_NAME,
    }


def report_text(report: WeeklyReport) -> str:
    """The plain-text report (the mail's text part; what --dry-run prints)."""
    return render_to_string("reports/email.txt", report_context(report, chart_src=""))


def report_message(
    *, report: WeeklyReport, charts: list[tuple[str, bytes]], manager: User, connection=None
) -> EmailMultiAlternatives:
    """The mail for one manager, in their language: text part, HTML part, each chart inline by Content-ID."""
    with translation.override(manager.language or settings.LANGUAGE_CODE):
        subject = _("Weekly level report: %(team)s, %(week)s") % {"team": report.team_name, "week": report.week}
        context = {**report_context(report, chart_src="cid:"), "subject": subject}
        text = render_to_string("reports/email.txt", context)
        html = render_to_string("reports/email.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[manager.email], connection=connection)
    message.attach_alternative(html, "text/html")
    # multipart/related around the alternatives, so the HTML's cid: reference resolves to the image.
    message.mixed_subtype = "related"
    for name, png in charts:
        image = MIMEImage(png, _subtype="png")
        image.add_header("Content-ID", f"<{name}>")
        image.add_header("Content-Disposition", "inline", filename=f"{name}.png")
        message.attach(image)
    return message


@dataclass
class SendOutcome:
    team_id: int
    week: IsoWeek
    sent_to: list[str]
    skipped: str = ""  # why nothing was sent ("already sent", "claimed by another sender")


def weekly_report_send(*, team: Team, week: IsoWeek, now: datetime | None = None) -> SendOutcome:
    """Claim (team, week) in the ledger and, after commit, mail the report to each of the team's managers.

    Raises the SMTP error (after recording it on the ledger row) so a task can retry.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claim, skipped = _claim(team=team, week=week, now=now)
        if claim is None:
            return SendOutcome(team_id=team.id, week=week, sent_to=[], skipped=skipped)
        outcome = SendOutcome(team_id=team.id, week=week, sent_to=[])
        transaction.on_commit(lambda: outcome.sent_to.extend(_deliver(claim_id=claim.pk, team=team, week=week)))
    return outcome


def _claim(*, team: Team, week: IsoWeek, now: datetime) -> tuple[WeeklyReportSend | None, str]:
    try:
        with transaction.atomic():
            claim = WeeklyReportSend.objects.create(
                team=team, iso_week=str(week), status=WeeklyReportSend.Status.SENDING, claimed_at=now, attempts=1
            )
        return claim, ""
    except IntegrityError:
        pass
    claim = WeeklyReportSend.objects.select_for_update().get(team=team, iso_week=str(week))
    if claim.status == WeeklyReportSend.Status.SENT:
        return None, "already sent"
    if claim.status == WeeklyReportSend.Status.SENDING and claim.claimed_at > now - STALE_CLAIM:
        return None, "being sent by another worker"
    claim.status = WeeklyReportSend.Status.SENDING
    claim.claimed_at = now
    claim.attempts += 1
    claim.save(update_fields=["status", "claimed_at", "attempts"])
    return claim, ""


def _deliver(*, claim_id: int, team: Team, week: IsoWeek) -> list[str]:
    """Send to every manager not yet reached; record each success, and the failure if any."""
    claim = WeeklyReportSend.objects.get(pk=claim_id)
    reached = list(claim.recipients)
    managers = [m for m in team_managers(team_id=team.id) if m.email and m.email not in reached]
    sent_now: list[str] = []
    try:
        if managers:
            report = weekly_report(team, week)
            charts: dict[str, list] = {}  # one set of charts per language: legends and titles are translated
            with get_connection(fail_silently=False) as connection:
                for manager in managers:
                    language = manager.language or settings.LANGUAGE_CODE
                    if language not in charts:
                        with translation.override(language):
                            charts[language] = report.charts()
                    report_message(report=report, charts=charts[language], manager=manager, connection=connection).send()
                    reached.append(manager.email)
                    sent_now.append(manager.email)
                    # Each mail is recorded as it goes (and is the heartbeat): a sender killed between two
                    # mails leaves the ledger knowing who has it, so the run that takes over skips them.
                    WeeklyReportSend.objects.filter(pk=claim_id).update(recipients=reached, claimed_at=timezone.now())
    except Exception as exc:
        logger.warning("weekly report %s for team %s failed after %d mails: %s", week, team.id, len(sent_now), exc)
        WeeklyReportSend.objects.filter(pk=claim_id).update(
            status=WeeklyReportSend.Status.FAILED, recipients=reached, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    WeeklyReportSend.objects.filter(pk=claim_id).update(
        status=WeeklyReportSend.Status.SENT, recipients=reached, sent_at=timezone.now(), last_error=""
    )
    report_sent.send(sender=WeeklyReportSend, send=WeeklyReportSend.objects.get(pk=claim_id))
    return sent_now


def weekly_reports_due(*, now: datetime | None = None) -> list[tuple[Team, IsoWeek]]:
    """Teams whose local time is past Monday 07:00 and whose week that just ended has no ledger row.

    Caught up later in the week when the scheduler was down on Monday; never for a week that ended
    before the team existed; again when a sender crashed mid-send. Two queries for all teams.
    """
    now = now or timezone.now()
    candidates = []
    for team in Team.objects.order_by("id"):
        local = now.astimezone(team.tz)
        if local.weekday() == SEND_WEEKDAY and local.hour < SEND_HOUR:
            continue
        week = last_full_week(now, team.tz)
        if week.bounds(team.tz)[1] > team.created_at:
            candidates.append((team, week))
    if not candidates:
        return []
    # A row stuck in "sending" for longer than STALE_CLAIM is a sender that crashed: due again.
    claimed = set(
        WeeklyReportSend.objects.filter(team__in=[t for t, _ in candidates], iso_week__in={str(w) for _, w in candidates})
        .exclude(status=WeeklyReportSend.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        .values_list("team_id", "iso_week")
    )
    return [(team, week) for team, week in candidates if (team.id, str(week)) not in claimed]


def send_due_weekly_reports(*, now: datetime | None = None) -> list[SendOutcome]:
    """Send every due report in this process (the command and tests; the beat task fans out instead)."""
    now = now or timezone.now()
    outcomes = []
    for team, week in weekly_reports_due(now=now):
        outcomes.append(weekly_report_send(team=team, week=week, now=now))
    return outcomes
