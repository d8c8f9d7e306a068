"""Demo webhook for `seed_demo` (idempotent): the first team's manager subscribed an example URL to
case events, and pinged it once, so the page shows a subscription and (once a worker ran) its attempts.

Seeded after the history, so the demo's past interactions make no events. The row is written as it
stands, without the look-up a manager's subscription gets: the demo must seed on a machine without
a network, and hooks.example.com is a reserved example name.
"""

from accounts.models import User

from . import services
from .models import EventType, WebhookSubscription

DEMO_URL = "https://hooks.example.com/cx-portal"
DEMO_EVENTS = [EventType.CASE_OPENED, EventType.CASE_CLOSED, EventType.CASE_ESCALATED, EventType.BEND_REQUESTED]


def seed_webhooks(*, teams, users, stdout=None):
    if not teams:
        return
    team = teams[0]
    manager = next(
        (u for u in users.values() if u.role == User.Role.MANAGER and u.teams.filter(pk=team.pk).exists()), None
    )
    if manager is None or WebhookSubscription.objects.filter(team=team, url=DEMO_URL).exists():
        return
    subscription = WebhookSubscription.objects.create(
        team=team, url=DEMO_URL, events=[str(e) for e in DEMO_EVENTS], secret=services._secret_new(), created_by=manager
    )
    services.subscription_ping(actor=manager, subscription=subscription)
    if stdout is not None:
        stdout.write(f"webhooks: {team.name}: {DEMO_URL} hears {', '.join(subscription.events)}")
