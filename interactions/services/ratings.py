"""The customer's side of an interaction: the feedback link, their rating and their comment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import StateConflict

from .. import links, scoring
from ..level_changes import level_record
from ..levels import Level
from ..models import Interaction, LevelChange
from .log import FEEDBACK, _mark_rescore_from


def feedback_url(interaction: Interaction) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}/feedback/{links.link_token(purpose=FEEDBACK, nonce=interaction.feedback_nonce)}/"


def interaction_by_feedback_token(token: str) -> Interaction | None:
    """The interaction a customer's feedback link points to, or None (unknown, malformed or expired)."""
    from django.conf import settings

    if not links.looks_like_token(token):
        return None
    interaction = (
        Interaction.objects.select_related("team", "customer").filter(feedback_digest=links.token_digest(token)).first()
    )
    if interaction is None:
        return None
    if interaction.created_at < timezone.now() - timezone.timedelta(days=settings.PUBLIC_LINK_MAX_AGE_DAYS):
        return None
    return interaction


@transaction.atomic
def interaction_rate(*, interaction: Interaction, level: int, comment: str = "") -> Interaction:
    """The customer's own rating becomes the interaction's level. One rating per link."""
    if level not in Level.values:
        raise ValidationError({"level": [_("Choose a level from 1 (Criminal) to 6 (Unbelievable).")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("At most 2000 characters.")]})
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    if interaction.customer_level is not None:
        raise StateConflict(_("This interaction was already rated."), code="already_rated")
    old = interaction.level
    interaction.customer_level = level
    interaction.level = scoring.final_level(interaction.assessed_level, level)
    interaction.customer_comment = comment
    interaction.rated_at = timezone.now()
    interaction.save(update_fields=["customer_level", "level", "customer_comment", "rated_at"])
    level_record(interaction=interaction, old_level=old, cause=LevelChange.Cause.CUSTOMER_RATING)
    if Interaction.objects.filter(customer_id=interaction.customer_id, occurred_at__gt=interaction.occurred_at).exists():
        _mark_rescore_from(interaction.customer_id, interaction.occurred_at)
    return interaction


@transaction.atomic
def interaction_comment(*, interaction: Interaction, comment: str) -> Interaction:
    """The customer's words after their one-tap rating. One comment per rating; 409 after it."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("Write a few words, or just close this page.")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("At most 2000 characters.")]})
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    if interaction.customer_level is None:
        raise StateConflict(_("Rate the interaction first."), code="not_rated")
    if interaction.customer_comment:
        raise StateConflict(_("We already have your comment."), code="already_commented")
    interaction.customer_comment = comment
    interaction.save(update_fields=["customer_comment"])
    return interaction


# --- Corrections ---------------------------------------------------------------------------------
