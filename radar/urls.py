from django.urls import path

from . import views

app_name = "radar"

urlpatterns = [
    path("radar/", views.radar_page, name="radar"),
    path("radar/chart.png", views.radar_chart, name="radar-chart"),
    path("radar/people/", views.people_page, name="people"),
    path("ideas/", views.idea_page, name="ideas"),
    path("ideas/<int:idea_id>/decide/", views.idea_decide, name="idea-decide"),
]
