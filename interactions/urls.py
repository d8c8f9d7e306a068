from django.urls import path

from . import views

urlpatterns = [
    # Anything under /feedback/ reaches the view, so every answer carries the private-link headers.
    path("feedback/<path:token>/", views.feedback, name="feedback"),
]
