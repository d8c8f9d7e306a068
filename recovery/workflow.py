"""Which actions a user may take on a recovery case now: the one place that decides it.

The services enforce it (`case_action_check`), the API and the pages read it (`case_actions`), so
they cannot disagree. A case moves open -> fixed -> surprised -> closed; a manager may close an
open or fixed case without a surprise, with a written reason. Anyone in the team (re)assigns a case
that is not closed, and adds internal notes at any time. Which deadline applies now is the
case's own `deadline`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.selectors import user_is_member, user_manages
from core.errors import StateConflict

from .models import RecoveryCase

Status = RecoveryCase.Status
FIX, SURPRISE, CLOSE, CLOSE_WITHOUT_SURPRISE, BEND = "fix", "surprise", "close", "close_without_surprise", "bend"
ASSIGN, NOTE = "assign", "note"
ACTIONS = (FIX, SURPRISE, CLOSE, CLOSE_WITHOUT_SURPRISE, BEND, ASSIGN, NOTE)

ALLOWED, FORBIDDEN, CONFLICT = "allowed", "forbidden", "conflict"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # ALLOWED, FORBIDDEN (the user may never do this here) or CONFLICT (not in this state)
    message: str = ""
    code: str = ""

    @property
    def allowed(self) -> bool:
        return self.outcome == ALLOWED


def _state(case: RecoveryCase) -> str:
    return str(case.get_status_display())


def close_action(case: RecoveryCase) -> str:
    """Closing after the surprise is CLOSE; closing an open or fixed case is CLOSE_WITHOUT_SURPRISE."""
    return CLOSE if case.status in (Status.SURPRISED, Status.CLOSED) else CLOSE_WITHOUT_SURPRISE


def case_action_verdict(user, case: RecoveryCase, action: str) -> Verdict:
    if not user_is_member(user, case.team_id):
        return Verdict(FORBIDDEN, _("You can only work your own teams' cases."), "not_member")
    status = case.status
    if action == FIX:
        if status != Status.OPEN:
            return Verdict(CONFLICT, _("Only an open case can be fixed; this one is %(status)s.") % {"status": _state(case)}, "not_open")
    elif action == SURPRISE:
        if status == Status.OPEN:
            return Verdict(CONFLICT, _("Fix the case before the surprise."), "not_fixed")
        if status != Status.FIXED:
            return Verdict(CONFLICT, _("This case is already %(status)s.") % {"status": _state(case)}, "not_fixed")
    elif action in (CLOSE, CLOSE_WITHOUT_SURPRISE):
        if status == Status.CLOSED:
            return Verdict(CONFLICT, _("This case is already closed."), "closed")
        if action == CLOSE and status != Status.SURPRISED or action == CLOSE_WITHOUT_SURPRISE:
            if not user_manages(user, case.team_id):
                return Verdict(FORBIDDEN, _("Only a manager can close a case without a surprise."), "not_manager")
            if status == Status.SURPRISED:
                return Verdict(CONFLICT, _("The surprise is done: close the case the usual way."), "surprised")
    elif action in (BEND, ASSIGN):
        if status == Status.CLOSED:
            return Verdict(CONFLICT, _("This case is already closed."), "closed")
    elif action == NOTE:
        pass  # anyone in the team notes, whatever the state: a closed case may still need a word
    else:
        raise ValueError(action)
    return Verdict(ALLOWED)


def case_actions(user, case: RecoveryCase) -> set[str]:
    """The actions this user may take on this case now."""
    return {action for action in ACTIONS if case_action_verdict(user, case, action).allowed}


def case_action_check(user, case: RecoveryCase, action: str) -> None:
    """Raise PermissionDenied (403) or StateConflict (409) unless the user may take this action now."""
    verdict = case_action_verdict(user, case, action)
    if verdict.outcome == FORBIDDEN:
        raise PermissionDenied(verdict.message)
    if verdict.outcome == CONFLICT:
        raise StateConflict(verdict.message, code=verdict.code)
