"""When a case's deadlines fall: the SLA in the team's open hours, and the escalation chain's moments.

One place says it; opening and fixing a case store what it returns, and the SLA check reads the
stored moments. With business hours (accounts/business_hours.py) every number here counts open
hours only; without, wall-clock hours.
"""

from dataclasses import dataclass
from datetime import datetime

from accounts.business_hours import sla_due
from interactions.levels import Level

WARN_SHARE = 0.75  # the owner is warned when 75% of the SLA has run
ADMINS_AFTER_HOURS = 24  # the admins hear when a case is still not done 24 (business) hours after the due time


@dataclass(frozen=True)
class Deadline:
    due: datetime
    warn_at: datetime
    admins_at: datetime


def fix_hours(team, severity: int) -> int:
    return team.sla_criminal_fix_hours if severity == Level.CRIMINAL else team.sla_basic_fix_hours


def deadline(*, team, start: datetime, hours: int) -> Deadline:
    calendar = team.calendar
    due = sla_due(start=start, hours=hours, calendar=calendar)
    return Deadline(
        due=due,
        warn_at=sla_due(start=start, hours=hours * WARN_SHARE, calendar=calendar),
        admins_at=sla_due(start=due, hours=ADMINS_AFTER_HOURS, calendar=calendar),
    )


def fix_deadline(*, team, severity: int, opened_at: datetime) -> Deadline:
    return deadline(team=team, start=opened_at, hours=fix_hours(team, severity))


def surprise_deadline(*, team, fixed_at: datetime) -> Deadline:
    return deadline(team=team, start=fixed_at, hours=team.sla_surprise_hours)
