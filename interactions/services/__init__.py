"""Writes of customers, gestures and interactions, one module per subject:

- `customers`: adding, changing and removing customers, their special dates;
- `gestures`: a team's gestures;
- `log`: logging an interaction, giving a gesture outside one;
- `ratings`: the customer's feedback link, rating and comment;
- `corrections`: correcting a logged interaction's facts.

Callers import from here (`from interactions.services import interaction_log`).
"""

from .corrections import CORRECTABLE, LOGGER_CORRECTION_WINDOW, interaction_correct, interaction_may_correct
from .customers import SPECIAL_DATE, customer_create, customer_delete, customer_update, special_dates_sync
from .gestures import gesture_create, gesture_update
from .log import EARLIEST_OCCURRED_AT, FEEDBACK, gesture_deliver, interaction_log
from .ratings import feedback_url, interaction_by_feedback_token, interaction_comment, interaction_rate

__all__ = [
    "CORRECTABLE",
    "EARLIEST_OCCURRED_AT",
    "FEEDBACK",
    "LOGGER_CORRECTION_WINDOW",
    "SPECIAL_DATE",
    "customer_create",
    "customer_delete",
    "customer_update",
    "feedback_url",
    "gesture_create",
    "gesture_deliver",
    "gesture_update",
    "interaction_by_feedback_token",
    "interaction_comment",
    "interaction_correct",
    "interaction_log",
    "interaction_may_correct",
    "interaction_rate",
    "special_dates_sync",
]
