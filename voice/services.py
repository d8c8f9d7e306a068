"""Rating requests by email: after an interaction on one of the team's chosen channels, after the
team's delay, never in its quiet hours, in the customer's language; at most one per customer per
`rating_request_min_days` (the fatigue guard). docs/voice.md explains the rules.

Safe to run in any number of workers and beats at once: each request first claims the customer with
a conditional UPDATE (asked never, or before the window), then the interaction (never asked, not
rated); the database lets one claim win, and the mail is written in the same transaction.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Team
from interactions.customer_mail import customer_email_enqueue
from interactions.levels import CUSTOMER_CHOICES
from interactions.models import Customer, Interaction
from interactions.services import feedback_url
from recovery.models import RecoveryCase

logger = logging.getLogger(__name__)

# An interaction older than the delay plus this is not worth asking about any more (a backdated log,
# a long outage of the job): the customer will not remember it.
ASK_WITHIN = timedelta(hours=48)


def _open_case_q():
    return Exists(RecoveryCase.objects.filter(customer_id=OuterRef("customer_id")).exclude(status=RecoveryCase.Status.CLOSED))


def rating_request_candidates(*, team: Team, now: datetime) -> dict[int, int]:
    """customer id -> the interaction to ask about (their latest eligible one), for one team, now."""
    if not team.rating_request_channels or team.in_quiet_hours(now):
        return {}
    delay = timedelta(minutes=team.rating_request_delay_minutes)
    asked_since = now - timedelta(days=team.rating_request_min_days)
    rows = (
        Interaction.objects.filter(
            team_id=team.pk,
            channel__in=team.rating_request_channels,
            rating_requested_at__isnull=True,
            customer_level__isnull=True,
            occurred_at__lte=now - delay,
            occurred_at__gt=now - delay - ASK_WITHIN,
            customer__contact_opt_out=False,
        )
        .exclude(customer__email="")
        .filter(Q(customer__rating_requested_at__isnull=True) | Q(customer__rating_requested_at__lte=asked_since))
        .filter(~_open_case_q())
        .order_by("customer_id", "-occurred_at", "-id")
        .values_list("customer_id", "id")
    )
    latest = {}
    for customer_id, interaction_id in rows:
        latest.setdefault(customer_id, interaction_id)
    return latest


@transaction.atomic
def rating_request_send(*, interaction_id: int, now: datetime | None = None) -> bool:
    """Ask the customer to rate this interaction, if the guard allows it now. Returns whether a mail
    was written; twice, or from two workers at once, it is written once."""
    now = now or timezone.now()
    interaction = Interaction.objects.select_related("team", "customer__team").get(pk=interaction_id)
    customer, team = interaction.customer, interaction.team
    asked_since = now - timedelta(days=team.rating_request_min_days)
    # The claim on the customer: concurrent senders queue on this row; after the first commits, the
    # others' condition no longer holds and they update nothing.
    claimed = (
        Customer.objects.filter(pk=customer.pk, contact_opt_out=False)
        .exclude(email="")
        .filter(Q(rating_requested_at__isnull=True) | Q(rating_requested_at__lte=asked_since))
        .update(rating_requested_at=now)
    )
    if not claimed:
        return False
    claimed = Interaction.objects.filter(pk=interaction_id, rating_requested_at__isnull=True, customer_level__isnull=True).update(
        rating_requested_at=now
    )
    has_open_case = RecoveryCase.objects.filter(customer_id=customer.pk).exclude(status=RecoveryCase.Status.CLOSED).exists()
    if not claimed or has_open_case:
        transaction.set_rollback(True)  # the customer's claim too: nothing was asked
        return False
    url = feedback_url(interaction)
    choices = [{"level": int(level), "words": words, "url": f"{url}?level={int(level)}"} for level, words in CUSTOMER_CHOICES]
    customer_email_enqueue(
        customer=customer,
        dedupe_key=f"rating-request-{interaction.pk}",
        template="email/rating_request",
        context={"interaction": interaction, "feedback_url": url, "choices": choices},
    )
    return True


def rating_requests_send(*, now: datetime | None = None) -> int:
    """Send every rating request that is due now, across all teams. Returns how many went out."""
    now = now or timezone.now()
    sent = 0
    for team in Team.objects.order_by("id"):
        for interaction_id in rating_request_candidates(team=team, now=now).values():
            if rating_request_send(interaction_id=interaction_id, now=now):
                sent += 1
    if sent:
        logger.info("rating requests: %s sent", sent)
    return sent
