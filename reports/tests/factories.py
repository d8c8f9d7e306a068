"""Rows the report reads, built directly (the services that fill them are built elsewhere)."""

import secrets
from datetime import datetime
from decimal import Decimal

from interactions.models import Interaction
from recovery.models import RecoveryCase, Rule, RuleBend


def _link() -> dict:
    return {"nonce": secrets.token_hex(16), "digest": secrets.token_hex(32)}


def interaction(*, team, customer, at: datetime, level: int, omitted=(), customer_level=None, build=False) -> Interaction:
    link = _link()
    row = Interaction(
        team=team, customer=customer, channel="phone", occurred_at=at, assessed_level=level, level=level,
        customer_level=customer_level, omitted_gestures=list(omitted), promise_kept=level > 1,
        feedback_nonce=link["nonce"], feedback_digest=link["digest"],
    )
    if not build:
        row.save()
    return row


def case(*, team, customer, at_interaction: datetime, severity: int, opened_at, fix_due, status="open", **fields) -> RecoveryCase:
    source = interaction(team=team, customer=customer, at=at_interaction, level=severity)
    status_link, recovered_link = _link(), _link()
    return RecoveryCase.objects.create(
        interaction=source, customer=customer, team=team, severity=severity, status=status, opened_at=opened_at,
        fix_due=fix_due, status_nonce=status_link["nonce"], status_digest=status_link["digest"],
        recovered_nonce=recovered_link["nonce"], recovered_digest=recovered_link["digest"], **fields,
    )


def rule(*, team, name: str) -> Rule:
    return Rule.objects.create(team=team, name=name)


def bend(*, rule: Rule, requested_by, requested_at, cost, status="pending", decided_at=None, auto_approved=False) -> RuleBend:
    return RuleBend.objects.create(
        rule=rule, team=rule.team, justification="customer in need", cost=Decimal(cost), status=status,
        requested_by=requested_by, requested_at=requested_at, decided_at=decided_at, auto_approved=auto_approved,
    )
