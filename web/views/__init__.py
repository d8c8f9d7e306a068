"""The server-rendered staff pages, one module per subject."""

from .bends import bend_decide, bend_list, bend_request
from .cases import case_assign, case_board, case_close, case_detail, case_fix, case_note, case_surprise
from .customers import customer_detail, customer_list
from .dashboard import dashboard, dashboard_open_cases
from .inbox import inbox_dismiss, inbox_item, inbox_list
from .notifications import notification_list, notification_open, notifications_read
from .interaction_log import customer_matches, gesture_choices, interaction_edit, log_interaction
from .settings_pages import (
    gesture_create,
    gesture_edit,
    gesture_index,
    job_list,
    profile,
    rule_create,
    rule_list,
    team_index,
    team_settings,
)

__all__ = [
    "bend_decide", "bend_list", "bend_request", "case_board", "case_close", "case_detail", "case_fix",
    "case_surprise", "customer_detail", "customer_list", "dashboard", "dashboard_open_cases", "customer_matches",
    "gesture_choices", "interaction_edit", "log_interaction", "gesture_create", "gesture_edit", "rule_create", "gesture_index", "job_list", "profile", "rule_list",
    "team_index", "team_settings", "inbox_dismiss", "inbox_item", "inbox_list",
    "case_assign", "case_note", "notification_list", "notification_open", "notifications_read",
]
