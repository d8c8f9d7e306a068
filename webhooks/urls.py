from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("teams/<int:team_id>/webhooks/", views.subscription_list, name="list"),
    path("teams/<int:team_id>/webhooks/<int:subscription_id>/", views.subscription_detail, name="detail"),
    path("teams/<int:team_id>/webhooks/<int:subscription_id>/ping/", views.subscription_ping, name="ping"),
    path("teams/<int:team_id>/webhooks/<int:subscription_id>/switch/", views.subscription_switch, name="switch"),
    path("teams/<int:team_id>/webhooks/<int:subscription_id>/delete/", views.subscription_delete, name="delete"),
    path(
        "teams/<int:team_id>/webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/resend/",
        views.delivery_resend, name="resend",
    ),
]
