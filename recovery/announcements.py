"""What recovery announces, for the apps built on it (webhooks) to hear without recovery importing them.

Both are sent by the service that made the change, inside its transaction: a listener that writes
(an outgoing webhook's event row) commits or rolls back with the change itself.
"""

from django.dispatch import Signal

# A case event was recorded: `case` (the RecoveryCase as it is now) and `kind` (CaseEvent.Kind).
case_changed = Signal()
# A rule bend was asked for or decided: `bend` (the RuleBend as it is now) and `kind`
# ("requested", "auto-approved", "approved", "rejected").
bend_changed = Signal()
