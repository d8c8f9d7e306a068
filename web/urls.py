from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("dashboard/open-cases/", views.dashboard_open_cases, name="dashboard-open-cases"),
    path("log/", views.log_interaction, name="log"),
    path("interactions/<int:interaction_id>/edit/", views.interaction_edit, name="interaction-edit"),
    path("log/customers/", views.customer_matches, name="log-customers"),
    path("log/gestures/", views.gesture_choices, name="log-gestures"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer-detail"),
    path("cases/", views.case_board, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/fix/", views.case_fix, name="case-fix"),
    path("cases/<int:case_id>/surprise/", views.case_surprise, name="case-surprise"),
    path("cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path("cases/<int:case_id>/assign/", views.case_assign, name="case-assign"),
    path("cases/<int:case_id>/notes/", views.case_note, name="case-note"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification-open"),
    path("bends/", views.bend_list, name="bends"),
    path("bends/new/", views.bend_request, name="bend-request"),
    path("bends/<int:bend_id>/decide/", views.bend_decide, name="bend-decide"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule-create"),
    path("gestures/", views.gesture_index, name="gestures"),
    path("gestures/new/", views.gesture_create, name="gesture-create"),
    path("gestures/<int:gesture_id>/edit/", views.gesture_edit, name="gesture-edit"),
    path("teams/", views.team_index, name="teams"),
    path("teams/<int:team_id>/settings/", views.team_settings, name="team-settings"),
    path("jobs/", views.job_list, name="jobs"),
    path("inbox/", views.inbox_list, name="inbox"),
    path("inbox/<int:item_id>/", views.inbox_item, name="inbox-item"),
    path("inbox/<int:item_id>/dismiss/", views.inbox_dismiss, name="inbox-dismiss"),
    path("profile/", views.profile, name="profile"),
]
