"""The server-rendered staff pages, one module per subject."""

from .bends import bend_decide, bend_list, bend_request
from .cases import case_assign, case_board, case_close, case_detail, case_fix, case_note, case_surprise
from .customers import customer_detail, customer_list
from .dashboard import dashboard, dashboard_open_cases
from .inbox import inbox_dismiss, inbox_item, inbox_list
from .interaction_log import customer_matches, gesture_choices, interaction_edit, log_interaction
from .notifications import notification_list, notification_open, notifications_read
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
    "bend_decide",
    "bend_list",
    "bend_request",
    "case_assign",
    "case_board",
    "case_close",
    "case_detail",
    "case_fix",
    "case_note",
    "case_surprise",
    "customer_detail",
    "customer_list",
    "customer_matches",
    "dashboard",
    "dashboard_open_cases",
    "gesture_choices",
    "gesture_create",
    "gesture_edit",
    "gesture_index",
    "inbox_dismiss",
    "inbox_item",
    "inbox_list",
    "interaction_edit",
    "job_list",
    "log_interaction",
    "notification_list",
    "notification_open",
    "notifications_read",
    "profile",
    "rule_create",
    "rule_list",
    "team_index",
    "team_settings",
]
