"""What recovery does when an interaction's level changes (interactions.level_changes announces it)."""

from interactions.level_changes import LevelMove
from interactions.models import LevelChange

from . import services

# A level lifted out of Criminal or Basic by these closes the case as corrected: the facts (or the
# rubric) said it was never that bad. A customer's own higher rating leaves the recovery running.
CORRECTING_CAUSES = {LevelChange.Cause.CORRECTION, LevelChange.Cause.RESCORE}


def on_levels_changed(sender, *, moves: list[LevelMove], **kwargs) -> None:
    for move in moves:
        if move.entered_recovery:
            case = services.case_open_for_interaction(
                interaction_id=move.interaction_id, actor=move.actor, just_logged=move.old_level is None,
                interaction=move.interaction,
            )
            if move.interaction is not None and case is not None:
                move.interaction.recovery_case_id = case.pk  # the log's response shows the case it opened
        elif move.left_recovery and move.cause in CORRECTING_CAUSES:
            services.case_close_as_corrected(interaction_id=move.interaction_id, actor=move.actor, new_level=move.new_level)
