from django.urls import path

from . import views

urlpatterns = [
    # One path segment: /feedback/recovered/<token>/ belongs to the recovery app.
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
