"""The world the security tests share: two teams with the same objects, built with the real services."""

import pytest

from accounts.tests.factories import UserFactory
from interactions import links
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory, GestureFactory
from notifications.models import Notification
from radar.services import idea_propose
from recovery.models import Rule
from recovery.services import bends as recovery_bends
from recovery.services import links as recovery_links
from recovery.services import steps as recovery_steps

FRONTLINE_A, MANAGER_A, FRONTLINE_B, MANAGER_B = "frontline_a", "manager_a", "frontline_b", "manager_b"
ADMIN, ANONYMOUS, TOKEN_HOLDER = "admin", "anonymous", "token_holder"


def _team_world(team, frontline, manager):
    asker = UserFactory(teams=[team])  # asks for the bend, so nobody in the checks decides their own
    customer = CustomerFactory(team=team, name=f"Customer of {team.name}")
    bare = CustomerFactory(team=team, name=f"New customer of {team.name}")  # no history: may be deleted
    gesture = GestureFactory(team=team, base_level=5, name=f"Gesture of {team.name}")
    rule = Rule.objects.create(team=team, name=f"No refunds after 30 days ({team.name})")

    def criminal():
        return interaction_log(actor=frontline, customer=customer, channel="phone", promise_kept=False)

    from interactions.customer_mail import customer_unsubscribe_token

    interaction = criminal()
    case = interaction.recovery_case
    fixed = recovery_steps.case_fix(actor=frontline, case=criminal().recovery_case, note="fixed")
    closed = criminal().recovery_case
    recovery_steps.case_fix(actor=frontline, case=closed)
    closed = recovery_steps.case_close(actor=manager, case=closed, reason="moved away")
    bend = recovery_bends.bend_request(actor=asker, rule=rule, customer=customer, justification="loyal", cost="10")
    idea = idea_propose(actor=asker, team=team, kind="gesture", title=f"Idea of {team.name}", story="Guests ask for it.")
    # The bend waits for the team's manager: the notification saying so is hers alone.
    notification = Notification.objects.get(recipient=manager, kind="bend.requested", dedupe_key__startswith=f"bend-{bend.pk}-")
    webhook, delivery = _webhook(team, manager)
    return {
        "team": team, "frontline": frontline, "manager": manager, "asker": asker,
        "customer": customer, "customer_bare": bare, "gesture": gesture, "rule": rule,
        "interaction": interaction, "case": case, "case_fixed": fixed, "case_closed": closed, "bend": bend, "idea": idea,
        "notification": notification,
        "feedback_token": links.link_token(purpose="feedback", nonce=interaction.feedback_nonce),
        "status_token": links.link_token(purpose=recovery_links.STATUS, nonce=case.status_nonce),
        "recovered_token": recovery_links.recovered_token(closed),
        "unsubscribe_token": customer_unsubscribe_token(customer),
        "webhook": webhook, "delivery": delivery, "inbox_item": _inbox_item(team),
    }


def _webhook(team, manager):
    """A subscription (written as it stands: the world has no network to resolve a name) and a ping to it.
    Both carry `path_kwargs`, for the routes that name the team, the subscription and the delivery."""
    from webhooks import services as webhook_services
    from webhooks.models import WebhookSubscription

    webhook = WebhookSubscription.objects.create(
        team=team, url="https://hooks.example.com/cx", events=["case.opened"], secret=webhook_services._secret_new(), created_by=manager
    )
    delivery = webhook_services.subscription_ping(actor=manager, subscription=webhook)
    webhook.path_kwargs = {"pk": webhook.pk, "team_id": team.pk, "subscription_id": webhook.pk}
    delivery.path_kwargs = {**webhook.path_kwargs, "delivery_id": delivery.pk}
    return webhook, delivery


def _inbox_item(team):
    from email.message import EmailMessage

    from inbox.services import inbox_receive

    team.inbox_address = f"support-{team.pk}@inbox.example"
    team.save(update_fields=["inbox_address"])
    message = EmailMessage()
    message["From"] = f"Mail customer of {team.name} <mail-{team.pk}@example.org>"
    message["To"] = team.inbox_address
    message["Subject"] = f"A question for {team.name}"
    message["Message-ID"] = f"<world-{team.pk}@example.org>"
    message.set_content("Hello")
    [stored] = inbox_receive(raw=message.as_bytes(), source="imap")
    return stored.item


@pytest.fixture
def world(team, other_team, frontline, manager, other_frontline, other_manager, admin_user):
    from interactions.models import JobRun

    return {
        "A": _team_world(team, frontline, manager),
        "B": _team_world(other_team, other_frontline, other_manager),
        # Job runs are not per team: every manager and admin sees them (drift.selectors.job_run_list).
        "job": JobRun.objects.create(kind="rescore", mode="incremental", status=JobRun.Status.SUCCEEDED),
        "inbound_provider": "mailgun",  # not enabled in the tests: no secret
        "users": {FRONTLINE_A: frontline, MANAGER_A: manager, FRONTLINE_B: other_frontline,
                  MANAGER_B: other_manager, ADMIN: admin_user},
    }
