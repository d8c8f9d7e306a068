"""Recovery cases (fix quickly, then surprise) and rule bends."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from interactions import links
from interactions.levels import RECOVERY_LEVELS, Level

from .models import CaseEvent, RecoveryCase

STATUS = "status"
RECOVERED = "recovered"


def fix_hours(team, severity: int) -> int:
    return team.sla_criminal_fix_hours if severity == Level.CRIMINAL else team.sla_basic_fix_hours


def case_open_for_interaction(*, interaction, actor=None) -> RecoveryCase | None:
    """Open the interaction's recovery case when its level is Criminal or Basic (exactly once).

    Called by logging, by the customer's rating and by the re-score job. The one-to-one column
    keeps it to one case per interaction even when two callers race.
    """
    if interaction.level not in RECOVERY_LEVELS:
        return None
    existing = RecoveryCase.objects.filter(interaction_id=interaction.pk).first()
    if existing is not None:
        return existing
    now = timezone.now()
    team = interaction.team
    status_nonce, status_digest = links.new_link(purpose=STATUS)
    recovered_nonce, recovered_digest = links.new_link(purpose=RECOVERED)
    try:
        with transaction.atomic():
            case = RecoveryCase.objects.create(
                interaction=interaction,
                customer_id=interaction.customer_id,
                team=team,
                severity=interaction.level,
                opened_at=now,
                fix_due=now + timedelta(hours=fix_hours(team, interaction.level)),
                status_nonce=status_nonce,
                status_digest=status_digest,
                recovered_nonce=recovered_nonce,
                recovered_digest=recovered_digest,
            )
            CaseEvent.objects.create(
                case=case, kind=CaseEvent.Kind.OPENED, from_status="", to_status=case.status, actor=actor, at=now,
                note=f"Opened at level {Level(interaction.level).label}.",
            )
    except IntegrityError:
        return RecoveryCase.objects.get(interaction_id=interaction.pk)
    return case
