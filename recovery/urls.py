from django.urls import path

from . import views

urlpatterns = [
    path("status/<str:token>/", views.case_status, name="case-status"),
    path("feedback/recovered/<str:token>/", views.case_recovered_feedback, name="case-recovered-feedback"),
]
