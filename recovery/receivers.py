"""What recovery does when an interaction's level changes (interactions.level_changes announces it)."""

from interactions.level_changes import LevelMove
from interactions.models import LevelChange

from .services import opening

# A level lifted out of Criminal or Basic by these closes the case as corrected: the facts (or the
# rubric) said it was never that bad. A customer's own higher rating leaves the recovery running.
CORRECTING_CAUSES = {LevelChange.Cause.CORRECTION, LevelChange.Cause.RESCORE}


def on_levels_changed(sender, *, moves: list[LevelMove], **kwargs) -> None:
    # History brought in from another tool is scored but needs no recovery now: no case opens or closes.
    moves = [m for m in moves if m.cause != LevelChange.Cause.IMPORTED]
    if not moves:
        return
    if len(moves) == 1 and moves[0].old_level is None and moves[0].interaction is not None:
        move = moves[0]  # just logged: nobody else can see the interaction yet, nothing to look for
        if move.entered_recovery:
            case = opening.case_open_for_interaction(interaction=move.interaction, actor=move.actor, just_logged=True)
            move.interaction.recovery_case_id = case.pk  # the log's response shows the case it opened
        return
    entering = [m for m in moves if m.entered_recovery]
    if entering:
        opened = opening.cases_open_for_interactions(
            interaction_ids=[m.interaction_id for m in entering], actor=entering[0].actor
        )
        for move in entering:
            if move.interaction is not None and move.interaction_id in opened:
                move.interaction.recovery_case_id = opened[move.interaction_id].pk  # shown by the response
    leaving = [m for m in moves if m.left_recovery and m.cause in CORRECTING_CAUSES]
    if leaving:
        opening.cases_close_as_corrected(levels={m.interaction_id: m.new_level for m in leaving}, actor=leaving[0].actor)
